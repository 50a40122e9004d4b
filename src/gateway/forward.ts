import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Engine } from "../engine/engine.js";
import { compressedStandIn, DEFAULT_MIN_CHARS } from "../engine/stand-in.js";
import type { Logger } from "../log.js";
import { unwrapSingleField } from "../unwrap.js";

/**
 * Another tool's result → the same result with its long text blocks compressed. Pure over an
 * engine: no transport, so the gateway and the library wrapper share it.
 */
export interface ForwardSettings {
  /** Text blocks shorter than this many characters pass untouched (default DEFAULT_MIN_CHARS, as the Claude Code hook). */
  minChars?: number | undefined;
  /** Token budget of each compressed block; undefined: the engine's default (15%, 1,000–4,000). */
  maxTokens?: number | undefined;
  /** What the model is looking for: kept in preference when lines or items are dropped. */
  query?: string | undefined;
  /** Every result passes verbatim. */
  off?: boolean | undefined;
}

export { DEFAULT_MIN_CHARS };

export interface Forwarded {
  result: CallToolResult;
  /** Some text block was compressed (and `structuredContent`, if there was one, dropped). */
  compressed: boolean;
}

/**
 * Rules, in order: an error or `off` passes verbatim; each text block of at least `minChars`
 * is compressed on its own, under a header naming the tool and the handle; other blocks (image,
 * audio, resources) stay. A text that is only `{"field": "…"}` is compressed as that string
 * (see unwrap.ts), and the original kept is that string. A block whose replacement would not
 * be shorter stays as it was.
 *
 * `structuredContent` cannot be compressed into something its output schema still accepts, and
 * a client that reads it would never see the compressed text: when a block was compressed it is
 * dropped, and whoever exposes the tool must do so without its output schema.
 *
 * Any failure of the engine returns the original result: compression is never worth a broken call.
 */
export async function compressCallResult(
  engine: Pick<Engine, "compress">,
  toolName: string,
  result: CallToolResult,
  settings: ForwardSettings = {},
  logger?: Logger,
): Promise<Forwarded> {
  const unchanged = { result, compressed: false };
  if (settings.off || result.isError || !Array.isArray(result.content)) return unchanged;
  const minChars = settings.minChars ?? DEFAULT_MIN_CHARS;
  let content: CallToolResult["content"] | undefined;
  try {
    for (const [index, block] of result.content.entries()) {
      if (block.type !== "text" || block.text.length < minChars) continue;
      const original = unwrapSingleField(block.text);
      const text = await compressedStandIn(engine, { original, toolName, tool: toolName, query: settings.query, maxTokens: settings.maxTokens, noun: "result", limit: block.text.length });
      if (text === undefined) continue;
      content ??= result.content.slice();
      content[index] = { ...block, text };
    }
  } catch (error) {
    logger?.warn(`could not compress the result of ${toolName}; passing it on unchanged`, error);
    return unchanged;
  }
  if (!content) return unchanged;
  const { structuredContent: _dropped, ...rest } = result;
  return { result: { ...rest, content }, compressed: true };
}
