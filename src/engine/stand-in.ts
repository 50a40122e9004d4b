import { compressedHeader } from "../ccr/marker.js";
import type { Engine } from "./engine.js";

/** Outputs shorter than this many characters are left as they are (the hook's, the gateway's, the library's default). */
export const DEFAULT_MIN_CHARS = 6000;

export interface StandInRequest {
  /** The text the engine compresses (and the store keeps). */
  original: string;
  /** A hint for content detection: the tool and what it ran or read. */
  toolName: string;
  /** The tool's name as the model knows it, for the header. */
  tool: string;
  query?: string | undefined;
  maxTokens?: number | undefined;
  noun?: "output" | "result" | undefined;
  failed?: boolean | undefined;
  /** The stand-in must be shorter than this many characters. */
  limit: number;
}

/**
 * A tool's output compressed to take its place in what the model reads (the hook's answer, a
 * forwarded or wrapped tool result): a header line naming the tool and the handle, then the
 * compressed text. Undefined when there is nothing to put in its place: the engine passed it
 * through (too small, nothing saved, no store), or the stand-in would be no shorter than `limit`.
 */
export async function compressedStandIn(engine: Pick<Engine, "compress">, request: StandInRequest): Promise<string | undefined> {
  const { original, toolName, tool, query, maxTokens, noun, failed, limit } = request;
  const result = await engine.compress({ content: original, toolName, query, maxTokens });
  if (!result.hash) return undefined;
  const header = compressedHeader({ tool, hash: result.hash, originalChars: original.length, compressedChars: result.compressed.length, noun, failed });
  const text = `${header}\n${result.compressed}`;
  return text.length < limit ? text : undefined;
}
