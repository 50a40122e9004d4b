import { bpeCount, byteString, loadEncoding, type Encoding } from "./encoding.js";
import type { RankTable } from "./rank-table.js";
import { PieceCache } from "./piece-cache.js";
import { asciiPieceEnd, NEEDS_REGEX } from "./pieces.js";

/**
 * The one token counter (o200k_base, the encoding of current GPT models; Claude has no public
 * tokenizer, so every figure is a proxy and ratios are what matter).
 *
 * Counts are exact: o200k's pattern splits the text into pieces and each piece is encoded on its
 * own, so the sum of per-piece counts is the count of the whole. Pieces and whole lines repeat a
 * lot (keys, words, indentation), so bounded caches make a count mostly a scan of the text and
 * look-ups. Only texts over EXACT_COUNT_LIMIT get a sampled estimate, flagged `estimated`.
 *
 * The encoding loads on first use (about 10 ms from the table packed at build time), so a server
 * answers `initialize` and `tools/list` first; the first count waits for it.
 */
export interface TokenCount {
  tokens: number;
  estimated: boolean;
}

/** Texts up to this many UTF-16 units (4 MiB) are counted exactly. */
export const EXACT_COUNT_LIMIT = 4 * 1024 * 1024;
const SAMPLE_SLICES = 64;
const SAMPLE_SLICE_CHARS = 2048;

/** Pieces longer than this are counted in chunks of RUN_CHUNK_CHARS (at most a token off per chunk). */
const EXACT_PIECE_MAX_CHARS = 32 * 1024;
const RUN_CHUNK_CHARS = 1024;
/** Lines are remembered up to this length; longer ones rarely repeat. */
const CACHED_LINE_MAX_CHARS = 256;
/** After this many lines, a text whose lines repeated less than this often is counted in one pass. */
const LINE_CACHE_TRIAL = 2000;
const LINE_CACHE_MIN_HIT_RATE = 0.1;
/** Longer pieces are rare and unlikely to repeat; caching them would only cost memory. */
const CACHED_PIECE_MAX_CHARS = 48;

export class TokenCounter {
  private encoding: Encoding | undefined;
  private loading: Promise<Encoding> | undefined;
  private readonly pieces = new PieceCache(1 << 18);
  private readonly lines = new PieceCache(1 << 17);
  /** Chunks of very long pieces: merged as one piece, so never mixed with line counts. */
  private readonly runChunks = new PieceCache(1 << 10);
  /** How many pieces were too long to merge exactly (see `countPieces`). */
  private approximations = 0;

  /** Starts loading the encoding; safe to call many times. */
  warmUp(): Promise<void> {
    return this.load().then(() => undefined);
  }

  get isLoaded(): boolean {
    return this.encoding !== undefined;
  }

  async count(text: string): Promise<TokenCount> {
    if (!this.encoding) await this.load();
    return this.measure(text);
  }

  /** Synchronous count; only after the encoding has loaded (after `count` or `warmUp` resolved). */
  measure(text: string): TokenCount {
    if (text.length > EXACT_COUNT_LIMIT) return { tokens: this.estimate(text), estimated: true };
    const approximations = this.approximations;
    const tokens = this.exact(text);
    return { tokens, estimated: this.approximations !== approximations };
  }

  /** The count without sampling, whatever the length. */
  async countExact(text: string): Promise<number> {
    if (!this.encoding) await this.load();
    return this.exact(text);
  }

  private load(): Promise<Encoding> {
    this.loading ??= loadEncoding().then((encoding) => (this.encoding = encoding));
    return this.loading;
  }

  /**
   * Counts line by line where a line is sure to start a piece (see `startsPiece`), and remembers
   * short lines: JSON and YAML outputs repeat whole lines (`"restartPolicy": "Always",`) far more
   * than logs do. A text whose lines do not repeat is soon counted in one pass instead.
   */
  private exact(text: string): number {
    const n = text.length;
    let tokens = 0;
    let start = 0;
    let chunks = 0;
    let hits = 0;
    while (start < n) {
      if (chunks === LINE_CACHE_TRIAL && hits < chunks * LINE_CACHE_MIN_HIT_RATE) break;
      let end = start;
      do {
        const newline = text.indexOf("\n", end);
        end = newline === -1 ? n : newline + 1;
      } while (end < n && !startsPiece(text, end));
      chunks++;
      if (end - start > CACHED_LINE_MAX_CHARS) {
        tokens += this.countPieces(text.slice(start, end));
      } else {
        let count = this.lines.get(text, start, end);
        if (count >= 0) {
          hits++;
        } else {
          const line = text.slice(start, end);
          count = this.countPieces(line);
          this.lines.set(line, count);
        }
        tokens += count;
      }
      start = end;
    }
    return start < n ? tokens + this.countPieces(start === 0 ? text : text.slice(start)) : tokens;
  }

  /** The count of a whole text, piece by piece. */
  private countPieces(text: string): number {
    const encoding = this.encoding;
    if (!encoding) throw new Error("TokenCounter.measure called before the encoding loaded");
    const { pattern, ranks } = encoding;
    let tokens = 0;
    let start = 0;
    while (start < text.length) {
      let end = asciiPieceEnd(text, start);
      if (end === NEEDS_REGEX) {
        // sticky: the pattern matches at `start` or not at all; `test` builds no match array
        pattern.lastIndex = start;
        if (!pattern.test(text) || pattern.lastIndex === start) {
          // text no alternative matches is skipped, as tiktoken does (o200k's pattern covers every character)
          start++;
          continue;
        }
        end = pattern.lastIndex;
      }
      if (end - start <= CACHED_PIECE_MAX_CHARS) {
        tokens += this.cachedBpeCount(this.pieces, text, start, end, ranks);
      } else if (end - start <= EXACT_PIECE_MAX_CHARS) {
        tokens += bpeCount(byteString(text.slice(start, end)), ranks);
      } else {
        // a run of one character class this long (a blob without a digit or a space) costs ~2 µs a
        // byte to merge exactly; it is counted in chunks instead, and the count says it is estimated
        // (runs of one character, like a megabyte of spaces, repeat their chunks: those are remembered)
        for (let chunk = start; chunk < end; chunk += RUN_CHUNK_CHARS) tokens += this.cachedBpeCount(this.runChunks, text, chunk, Math.min(end, chunk + RUN_CHUNK_CHARS), ranks);
        this.approximations++;
      }
      start = end;
    }
    return tokens;
  }

  /** The byte-pair count of text[start, end) as one piece, through a cache. */
  private cachedBpeCount(cache: PieceCache, text: string, start: number, end: number, ranks: RankTable): number {
    let count = cache.get(text, start, end);
    if (count < 0) {
      const piece = text.slice(start, end);
      count = bpeCount(byteString(piece), ranks);
      cache.set(piece, count);
    }
    return count;
  }

  /**
   * A sampled estimate (deterministic, within ~1%): counts SAMPLE_SLICES evenly spaced slices exactly, each cut at whitespace so no token is split
   * artificially, and scales the tokens-per-character ratio to the whole text.
   */
  private estimate(text: string): number {
    const stride = text.length / SAMPLE_SLICES;
    let sampledChars = 0;
    let sampledTokens = 0;
    for (let i = 0; i < SAMPLE_SLICES; i++) {
      const nominal = Math.floor(i * stride + (stride - SAMPLE_SLICE_CHARS) / 2);
      const start = snapToBoundary(text, Math.max(0, nominal));
      const end = snapToBoundary(text, Math.min(text.length, start + SAMPLE_SLICE_CHARS));
      if (end <= start) continue;
      sampledChars += end - start;
      sampledTokens += this.exact(text.slice(start, end));
    }
    if (sampledChars === 0) return this.exact(text);
    return Math.round((sampledTokens / sampledChars) * text.length);
  }
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

/**
 * Whether o200k's pattern must start a piece at `index`, whatever came before: right after a
 * newline, when the line goes on (after any spaces or tabs) with an ASCII character that is not
 * whitespace, or with anything but "/" at once. A piece never runs across such a point: a run of
 * whitespace ends after its last newline, punctuation takes trailing newlines and slashes only,
 * and words and numbers hold no newline. So lines between such points count on their own.
 */
function startsPiece(text: string, index: number): boolean {
  if (text.charCodeAt(index - 1) !== 10) return false;
  let i = index;
  let c = text.charCodeAt(i);
  while (c === 32 || c === 9) c = text.charCodeAt(++i);
  if (i >= text.length) return true;
  if (c >= 128 || c === 10 || c === 13 || c === 11 || c === 12) return false;
  return i > index || c !== 47;
}
