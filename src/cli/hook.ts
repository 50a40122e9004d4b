import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import type { Config } from "../config.js";
import { TooLargeError } from "../engine/errors.js";
import { createLogger } from "../log.js";
import { planCompression, unwrapSingleField, type HookEvent, type Piece } from "../hook/plan.js";
import { loadHookSettings, settingsFiles } from "../hook/settings.js";
import { readStdin } from "./stdin.js";

/**
 * `headroom-mcp hook post-tool-use`: Claude Code runs it after each tool call with the event on
 * stdin. A large output comes back compressed (`updatedToolOutput` / `updatedMCPToolOutput`);
 * anything else — a small output, an unknown shape, any failure, running out of time — ends with
 * exit 0 and no output, and Claude Code keeps the original. The hook never breaks the tool.
 *
 * A pass-through loads neither the tokenizer nor the store: it is decided on characters alone.
 */
const DEADLINE_MS = 8000;

export async function hook(config: Config): Promise<number> {
  const logger = createLogger(config.logLevel);
  // below the 10 s Claude Code is told to wait: out of time, the original goes through
  setTimeout(() => {
    logger.warn(`the hook ran out of time (${DEADLINE_MS} ms): the output goes through unchanged`);
    process.exit(0);
  }, DEADLINE_MS).unref();
  try {
    const event = JSON.parse((await readEvent(config.maxInputBytes * 2)).toString("utf8")) as HookEvent & { cwd?: unknown };
    const projectDir = process.env.CLAUDE_PROJECT_DIR ?? (typeof event.cwd === "string" ? event.cwd : undefined);
    const settings = loadHookSettings(process.env, settingsFiles(projectDir, homedir()));
    const plan = planCompression(event, settings);
    if (!plan) return 0;
    const [{ withHeadroom }, { readTextFile }, { hookHeader }] = await Promise.all([import("./one-shot.js"), import("../engine/text-file.js"), import("../ccr/marker.js")]);
    await withHeadroom(config, async ({ engine }) => {
      const replacements: (string | undefined)[] = [];
      for (const piece of plan.pieces) {
        const read = await textOf(piece, (file) => readTextFile(file, config.maxInputBytes));
        const original = piece.unwrap ? unwrapSingleField(read) : read;
        const result = await engine.compress({ content: original, toolName: plan.toolName, maxTokens: settings.maxTokens });
        const replacement = result.hash
          ? `${hookHeader({ tool: plan.tool, hash: result.hash, originalChars: original.length, compressedChars: result.compressed.length })}\n${result.compressed}`
          : undefined;
        replacements.push(replacement !== undefined && replacement.length < original.length && replacement.length <= plan.maxChars ? replacement : undefined);
      }
      const answer = plan.answer(replacements);
      if (answer) process.stdout.write(JSON.stringify(answer));
      return 0;
    });
  } catch (error) {
    logger.warn("the hook could not compress this output; it goes through unchanged", error);
  }
  return 0;
}

function textOf(piece: Piece, read: (file: string) => Promise<string>): Promise<string> {
  return "text" in piece ? Promise.resolve(piece.text) : read(piece.file);
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
