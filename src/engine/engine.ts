import { contentHash, HASH_PATTERN } from "../ccr/hash.js";
import { splitLines } from "../compressors/lines.js";
import { DEFAULT_MATCH_LIMIT, DEFAULT_PAGE_TOKENS, MAX_PAGE_TOKENS, pageEnd, pageOf, pageStarts, queryOriginal, type Match, type Measure, type Page } from "../ccr/retrieve.js";
import type { CcrStore, StoreInfo } from "../ccr/store.js";
import { createCompressors } from "../compressors/index.js";
import type { Compressor, ContentType, OmissionRecord } from "../compressors/types.js";
import type { Logger } from "../log.js";
import { routeCandidates } from "../router/router.js";
import { createSample } from "../router/sample.js";
import type { StatsRecorder, Totals } from "../stats/stats.js";
import { EXACT_COUNT_LIMIT, type TokenCounter } from "../tokens/counter.js";
import { HeadroomError, InputError, StoreUnavailableError, TooLargeError } from "./errors.js";

/**
 * The engine: compress, retrieve, stats. It knows nothing of MCP; the tools are thin adapters
 * over it, so a CLI or a library user gets exactly the same behaviour.
 */
export interface EngineLimits {
  maxInputBytes: number;
  /** Inputs under this many tokens are returned untouched. */
  minTokens: number;
}

export const DEFAULT_LIMITS: EngineLimits = { maxInputBytes: 50 * 1024 * 1024, minTokens: 400 };

/** A result must be below this share of the original's tokens, or the original is returned. */
const WORTHWHILE_RATIO = 0.9;

export interface CompressRequest {
  content: unknown;
  toolName?: string | undefined;
  query?: string | undefined;
  contentType?: ContentType | undefined;
  maxTokens?: number | undefined;
}

export interface CompressResult {
  compressed: string;
  hash?: string;
  content_type: ContentType;
  compressor: string;
  original_tokens: number;
  compressed_tokens: number;
  tokens_estimated: boolean;
  omitted: OmissionRecord[];
  route: string;
  /** The programming language, for code. */
  language?: string;
  note?: string;
}

export interface RetrieveRequest {
  hash: string;
  query?: string | undefined;
  /** `120-159` or `120`: those lines of the original, exactly (1-based, inclusive). */
  lines?: string | undefined;
  offset?: number | undefined;
  limit?: number | undefined;
}

export interface RetrieveResult {
  hash: string;
  content_type: string;
  mode: "page" | "query" | "symbol" | "lines";
  content: string;
  page?: Omit<Page, "content">;
  matches?: number;
  more_matches?: number;
  unit?: string;
  total_units?: number;
  /** For a symbol or a line range: its qualified name and its first and last line in the original. */
  symbol?: string;
  start_line?: number;
  end_line?: number;
  /** The symbols of a code original, when a name matched none of them. */
  symbols?: string[];
  note?: string;
}

export interface StatsResult {
  session: Totals;
  all_time: Totals;
  store: StoreInfo;
  tokenizer: string;
}

export interface EngineDeps {
  store: Promise<CcrStore>;
  tokens: TokenCounter;
  stats: StatsRecorder;
  logger: Logger;
  limits?: Partial<EngineLimits>;
  compressors?: readonly Compressor[];
}

export class Engine {
  private readonly limits: EngineLimits;
  private readonly compressors: readonly Compressor[];

  /** Where the pages of recently read originals start, by hash and page size: paging walks them once. */
  private readonly pageStartCache = new Map<string, number[]>();

  constructor(private readonly deps: EngineDeps) {
    this.limits = { ...DEFAULT_LIMITS, ...deps.limits };
    this.compressors = deps.compressors ?? createCompressors();
  }

  async compress(request: CompressRequest): Promise<CompressResult> {
    const text = this.originalText(request.content);
    const { tokens, logger } = this.deps;
    const original = await tokens.count(text);
    const sample = createSample(text, request.toolName, typeof request.content === "string" ? undefined : { value: request.content });
    const candidates = routeCandidates(sample, { contentType: request.contentType }, this.compressors);
    const first = candidates.next();
    const detectedType = first.done ? "text" : first.value.compressor.contentType;

    const passThrough = (route: string, note: string): CompressResult => {
      this.deps.stats.recordCompression(detectedType, original.tokens, original.tokens, true);
      return {
        compressed: text,
        content_type: detectedType,
        compressor: "none",
        original_tokens: original.tokens,
        compressed_tokens: original.tokens,
        tokens_estimated: original.estimated,
        omitted: [],
        route,
        note,
      };
    };

    if (original.tokens < this.limits.minTokens) {
      return passThrough("below threshold", `under ${this.limits.minTokens} tokens: returned unchanged`);
    }
    const hash = contentHash(text);
    const budgetTokens = request.maxTokens ?? defaultBudget(original.tokens);
    const countTokens = memoisedCounter(tokens);

    // a compressor that was asked for (or detected) and declined says why in the route
    const declined: string[] = [];
    for (let next = first; !next.done; next = candidates.next()) {
      const candidate = next.value;
      let output;
      try {
        output = await candidate.compressor.compress({ sample, hash, query: request.query, budgetTokens, originalTokens: original.tokens, countTokens });
      } catch (error) {
        logger.error(`${candidate.compressor.name} compressor failed; trying the next one`, error);
        declined.push(`${candidate.reason}, but the ${candidate.compressor.name} compressor failed`);
        continue;
      }
      if (!output) continue;
      if ("declined" in output) {
        declined.push(`${candidate.reason}, but ${output.declined}`);
        continue;
      }
      const route = [...declined, candidate.reason].join("; then ");
      // exact up to 48 KB, a sampled estimate beyond (a long code outline would cost 20 ms more)
      const compressedTokens = countTokens(output.text);
      if (compressedTokens >= original.tokens * WORTHWHILE_RATIO) {
        return passThrough(route, "compression would not save at least 10%: returned unchanged");
      }
      const contentType = candidate.compressor.contentType;
      try {
        const store = await this.deps.store;
        await store.put(text, { contentType, compressor: candidate.compressor.name, language: output.language, toolName: request.toolName, originalTokens: original.tokens, compressedTokens }, hash);
      } catch (error) {
        // a hash that does not resolve is worse than no compression
        // the store's health has logged it once; a full disk must not log every call
        if (!(error instanceof StoreUnavailableError)) logger.error("could not store the original; returning it unchanged", error);
        const why = error instanceof StoreUnavailableError ? error.detail : error instanceof Error ? error.message : String(error);
        return passThrough(route, `the store could not keep the original (${why}), so nothing was compressed`);
      }
      this.deps.stats.recordCompression(contentType, original.tokens, compressedTokens, false);
      return {
        compressed: output.text,
        hash,
        content_type: contentType,
        compressor: candidate.compressor.name,
        original_tokens: original.tokens,
        compressed_tokens: compressedTokens,
        tokens_estimated: original.estimated || output.text.length > EXACT_COUNT_LIMIT,
        omitted: output.omitted,
        route,
        ...(output.language ? { language: output.language } : {}),
      };
    }
    return passThrough(declined.length > 0 ? `${declined.join("; then ")}; no compressor applied` : "no compressor applied", "no compressor could shorten this content: returned unchanged");
  }

  async retrieve(request: RetrieveRequest): Promise<RetrieveResult> {
    const hash = normaliseHash(request.hash);
    const limit = request.limit;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_TOKENS)) {
      throw new InputError(`limit must be a whole number from 1 to ${MAX_PAGE_TOKENS}`);
    }
    const store = await this.deps.store;
    let found;
    try {
      found = await store.get(hash);
    } catch (error) {
      if (error instanceof HeadroomError) this.deps.stats.recordRetrieval(false);
      throw error;
    }
    this.deps.stats.recordRetrieval(true);
    const { original, meta } = found;
    const base = { hash, content_type: meta.contentType };
    await this.deps.tokens.warmUp();
    const measure: Measure = (text) => this.deps.tokens.measure(text).tokens;
    const pageTokens = limit ?? DEFAULT_PAGE_TOKENS;
    if (request.lines !== undefined) return { ...base, ...fitLines(linesOf(original, request.lines), pageTokens, measure) };
    const query = request.query?.trim();
    const lookup = query ? await this.lookupSymbol(original, query, meta.compressor, meta.language) : undefined;
    if (lookup) {
      const [first, ...others] = lookup.matches;
      if (first) {
        const more = others.length > 0 ? `; also ${others.map((m) => `${m.name} (lines ${m.startLine}-${m.endLine})`).join(", ")}` : "";
        const fitted = fitLines({ content: first.text, start_line: first.startLine, end_line: first.endLine, note: "" }, DEFAULT_PAGE_TOKENS, measure);
        const cut = fitted.end_line < first.endLine ? `; ${fitted.note}` : "";
        return { ...base, mode: "symbol", content: fitted.content, symbol: first.name, start_line: first.startLine, end_line: fitted.end_line, note: `${first.name}, lines ${first.startLine}-${first.endLine} of the original${cut}${more}` };
      }
    }
    if (query) {
      const result = queryOriginal(original, query, limit ?? DEFAULT_MATCH_LIMIT, DEFAULT_PAGE_TOKENS, measure);
      if (result.matches.length > 0) {
        return {
          ...base,
          mode: "query",
          content: formatMatches(result.matches),
          matches: result.matches.length,
          more_matches: result.more,
          unit: result.unit,
          total_units: result.total_units,
          ...(lookup ? { symbols: lookup.symbols, note: `no symbol is named "${query}" (the symbols are listed in "symbols"); these are the lines that match` } : {}),
        };
      }
      const page = pageOf(original, 0, DEFAULT_PAGE_TOKENS, measure, this.pageStartsOf(hash, original, DEFAULT_PAGE_TOKENS, measure));
      const { content, ...pageInfo } = page;
      const symbolNote = lookup ? `; no symbol is named "${query}" (the symbols are listed in "symbols")` : "";
      return {
        ...base,
        mode: "page",
        content,
        page: pageInfo,
        unit: result.unit,
        total_units: result.total_units,
        ...(lookup ? { symbols: lookup.symbols } : {}),
        note: `nothing in the original matches "${query}"${symbolNote}; here is page 1 of ${page.pages} of the original instead`,
      };
    }
    const { content, ...pageInfo } = pageOf(original, request.offset ?? 0, pageTokens, measure, this.pageStartsOf(hash, original, pageTokens, measure));
    const note =
      pageInfo.next_offset === null ? undefined : `page ${pageInfo.page} of ${pageInfo.pages}: call again with offset=${pageInfo.next_offset} for the next page`;
    return { ...base, mode: "page", content, page: pageInfo, ...(note ? { note } : {}) };
  }

  async stats(): Promise<StatsResult> {
    const [info, allTime] = await Promise.all([this.storeInfo(), this.deps.stats.allTime()]);
    return {
      session: this.deps.stats.session(),
      all_time: allTime,
      store: info,
      tokenizer: this.deps.tokens.isLoaded ? "o200k_base, exact up to 4 MiB, sampled beyond" : "o200k_base (loads on first use)",
    };
  }

  /** The store's kind, size and health, without the statistics (for health checks). */
  async storeInfo(): Promise<StoreInfo> {
    return (await this.deps.store).info();
  }

  private pageStartsOf(hash: string, original: string, limit: number, measure: Measure): number[] {
    const key = `${hash}:${limit}`;
    let starts = this.pageStartCache.get(key);
    if (!starts) {
      starts = pageStarts(original, limit, measure);
      if (this.pageStartCache.size >= PAGE_START_CACHE_SIZE) this.pageStartCache.delete(this.pageStartCache.keys().next().value!);
      this.pageStartCache.set(key, starts);
    }
    return starts;
  }

  private async lookupSymbol(original: string, query: string, compressorName: string, language: string | undefined) {
    const compressor = this.compressors.find((c) => c.name === compressorName);
    if (!compressor?.lookup) return undefined;
    try {
      return await compressor.lookup(original, query, language);
    } catch (error) {
      this.deps.logger.error(`symbol lookup in a ${compressorName} original failed; answering by lines`, error);
      return undefined;
    }
  }

  private originalText(content: unknown): string {
    if (content === undefined) throw new InputError("content is required: pass the tool output as a string or any JSON value (or, for a file, its `path`)");
    if (typeof content === "string") {
      if (content.trim().length === 0) throw new InputError("content is empty: pass the tool output you want compressed");
      // UTF-8 is at most 3 bytes per UTF-16 unit; only measure when the cheap bound is over
      if (content.length * 3 > this.limits.maxInputBytes) {
        const bytes = Buffer.byteLength(content, "utf8");
        if (bytes > this.limits.maxInputBytes) throw new TooLargeError(bytes, this.limits.maxInputBytes);
      }
      return content;
    }
    const text = JSON.stringify(content);
    const bytes = Buffer.byteLength(text, "utf8");
    if (bytes > this.limits.maxInputBytes) throw new TooLargeError(bytes, this.limits.maxInputBytes);
    return text;
  }
}

const PAGE_START_CACHE_SIZE = 16;

/** As many of a range's lines as fit in `limit` tokens, cut at a line end; the note says where the rest is. */
function fitLines<T extends { content: string; start_line: number; end_line: number; note: string }>(range: T, limit: number, measure: Measure): T {
  if (measure(range.content) <= limit) return range;
  let end = pageEnd(range.content, 0, limit, measure);
  // whole lines only; a first line longer than a page is given whole rather than cut
  const newline = range.content.lastIndexOf("\n", end - 1);
  if (newline <= 0) return range;
  end = newline;
  const content = range.content.slice(0, end);
  const last = range.start_line + content.split("\n").length - 1;
  return { ...range, content, end_line: last, note: `lines ${range.start_line}-${last} (the ${limit}-token page); the rest: lines="${last + 1}-${range.end_line}"` };
}

/** Lines `from-to` of an original (1-based, inclusive), exactly as they are. */
function linesOf(original: string, range: string): { mode: "lines"; content: string; start_line: number; end_line: number; total_units: number; unit: "lines"; note: string } {
  const m = /^\s*L?(\d+)\s*(?:[-–]\s*L?(\d+))?\s*$/.exec(range);
  if (!m) throw new InputError(`lines must be a line number or a range like "120-159", got "${range}"`);
  const all = splitLines(original);
  const from = Number(m[1]);
  const to = Math.min(m[2] === undefined ? from : Number(m[2]), all.length);
  if (from < 1 || from > all.length || to < from) throw new InputError(`lines ${range} is outside the original's lines 1-${all.length}`);
  return { mode: "lines", content: all.slice(from - 1, to).join("\n"), start_line: from, end_line: to, total_units: all.length, unit: "lines", note: `lines ${from}-${to} of ${all.length}` };
}

/**
 * Without `max_tokens`, aim at 15% of the original, never below 1,000 tokens (small outputs
 * stay whole or lossless) and never above 4,000 (a screenful the model can actually use).
 */
export function defaultBudget(originalTokens: number): number {
  return Math.min(4000, Math.max(1000, Math.round(originalTokens * 0.15)));
}

/** Compressors count their candidate output; the engine then counts the same final text again. */
function memoisedCounter(tokens: TokenCounter): (text: string) => number {
  let lastText: string | undefined;
  let lastCount = 0;
  return (text) => {
    if (text !== lastText) {
      lastCount = tokens.measure(text).tokens;
      lastText = text;
    }
    return lastCount;
  };
}

function normaliseHash(raw: string): string {
  const hash = raw.trim().replace(/^hash=/, "").toLowerCase();
  if (!HASH_PATTERN.test(hash)) {
    throw new InputError(`hash must be the 24 hex characters after "hash=" in a headroom marker; got "${raw.slice(0, 60)}"`);
  }
  return hash;
}

function formatMatches(matches: readonly Match[]): string {
  return matches.map((m) => `${m.location}: ${m.text}`).join("\n");
}
