import { createCodeCompressor } from "./code/index.js";
import { diffCompressor } from "./diff.js";
import { jsonCompressor } from "./json/index.js";
import { logsCompressor } from "./logs/index.js";
import { searchCompressor } from "./search.js";
import { textCompressor } from "./text.js";
import type { Compressor } from "./types.js";

/**
 * Every compressor the router may pick, in order of preference when confidences tie. Adding a
 * compressor is adding a module and a line here. The text compressor must stay last: it accepts
 * anything. A new list per engine, because the code compressor holds its loaded grammars.
 */
export function createCompressors(): Compressor[] {
  return [jsonCompressor, diffCompressor, searchCompressor, logsCompressor, createCodeCompressor(), textCompressor];
}
