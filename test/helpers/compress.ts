import type { Compressor, CompressorOutput } from "../../src/compressors/types.js";
import { createSample } from "../../src/router/sample.js";
import type { TokenCounter } from "../../src/tokens/counter.js";

export const TEST_HASH = "0123456789abcdef01234567";

/** Runs one compressor the way the engine does, with the engine's default budget unless given. */
export function runCompressor(compressor: Compressor, tokens: TokenCounter, text: string, options: { query?: string; budget?: number } = {}): CompressorOutput {
  const originalTokens = tokens.measure(text).tokens;
  const output = compressor.compress({
    sample: createSample(text, undefined),
    hash: TEST_HASH,
    query: options.query,
    budgetTokens: options.budget ?? Math.min(4000, Math.max(1000, Math.round(originalTokens * 0.15))),
    originalTokens,
    countTokens: (s) => tokens.measure(s).tokens,
  });
  if (!output) throw new Error(`${compressor.name} declined`);
  return output;
}

/** Omitted counts of all line markers of an output, summed. */
export function omittedTotal(output: CompressorOutput): number {
  return output.omitted.reduce((sum, o) => sum + o.omitted, 0);
}
