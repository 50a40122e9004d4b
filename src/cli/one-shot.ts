import { groupDigits } from "../ccr/marker.js";
import type { Config } from "../config.js";
import type { CompressResult } from "../engine/engine.js";
import { HeadroomError } from "../engine/errors.js";
import { headroomFromConfig, type Headroom } from "../headroom.js";
import { createLogger, type Logger } from "../log.js";

/**
 * The life of a one-shot command (compress, retrieve, stats, run, hook): open the engine on the
 * configured store, do one thing, flush and close. Typed errors become their exit code and a
 * one-line message; anything else is an internal error (exit 1).
 */
export async function withHeadroom(config: Config, work: (headroom: Headroom, logger: Logger) => Promise<number>): Promise<number> {
  const logger = createLogger(config.logLevel);
  const headroom = headroomFromConfig(config, logger, { sweepAtStart: false, oneShot: true });
  try {
    return await work(headroom, logger);
  } catch (error) {
    process.stderr.write(`headroom-mcp: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitCodeOf(error);
  } finally {
    await headroom.close().catch((error: unknown) => logger.warn("could not close the store cleanly", error));
  }
}

/** 2: the input or arguments were unusable; 3: no such original; 1: anything else. */
export function exitCodeOf(error: unknown): number {
  if (!(error instanceof HeadroomError)) return 1;
  if (error.code === "unknown_hash" || error.code === "expired_hash") return 3;
  if (error.code === "invalid_input" || error.code === "too_large") return 2;
  return 1;
}

/** A status line on stderr, only when a person watches it (a terminal), rewritten in place. */
export function progressLine(): { show(text: string): void; clear(): void } {
  const tty = process.stderr.isTTY === true;
  let shown = false;
  return {
    show(text) {
      if (!tty) return;
      process.stderr.write(`\r\x1b[2K${text}`);
      shown = true;
    },
    clear() {
      if (shown) process.stderr.write("\r\x1b[2K");
      shown = false;
    },
  };
}

/** What stdout gets: a compressed result ends its last line; an original passed through is printed as it is. */
export function printable(result: CompressResult): string {
  return result.compressor !== "none" && !result.compressed.endsWith("\n") ? `${result.compressed}\n` : result.compressed;
}

/** One line for a person: the token counts, and the command that gets the original back. */
export function summaryLine(result: CompressResult): string {
  const counts = `${groupDigits(result.original_tokens)} → ${groupDigits(result.compressed_tokens)} tokens`;
  if (!result.hash) return `headroom: ${counts}, unchanged (${result.note ?? result.route})`;
  const saved = Math.round((1 - result.compressed_tokens / result.original_tokens) * 100);
  return `headroom: ${counts} (${saved}% saved), ${result.content_type}; the original: headroom-mcp retrieve ${result.hash}`;
}
