import { readFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
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
const FAILED_MAX_TOKENS = 2000;

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
    const plan = planCompression(event, settings, { claudeTemp: join(tmpdir(), `claude-${process.getuid?.() ?? 0}`) });
    if (!plan) return 0;
    const [{ withHeadroom }, { readTextFile }, { hookHeader }, { findTaskOutput }] = await Promise.all([
      import("./one-shot.js"),
      import("../engine/text-file.js"),
      import("../ccr/marker.js"),
      import("../hook/task-output.js"),
    ]);
    const textOf = async (piece: Piece): Promise<string> => {
      if ("text" in piece) return piece.text;
      const file = "file" in piece ? piece.file : await findTaskOutput(piece.taskOutput);
      const text = await readTextFile(file, config.maxInputBytes);
      return piece.unwrap ? unwrapSingleField(text) : text;
    };
    // next to the part of a failed command's output Claude Code shows anyway, a summary, not a screenful
    const maxTokens = plan.failed ? Math.min(settings.maxTokens ?? FAILED_MAX_TOKENS, FAILED_MAX_TOKENS) : settings.maxTokens;
    await withHeadroom(config, async ({ engine }) => {
      const replacements: (string | undefined)[] = [];
      for (const piece of plan.pieces) {
        const original = await textOf(piece);
        const result = await engine.compress({ content: original, toolName: plan.toolName, maxTokens });
        const replacement = result.hash
          ? `${hookHeader({ tool: plan.tool, hash: result.hash, originalChars: original.length, compressedChars: result.compressed.length, failed: plan.failed })}\n${result.compressed}`
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
