/**
 * Logging goes to stderr only: on stdio transports stdout carries the MCP protocol and a
 * single stray byte there breaks the host's connection.
 */
export type LogLevel = "silent" | "error" | "warn" | "info" | "debug";

const RANK: Record<LogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 };

export const LOG_LEVELS = Object.keys(RANK) as LogLevel[];

export interface Logger {
  error(message: string, detail?: unknown): void;
  warn(message: string, detail?: unknown): void;
  info(message: string, detail?: unknown): void;
  debug(message: string, detail?: unknown): void;
}

export function createLogger(level: LogLevel, write: (line: string) => void = stderrWriter()): Logger {
  const at = (wanted: Exclude<LogLevel, "silent">) => (message: string, detail?: unknown) => {
    if (RANK[level] < RANK[wanted]) return;
    const suffix = detail === undefined ? "" : ` ${describe(detail)}`;
    write(`[headroom-mcp] ${wanted}: ${message}${suffix}\n`);
  };
  return { error: at("error"), warn: at("warn"), info: at("info"), debug: at("debug") };
}

function describe(detail: unknown): string {
  if (detail instanceof Error) return detail.stack ?? detail.message;
  if (typeof detail === "string") return detail;
  try {
    return JSON.stringify(detail);
  } catch {
    return String(detail);
  }
}

/**
 * Writes to stderr until it fails, then drops lines. Once the host has gone, stderr is a broken
 * pipe: a logger that wrote anyway would raise EPIPE, whose report would raise it again. The
 * stream remembers its own failure (it is destroyed), so any number of loggers share one state.
 */
export function stderrWriter(): (line: string) => void {
  if (!process.stderr.listeners("error").includes(ignoreStderrError)) process.stderr.on("error", ignoreStderrError);
  return (line) => {
    if (process.stderr.destroyed || process.stderr.errored) return;
    try {
      process.stderr.write(line);
    } catch {
      // the next write sees the stream destroyed
    }
  };
}

function ignoreStderrError(): void {
  // handled by not writing again: see stderrWriter
}
