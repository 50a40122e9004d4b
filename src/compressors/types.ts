/**
 * The one interface every compressor implements. A compressor is plain logic: it receives the
 * original text (and parsed JSON when the router already has it), a token budget and a token
 * counter, and returns text plus a record of everything it left out. It never touches the store,
 * the network or MCP; the engine does that.
 */
export type ContentType = "json" | "diff" | "search" | "logs" | "code" | "text";

export const CONTENT_TYPES: readonly ContentType[] = ["json", "diff", "search", "logs", "code", "text"];

export interface ContentSample {
  readonly text: string;
  /** Parsed JSON, or undefined when the text is not JSON. Memoised: parsed at most once. */
  json(): { value: unknown } | undefined;
  readonly toolName?: string | undefined;
}

export interface CompressionJob {
  readonly sample: ContentSample;
  /** Handle of the original; every marker the compressor writes names it. */
  readonly hash: string;
  readonly query?: string | undefined;
  /** Target size of the result in tokens. */
  readonly budgetTokens: number;
  /** Token count of the original (possibly a sampled estimate). */
  readonly originalTokens: number;
  /** Synchronous token counter (exact for short texts, sampled estimate for long ones). */
  readonly countTokens: (text: string) => number;
}

/** What a lossy step left out; mirrors the marker in the text. */
export interface OmissionRecord {
  where: string;
  unit: string;
  omitted: number;
  total: number;
  categories: Record<string, number>;
}

export interface CompressorOutput {
  text: string;
  /** Empty when the rendering is lossless. */
  omitted: OmissionRecord[];
  /** What the compressor recognised in more detail (the programming language, for code). */
  language?: string;
}

export interface Declined {
  declined: string;
}

/** Units a compressor can find again in an original by name (code symbols). */
export interface SymbolLookup {
  matches: Array<{ name: string; startLine: number; endLine: number; text: string }>;
  /** Every symbol of the original, for a name that matched nothing. */
  symbols: string[];
}

export interface Compressor {
  readonly name: string;
  readonly contentType: ContentType;
  /** Confidence 0..1 that this compressor understands the sample; 0 means no. */
  detect(sample: ContentSample): number;
  /**
   * Returns null, or a `Declined` saying why, when the content turns out not to fit this
   * compressor (the router moves on; the reason shows in the result's `route`).
   */
  compress(job: CompressionJob): CompressorOutput | Declined | null | Promise<CompressorOutput | Declined | null>;
  /** Finds named units (symbols) of an original this compressor produced; undefined if the query is not a name. */
  lookup?(original: string, query: string, language: string | undefined): Promise<SymbolLookup | undefined>;
}
