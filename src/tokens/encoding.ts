import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../paths.js";
import { RankTable } from "./rank-table.js";

/**
 * The o200k_base encoding as data: its pre-tokenising pattern and its rank table, plus an exact
 * BPE count of one piece. The ranks come from js-tiktoken's data module, packed at build time
 * into dist/tokens/ (see rank-table.ts: a fresh process — a hook, a CLI call — loads it in about
 * 10 ms instead of 200); without the packed file they are read from js-tiktoken directly.
 * js-tiktoken's own `Tiktoken` class is not used on the hot path: building it blocks the event
 * loop for ~0.6 s, and its merge loop is quadratic with string joins; long pieces merge here
 * through a heap.
 */
export interface Encoding {
  /** o200k's pre-tokenising regex (global, unicode, sticky). */
  readonly pattern: RegExp;
  readonly ranks: RankTable;
}

export const ENCODING_NAME = "o200k_base";

interface PackedHeader {
  encoding: string;
  tokens: number;
  pattern: string;
}

export function packedEncodingFile(): string {
  return join(packageRoot(), "dist", "tokens", `${ENCODING_NAME}.ranks`);
}

export async function loadEncoding(): Promise<Encoding> {
  const packed = readPackedEncoding();
  if (packed) return packed;
  const { pattern, table } = await encodingFromTiktoken();
  return { pattern: new RegExp(pattern, "guy"), ranks: table };
}

/** js-tiktoken's data: the source of truth (and what the build packs). */
export async function encodingFromTiktoken(): Promise<{ pattern: string; table: RankTable }> {
  const data = (await import("js-tiktoken/ranks/o200k_base")).default as { pat_str: string; bpe_ranks: string };
  return { pattern: data.pat_str, table: RankTable.fromTiktoken(data.bpe_ranks) };
}

/** The packed file: a JSON header line, then the table's bytes. */
export function packEncoding(pattern: string, table: RankTable, tokens: number): Buffer {
  const header: PackedHeader = { encoding: ENCODING_NAME, tokens, pattern };
  return Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`, "utf8"), table.toBytes()]);
}

/** The packed table; undefined when it is missing or damaged (js-tiktoken's data then serves). */
function readPackedEncoding(): Encoding | undefined {
  try {
    const bytes = readFileSync(packedEncodingFile());
    const newline = bytes.indexOf(10);
    const header = JSON.parse(bytes.subarray(0, newline).toString("utf8")) as PackedHeader;
    if (header.encoding !== ENCODING_NAME || !Number.isInteger(header.tokens) || header.tokens <= 0) return undefined;
    // the table checks that the lengths add up to the bytes that follow them
    return { pattern: new RegExp(header.pattern, "guy"), ranks: RankTable.fromBytes(bytes.subarray(newline + 1), header.tokens) };
  } catch {
    return undefined;
  }
}

/** The UTF-8 bytes of a piece as a byte string; ASCII pieces are returned as they are. */
export function byteString(piece: string): string {
  for (let i = 0; i < piece.length; i++) {
    if (piece.charCodeAt(i) > 0x7f) return Buffer.from(piece, "utf8").toString("latin1");
  }
  return piece;
}

/** Below this many bytes the plain scan is faster than keeping a heap. */
const HEAP_FROM_BYTES = 64;

/** How many tokens byte-pair encoding makes of one pre-tokenised piece (as a byte string). */
export function bpeCount(bytes: string, ranks: RankTable): number {
  if (bytes.length <= 1 || ranks.rank(bytes, 0, bytes.length) !== -1) return bytes.length === 0 ? 0 : 1;
  return bytes.length < HEAP_FROM_BYTES ? scanMerge(bytes, ranks) : heapMerge(bytes, ranks);
}

const NO_RANK = Number.MAX_SAFE_INTEGER;

/**
 * tiktoken's merge order: repeatedly merge the adjacent pair whose merged bytes have the lowest
 * rank, the leftmost one on ties, until no pair is in the table. O(n·merges).
 */
function scanMerge(bytes: string, ranks: RankTable): number {
  // starts[i] is where part i begins; part i ends where part i+1 begins
  const starts: number[] = [];
  for (let i = 0; i <= bytes.length; i++) starts.push(i);
  const pairRank = (i: number) => {
    if (i + 2 >= starts.length) return NO_RANK;
    const rank = ranks.rank(bytes, starts[i]!, starts[i + 2]!);
    return rank === -1 ? NO_RANK : rank;
  };
  const pairRanks: number[] = [];
  for (let i = 0; i < starts.length - 1; i++) pairRanks.push(pairRank(i));
  for (;;) {
    let best = -1;
    let bestRank = NO_RANK;
    for (let i = 0; i < pairRanks.length - 1; i++) {
      if (pairRanks[i]! < bestRank) {
        bestRank = pairRanks[i]!;
        best = i;
      }
    }
    if (best === -1) return starts.length - 1;
    starts.splice(best + 1, 1);
    pairRanks.splice(best + 1, 1);
    pairRanks[best] = pairRank(best);
    if (best > 0) pairRanks[best - 1] = pairRank(best - 1);
  }
}

/**
 * The same merge order for long pieces (a run of spaces, dashes or base64 letters can be a
 * megabyte): parts in a linked list, candidate pairs in a min-heap ordered by (rank, start), stale
 * candidates skipped when popped. O(n log n).
 */
function heapMerge(bytes: string, ranks: RankTable): number {
  const n = bytes.length;
  // parts are identified by their start offset; next[s] is the start of the following part (n at the end)
  const next = new Int32Array(n + 1);
  const prev = new Int32Array(n + 1);
  const alive = new Uint8Array(n + 1);
  for (let i = 0; i <= n; i++) {
    next[i] = i + 1;
    prev[i] = i - 1;
    alive[i] = 1;
  }
  const heap = new PairHeap();
  const push = (start: number) => {
    const mid = next[start]!;
    if (mid >= n) return;
    const rank = ranks.rank(bytes, start, next[mid]!);
    if (rank !== -1) heap.push(rank, start, next[mid]!);
  };
  for (let i = 0; i < n - 1; i++) push(i);
  let parts = n;
  while (heap.size > 0) {
    const { start, end } = heap.pop();
    const mid = next[start]!;
    // stale: the left part was merged away, or either part changed since the pair was pushed
    if (!alive[start] || mid >= n || next[mid] !== end) continue;
    alive[mid] = 0;
    next[start] = end;
    prev[end] = start;
    parts--;
    push(start);
    if (start > 0) push(prev[start]!);
  }
  return parts;
}

/** A binary min-heap of (rank, start, end) ordered by rank, then start. */
class PairHeap {
  private ranks: number[] = [];
  private starts: number[] = [];
  private ends: number[] = [];

  get size(): number {
    return this.ranks.length;
  }

  push(rank: number, start: number, end: number): void {
    let i = this.ranks.length;
    this.ranks.push(rank);
    this.starts.push(start);
    this.ends.push(end);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): { start: number; end: number } {
    const top = { start: this.starts[0]!, end: this.ends[0]! };
    const last = this.ranks.length - 1;
    this.swap(0, last);
    this.ranks.pop();
    this.starts.pop();
    this.ends.pop();
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < last && this.less(left, smallest)) smallest = left;
      if (right < last && this.less(right, smallest)) smallest = right;
      if (smallest === i) return top;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private less(a: number, b: number): boolean {
    return this.ranks[a]! < this.ranks[b]! || (this.ranks[a] === this.ranks[b] && this.starts[a]! < this.starts[b]!);
  }

  private swap(a: number, b: number): void {
    const rank = this.ranks[a]!;
    const start = this.starts[a]!;
    const end = this.ends[a]!;
    this.ranks[a] = this.ranks[b]!;
    this.starts[a] = this.starts[b]!;
    this.ends[a] = this.ends[b]!;
    this.ranks[b] = rank;
    this.starts[b] = start;
    this.ends[b] = end;
  }
}
