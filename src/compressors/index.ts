import { diffCompressor } from "./diff.js";
import { jsonCompressor } from "./json/index.js";
import { logsCompressor } from "./logs/index.js";
import { searchCompressor } from "./search.js";
import { textCompressor } from "./text.js";
import type { Compressor } from "./types.js";

/**
 * Every compressor the router may pick, in order of preference when confidences tie.
 * Adding a compressor is adding a module and a line here. The text compressor must stay last:
 * it accepts anything.
 */
export const COMPRESSORS: readonly Compressor[] = [jsonCompressor, diffCompressor, searchCompressor, logsCompressor, textCompressor];
