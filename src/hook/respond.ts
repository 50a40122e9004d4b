import { realpath } from "node:fs/promises";
import { withHeadroom } from "../cli/one-shot.js";
import type { Config } from "../config.js";
import { InputError } from "../engine/errors.js";
import { compressedStandIn } from "../engine/stand-in.js";
import { readTextFile } from "../engine/text-file.js";
import { isInside } from "../folders.js";
import { unwrapSingleField } from "../unwrap.js";
import type { Piece, Plan } from "./plan.js";
import type { HookSettings } from "./settings.js";
import { findTaskOutput } from "./task-output.js";

/** A failed command's output goes next to the part Claude Code shows anyway: a summary, not a screenful. */
const FAILED_MAX_TOKENS = 2000;

/**
 * The part of the hook that loads the engine, the tokenizer and the store: only for an event the
 * plan says to compress. Writes the answer for Claude Code on stdout, or nothing.
 */
export async function respond(config: Config, plan: Plan, settings: HookSettings): Promise<void> {
  const textOf = async (piece: Piece): Promise<string> => {
    if ("text" in piece) return piece.text;
    const file = "file" in piece ? await confined(piece.file, piece.within) : await findTaskOutput(piece.taskOutput);
    const text = await readTextFile(file, config.maxInputBytes);
    return piece.unwrap ? unwrapSingleField(text) : text;
  };
  const maxTokens = plan.failed ? Math.min(settings.maxTokens ?? FAILED_MAX_TOKENS, FAILED_MAX_TOKENS) : settings.maxTokens;
  await withHeadroom(config, async ({ engine }) => {
    const replacements: (string | undefined)[] = [];
    for (const piece of plan.pieces) {
      const original = await textOf(piece);
      // shorter than the output, and short enough for Claude Code to show it inline
      const limit = Math.min(original.length, plan.maxChars + 1);
      replacements.push(await compressedStandIn(engine, { original, toolName: plan.toolName, tool: plan.tool, maxTokens, failed: plan.failed, limit }));
    }
    const answer = plan.answer(replacements);
    if (answer) process.stdout.write(JSON.stringify(answer));
    return 0;
  });
}

/** The file, if it is still inside `folder` once links are resolved (a link there could point anywhere). */
async function confined(file: string, folder: string): Promise<string> {
  const [real, realFolder] = await Promise.all([realpath(file), realpath(folder)]);
  if (!isInside(real, realFolder)) throw new InputError(`${file} leads outside ${folder}`);
  return real;
}
