import type { Tiktoken } from "js-tiktoken/lite";

/**
 * The one token counter (o200k_base, the encoding of current GPT models; Claude has no public
 * tokenizer, so every figure is a proxy and ratios are what matter).
 *
 * Loading the BPE ranks costs ~0.5 s, so it happens off the start-up path: `warmUp()` is called
 * once the server is listening, and the first count waits for it if it has not finished.
 * Exact encoding runs at ~5 MB/s, too slow for multi-megabyte inputs, so long texts get a
 * sampled estimate (evenly spaced slices, extrapolated by characters) flagged `estimated`.
 */
export interface TokenCount {
  tokens: number;
  estimated: boolean;
}

/** Texts up to this many UTF-16 units are counted exactly. */
export const EXACT_COUNT_LIMIT = 48 * 1024;
const SAMPLE_SLICES = 32;
const SAMPLE_SLICE_CHARS = 768;

export class TokenCounter {
  private encoder: Tiktoken | undefined;
  private loading: Promise<Tiktoken> | undefined;

  /** Starts loading the encoding; safe to call many times. */
  warmUp(): Promise<void> {
    return this.load().then(() => undefined);
  }

  get isLoaded(): boolean {
    return this.encoder !== undefined;
  }

  async count(text: string): Promise<TokenCount> {
    if (!this.encoder) await this.load();
    return this.measure(text);
  }

  /** Synchronous count; only after the encoding has loaded (after `count` or `warmUp` resolved). */
  measure(text: string): TokenCount {
    const encoder = this.encoder;
    if (!encoder) throw new Error("TokenCounter.measure called before the encoding loaded");
    if (text.length <= EXACT_COUNT_LIMIT) return { tokens: encodeLength(encoder, text), estimated: false };
    return { tokens: estimate(encoder, text), estimated: true };
  }

  async countExact(text: string): Promise<number> {
    const encoder = this.encoder ?? (await this.load());
    return encodeLength(encoder, text);
  }

  private load(): Promise<Tiktoken> {
    this.loading ??= (async () => {
      const [{ Tiktoken }, ranks] = await Promise.all([
        import("js-tiktoken/lite"),
        import("js-tiktoken/ranks/o200k_base"),
      ]);
      this.encoder = new Tiktoken(ranks.default);
      return this.encoder;
    })();
    return this.loading;
  }
}

/**
 * BPE merging is quadratic in the length of one pre-tokenised piece, and a piece can be long:
 * a run of spaces, of punctuation, or a word without case changes (hex, base64 of one case).
 * Such runs are counted in 64-character chunks, which costs at most a token per chunk in
 * accuracy and keeps a 1 MB run from taking minutes.
 */
const LONG_SPACE_RUN = 96;
const LONG_WORD_RUN = 160;
const RUN_CHUNK = 64;

function encodeLength(encoder: Tiktoken, text: string): number {
  let tokens = 0;
  let flushed = 0;
  let runStart = 0;
  let runIsSpace = false;
  // one linear scan for runs of whitespace or of non-whitespace that are too long for BPE
  for (let i = 0; i <= text.length; i++) {
    const isSpace = i < text.length && isWhitespace(text.charCodeAt(i));
    if (i < text.length && isSpace === runIsSpace) continue;
    const runLength = i - runStart;
    if (runLength >= (runIsSpace ? LONG_SPACE_RUN : LONG_WORD_RUN)) {
      if (runStart > flushed) tokens += encoder.encode(text.slice(flushed, runStart)).length;
      for (let j = runStart; j < i; j += RUN_CHUNK) tokens += encoder.encode(text.slice(j, Math.min(i, j + RUN_CHUNK))).length;
      flushed = i;
    }
    runStart = i;
    runIsSpace = isSpace;
  }
  if (flushed < text.length) tokens += encoder.encode(flushed === 0 ? text : text.slice(flushed)).length;
  return tokens;
}

function isWhitespace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13 || c === 12 || c === 11;
}

/**
 * Tokenises SAMPLE_SLICES evenly spaced slices, each cut at whitespace so no token is split
 * artificially, and scales the tokens-per-character ratio to the whole text.
 */
function estimate(encoder: Tiktoken, text: string): number {
  const stride = text.length / SAMPLE_SLICES;
  let sampledChars = 0;
  let sampledTokens = 0;
  for (let i = 0; i < SAMPLE_SLICES; i++) {
    const nominal = Math.floor(i * stride + (stride - SAMPLE_SLICE_CHARS) / 2);
    const start = snapToBoundary(text, Math.max(0, nominal));
    const end = snapToBoundary(text, Math.min(text.length, start + SAMPLE_SLICE_CHARS));
    if (end <= start) continue;
    sampledChars += end - start;
    sampledTokens += encodeLength(encoder, text.slice(start, end));
  }
  if (sampledChars === 0) return encodeLength(encoder, text);
  return Math.round((sampledTokens / sampledChars) * text.length);
}

const BOUNDARY_SEARCH = 48;

function snapToBoundary(text: string, index: number): number {
  if (index <= 0 || index >= text.length) return Math.max(0, Math.min(index, text.length));
  for (let j = index; j < Math.min(text.length, index + BOUNDARY_SEARCH); j++) {
    const c = text.charCodeAt(j);
    // space, newline, tab, comma: places where BPE merges rarely cross
    if (c === 32 || c === 10 || c === 9 || c === 44) return j;
  }
  return index;
}
