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
    if (stream.destroyed || !stream.writable) continue;
    pending++;
    // the callback of a write runs once everything written before it has gone out ('drain' only
    // comes after a write that filled the buffer, so waiting for it could wait forever)
    stream.write("", done);
  }
  if (pending === 0) process.exit(code);
  // a reader that went away must not keep the process alive
  setTimeout(() => process.exit(code), FLUSH_TIMEOUT_MS).unref();
}

const FLUSH_TIMEOUT_MS = 2000;
