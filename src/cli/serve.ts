import type { Config } from "../config.js";
import { createLogger, type Logger } from "../log.js";

/**
 * `headroom-mcp` (stdio) and `headroom-mcp --http`: starts the server and owns the process's life.
 * A stdio server lives exactly as long as its host: it stops on stdin's end, a broken stdout,
 * SIGINT/SIGTERM/SIGHUP, or its parent process going away, and is gone within two seconds even if
 * closing the store hangs. An HTTP server lets requests in flight finish first.
 */
const STDIO_EXIT_DEADLINE_MS = 1500;
const HTTP_EXIT_DEADLINE_MS = 12_000;
const PARENT_CHECK_MS = 500;

export async function serve(config: Config, version: string): Promise<void> {
  const logger = createLogger(config.logLevel);
  const deadline = config.http ? HTTP_EXIT_DEADLINE_MS : STDIO_EXIT_DEADLINE_MS;
  let running: { close(): Promise<void> } | undefined;
  let stopping = false;
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`stopping: ${why}`);
    setTimeout(() => process.exit(0), deadline).unref();
    void Promise.resolve(running?.close())
      .catch((error: unknown) => logger.error("error while closing the store", error))
      .finally(() => process.exit(0));
  };

  // One bad request must not take the server down: log and carry on. On stdio a broken pipe
  // means the host is gone, and logging about it would only fail again. (Over HTTP it is one
  // client's socket: log it and carry on.)
  process.on("uncaughtException", (error) => (!config.http && isBrokenPipe(error) ? stop("the host closed the connection") : logger.error("uncaught exception", error)));
  process.on("unhandledRejection", (reason) => logger.error("unhandled rejection", reason));
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => stop(signal));

  if (config.http) {
    const { serveHttp } = await import("../server/http.js");
    running = await serveHttp(config, { ...config.http, maxBodyBytes: config.maxInputBytes + 1024 * 1024 }, logger, version);
  } else {
    watchHost(stop, logger);
    const { serveStdio } = await import("../server/stdio.js");
    running = await serveStdio(config, logger, version);
  }
}

function watchHost(stop: (why: string) => void, logger: Logger): void {
  process.stdin.on("end", () => stop("stdin closed"));
  process.stdin.on("close", () => stop("stdin closed"));
  process.stdin.on("error", (error) => stop(`stdin failed (${error.message})`));
  process.stdout.on("error", (error) => stop(`stdout failed (${(error as NodeJS.ErrnoException).code ?? error.message})`));
  // a host that dies without closing our stdin (another process holds it) still leaves us orphaned
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop(`the host process (pid ${parent}) exited`);
  }, PARENT_CHECK_MS).unref();
  logger.debug(`watching the host: stdin, stdout and parent pid ${parent}`);
}

function isBrokenPipe(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "EPIPE" || code === "ERR_STREAM_DESTROYED";
}
