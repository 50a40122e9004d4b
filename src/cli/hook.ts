import { readFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import type { Config } from "../config.js";
import { TooLargeError } from "../engine/errors.js";
import { createLogger } from "../log.js";
import { planCompression, type HookEvent } from "../hook/plan.js";
import type { respond } from "../hook/respond.js";
import { loadHookSettings, settingsFiles } from "../hook/settings.js";
import { readStdin } from "./stdin.js";

/**
 * `headroom-mcp hook post-tool-use`: Claude Code runs it after each tool call with the event on
 * stdin. A large output comes back compressed (`updatedToolOutput` / `updatedMCPToolOutput`, or
 * added context for a failed command); anything else — a small output, an unknown shape, any
 * failure, running out of time — ends with exit 0 and no output, and Claude Code keeps the
 * original. The hook never breaks the tool.
 *
 * A pass-through is decided on characters alone, without the engine: `loadResponder` brings in
 * the engine, tokenizer and store only for an output to compress. (The caller says how to load
 * it: the ESM command imports its chunk; the CommonJS front, dist/bin/hook.cjs, imports the
 * bundled ESM entry by path.)
 */
const DEADLINE_MS = 8000;

export type Responder = { respond: typeof respond };

export async function hook(config: Config, loadResponder: () => Promise<Responder>): Promise<number> {
  const logger = createLogger(config.logLevel);
  // below the 10 s Claude Code is told to wait: out of time, the original goes through
  setTimeout(() => {
    logger.warn(`the hook ran out of time (${DEADLINE_MS} ms): the output goes through unchanged`);
    process.exit(0);
  }, DEADLINE_MS).unref();
  try {
    const event = JSON.parse((await readEvent(config.maxInputBytes * 2)).toString("utf8")) as HookEvent;
    const projectDir = process.env.CLAUDE_PROJECT_DIR ?? (typeof event.cwd === "string" ? event.cwd : undefined);
    const settings = loadHookSettings(process.env, settingsFiles(projectDir, homedir(), process.env));
    const plan = planCompression(event, settings, { claudeTemp: join(tmpdir(), `claude-${process.getuid?.() ?? 0}`) });
    if (!plan) return 0;
    await (await loadResponder()).respond(config, plan, settings);
  } catch (error) {
    logger.warn("the hook could not compress this output; it goes through unchanged", error);
  }
  return 0;
}

/**
 * The event, read with one blocking read of fd 0 when it can be: a hook's life is a few dozen
 * milliseconds, and setting up process.stdin (streams, a tty or net socket) is a good share of
 * them. A non-blocking stdin (EAGAIN) is read as a stream.
 */
async function readEvent(maxBytes: number): Promise<Buffer> {
  try {
    const bytes = readFileSync(0);
    if (bytes.length > maxBytes) throw new TooLargeError(bytes.length, maxBytes);
    return bytes;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw error;
    return readStdin(maxBytes);
  }
}
