/**
 * Ends a one-shot command once what it wrote has left the process. stdout and stderr are
 * asynchronous when they are pipes: exiting at once would cut a large output (a hook's answer,
 * a compressed log) at the pipe's buffer, 64 KB here. Exiting explicitly, rather than letting the
 * event loop run dry, means a handle some library left open cannot keep the process alive.
 */
export function exitWhenFlushed(code: number): void {
  let pending = 0;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.writableLength === 0 || stream.destroyed) continue;
    pending++;
    stream.once("drain", done);
    stream.once("error", done);
    stream.once("close", done);
  }
  if (pending === 0) process.exit(code);
}
