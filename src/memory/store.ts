import type { Namespace } from "../ccr/namespace.js";
import { contentHash } from "../ccr/hash.js";
import { InputError, MemoryNotFoundError } from "../engine/errors.js";
import type { Logger } from "../log.js";
import { terms } from "../relevance/terms.js";
import { analyzeDocument, analyzeQuery, holdsPhrase, PREFIX_WEIGHT, type DocumentTerms, type QueryTerm } from "./analyze.js";
import { decodeVector, EmbeddingsUnavailable, encodeVector, type EmbeddingsClient } from "./embeddings.js";
import { findSecret } from "./secrets.js";
import { VectorRows } from "./vectors.js";

/**
 * Facts that outlive a conversation. One Keyv record per memory (namespace `memory`), so two
 * servers writing at once never overwrite a shared index; each process keeps a searchable copy
 * (terms and an inverted index), and once a second re-reads the memories if another process has
 * written since (every process counts its writes in `memory-writers`). A memory saved with a `key` has an id derived from scope, project and key, so saving the
 * key again replaces it (the old text goes to its history); a memory without a key has an id
 * derived from its text, and a near-duplicate of an existing memory updates that one instead.
 *
 * Search is BM25 over stemmed words, identifiers split, widened by synonyms and prefixes
 * (analyze.ts). With an embeddings endpoint configured, each memory also carries its vector
 * (computed when it is saved, or later by a background backfill), and search fuses the word
 * ranking with the cosine ranking (reciprocal rank fusion); when the endpoint does not answer,
 * search is by words alone and says so.
 */
export type Scope = "project" | "global";

export interface MemoryRecord {
  id: string;
  content: string;
  scope: Scope;
  /** Project directory for project memories; null for global ones. */
  project: string | null;
  tags: string[];
  key?: string | undefined;
  createdAt: number;
  updatedAt: number;
  history: Array<{ content: string; tags: string[]; replacedAt: number }>;
  /**
   * The content's embeddings, by the model that made each (base64 of float32s): servers that use
   * different models on one store each keep their own.
   */
  embeddings?: Record<string, string> | undefined;
}

export interface MemoryView {
  id: string;
  content: string;
  tags: string[];
  scope: Scope;
  project: string | null;
  key?: string;
  created_at: string;
  updated_at: string;
  /** Earlier texts, newest first: always from save and delete; from search and list when asked. */
  history?: Array<{ content: string; replaced_at: string }>;
  score?: number;
  /** Why a search result matched: `stem "prefer"`, `synonym "db" → "database"`, `semantic 0.82`. */
  matched?: string[];
}

export interface SearchResult {
  results: MemoryView[];
  inScope: number;
  /** How many memories match, of which `results` are the best `limit`. */
  matches: number;
  /** "hybrid" when embeddings ranked the results too. */
  mode: "lexical" | "hybrid";
  /** Why search was by words alone, or what it could not rank by meaning. */
  note?: string;
}

export interface SemanticOptions {
  client: EmbeddingsClient;
  logger: Logger;
}

export const MEMORY_LIMITS = { maxBytes: 8 * 1024, maxTags: 20, maxTagChars: 64, maxKeyChars: 200 } as const;
const CACHE_MS = 1000;
const NEAR_DUPLICATE = 0.75;
const HISTORY_KEPT = 10;
const K1 = 1.2;
const B = 0.75;
/** Reciprocal rank fusion's constant: ranks deep in either list still count, a little. */
const RRF_K = 60;
/** How many of the nearest memories by meaning take part in the fusion. */
const SEMANTIC_DEPTH = 50;
/** A memory less than this share of the best similarity is not near the query. */
const SEMANTIC_FLOOR = 0.5;
/**
 * Nor is one less than this many standard deviations above the mean similarity of all: cosine
 * values differ from model to model (0.3 is close for one, far for another), how far a memory
 * stands out from the rest does not.
 */
const SEMANTIC_MIN_Z = 3;
const SPREAD_SAMPLE = 20;
const PREFIX_TERMS = 8;
/** A query word this long or longer also matches the words it begins. */
const PREFIX_MIN = 4;
const SAVE_EMBED_TIMEOUT_MS = 5_000;
const SEARCH_EMBED_TIMEOUT_MS = 3_000;
const BACKFILL_BATCH = 32;
const BACKFILL_TIMEOUT_MS = 30_000;
/** After the endpoint failed, it is not asked again for this long: searches and saves go on without it. */
const ENDPOINT_REST_MS = 30_000;

interface Indexed {
  record: MemoryRecord;
  /** Scratch for one search, stamped with its number (no map or array allocated per memory). */
  score: number;
  scoredBy: number;
  inScopeOf: number;
  /** Distinct words, for near-duplicate detection. */
  words: Set<string>;
  doc: DocumentTerms;
  lower: string;
  /** Its row in `vectors`, or -1 while it has no embedding from the configured model. */
  row: number;
}

export class MemoryStore {
  private cache = new Map<string, Indexed>();
  /** Term → the memories that hold it, with the term's weighted frequency there. */
  private postings = new Map<string, Map<Indexed, number>>();
  private searches = 0;
  /** Plain words (not stemmed) → memories, for near-duplicate detection. */
  private wordPostings = new Map<string, Set<string>>();
  /** Every indexed term, sorted, for prefix matches; rebuilt when terms were added. */
  private vocabulary: string[] | undefined;
  private totalLength = 0;
  private loadedAt = -Infinity;
  private loading: Promise<void> | undefined;
  private backfill: Promise<void> | undefined;
  /** The endpoint's last failure, while it rests. */
  private endpointFailure: { at: number; why: string } | undefined;
  private closed = false;

  /** This process's entry in the writers namespace, and how many writes it has made. */
  private readonly writerId = contentHash(`${process.pid}\u0000${Date.now()}\u0000${Math.random()}`);
  private writes = 0;
  /** Other processes' write counts when the copy was last loaded. */
  private seenWriters = new Map<string, number>();
  private readonly semantic: SemanticOptions | undefined;
  /** The embeddings of the memories that have one, side by side. */
  private vectors: VectorRows<Indexed> | undefined;
  private readonly writers: Promise<Namespace<WriterStamp>> | undefined;

  constructor(
    private readonly store: Promise<Namespace<MemoryRecord>>,
    private readonly now: () => number = Date.now,
    options: {
      semantic?: SemanticOptions | undefined;
      /**
       * Where each process counts its writes: with it, a process re-reads the memories only when
       * another one wrote since (one small read a second), not every second.
       */
      writers?: Promise<Namespace<WriterStamp>> | undefined;
    } = {},
  ) {
    this.semantic = options.semantic;
    this.writers = options.writers;
  }

  async save(input: { content: string; scope: Scope; project: string; tags?: string[] | undefined; key?: string | undefined }): Promise<{
    memory: MemoryView;
    superseded?: Superseded;
    /** Set when the same memory was saved again and tags were merged. */
    note?: string;
  }> {
    const content = input.content.trim();
    validate(content, input.tags ?? [], input.key);
    const tags = normaliseTags(input.tags ?? []);
    const project = input.scope === "project" ? input.project : null;
    await this.refresh();
    const now = this.now();
    const key = input.key?.trim() || undefined;
    let existing: MemoryRecord | undefined;
    let reason: "key" | "near-duplicate" | undefined;
    let id: string;
    if (key) {
      id = keyedId(input.scope, project, key);
      existing = (await (await this.store).get(id)) ?? undefined;
      if (existing) reason = "key";
    } else {
      id = contentHash(`text\u0000${input.scope}\u0000${project ?? ""}\u0000${content}`);
      existing = this.cache.get(id)?.record ?? this.nearDuplicate(content, input.scope, project);
      // as stored: the copy in memory holds no embeddings
      if (existing) existing = (await (await this.store).get(existing.id)) ?? existing;
      if (existing) {
        id = existing.id;
        if (existing.content !== content) reason = "near-duplicate";
      }
    }
    // A key names a fact and a new version replaces it, tags included (unless none are given). A
    // near-duplicate is the same fact said again: merging it must not lose how it was tagged.
    // (The new tags come first; old ones fill what is left of the limit.)
    let mergedTags = tags;
    let keptTags: string[] = [];
    let droppedTags: string[] = [];
    if (existing && reason === "key") {
      mergedTags = tags.length > 0 ? tags : existing.tags;
    } else if (existing) {
      const older = existing.tags.filter((t) => !tags.includes(t));
      const room = Math.max(0, MEMORY_LIMITS.maxTags - tags.length);
      keptTags = older.slice(0, room);
      droppedTags = older.slice(room);
      mergedTags = normaliseTags([...tags, ...keptTags]);
    }
    const tagNote = mergedTagsNote(keptTags, droppedTags);
    const record: MemoryRecord = existing
      ? {
          ...existing,
          content,
          tags: mergedTags,
          updatedAt: now,
          history:
            existing.content === content
              ? existing.history
              : [{ content: existing.content, tags: existing.tags, replacedAt: now }, ...existing.history].slice(0, HISTORY_KEPT),
        }
      : { id, content, scope: input.scope, project, tags, key, createdAt: now, updatedAt: now, history: [] };
    if (record.embeddings && existing?.content !== content) record.embeddings = undefined;
    if (this.semantic && !this.embedded(record) && !this.endpointResting()) {
      try {
        const [vector] = await this.embed([content], SAVE_EMBED_TIMEOUT_MS);
        record.embeddings = { ...record.embeddings, [this.semantic.client.config.model]: encodeVector(vector!) };
      } catch (error) {
        // saved all the same; the backfill embeds it when the endpoint answers again
        this.semantic.logger.warn(`memory saved without its embedding: ${(error as Error).message}`);
      }
    }
    await (await this.store).set(id, record);
    await this.noteWrite();
    this.index(record);
    return {
      // its earlier texts are in `superseded` when this save replaced one
      memory: view(record, false),
      ...(existing && reason
        ? { superseded: { id: existing.id, reason, previous: existing.content, ...(keptTags.length > 0 ? { kept_tags: keptTags } : {}), note: supersededNote(reason) + tagNote } }
        : {}),
      ...(existing && !reason && tagNote ? { note: `this memory was already saved${tagNote}` } : {}),
    };
  }

  async search(input: { query: string; scope: Scope | "all"; project: string; tags?: string[] | undefined; limit: number; includeHistory?: boolean | undefined }): Promise<SearchResult> {
    const query = input.query.trim();
    if (!query) throw new InputError("query is empty: say what you are looking for");
    await this.refresh();
    // asked first, so the request is on its way while the words are ranked
    const embedding = this.semantic ? this.embed([query], SEARCH_EMBED_TIMEOUT_MS).then(([v]) => v!, (error: unknown) => error as Error) : undefined;
    const stamp = ++this.searches;
    const candidates = this.filter(input.scope, input.project, input.tags);
    for (const c of candidates) c.inScopeOf = stamp;
    // quotes around the query or its words mark a phrase; they are not part of it
    const phrase = query.toLowerCase().replace(/(^|\s)["'`]+|["'`]+(?=\s|$)/g, "$1").trim();
    // one word is a term like any other (a tag may hold it too); several in a row are a phrase
    const multiWord = /\s/.test(phrase);
    const queryTerms = this.withPrefixes(analyzeQuery(query));
    const now = this.now();
    // ranked by words while the embedding is on its way; nothing awaited until this is done, so
    // another search cannot touch the scratch fields (score, scoredBy, inScopeOf) meanwhile
    const depth = embedding ? Math.max(SEMANTIC_DEPTH, input.limit) : input.limit;
    // the best `depth` by words (exact phrase first), kept in order as they are found
    const lexical = new TopList<{ c: Indexed; exact: boolean; score: number }>(depth, (a, b) => Number(a.exact) - Number(b.exact) || a.score - b.score || newerFirst(b.c, a.c));
    let wordMatches = 0;
    for (const c of this.bm25(queryTerms, stamp)) {
      if (c.inScopeOf !== stamp) continue;
      wordMatches++;
      const exact = multiWord && c.lower.includes(phrase);
      // newer memories a little ahead: a fifth more for one saved today, fading over a month
      const ageDays = (now - c.record.updatedAt) / 86_400_000;
      const score = (c.score + (exact ? 10 : 0)) * (1 + 0.2 * Math.exp(-ageDays / 30));
      // most memories rank below the ones already kept: no entry made for them
      const last = lexical.last;
      if (last && (last.exact && !exact || (last.exact === exact && score < last.score))) continue;
      lexical.offer({ c, exact, score });
    }
    const semantic = embedding ? this.semanticRanking(await embedding, candidates, stamp) : {};
    let ranked: Array<{ c: Indexed; exact: boolean; score: number; similarity?: number }> = lexical.items;
    if (semantic.similarities) {
      // reciprocal rank fusion of the word ranking and the meaning ranking; exact phrases first
      const fused = new Map<string, { c: Indexed; exact: boolean; score: number; similarity?: number }>();
      ranked.forEach((entry, rank) => fused.set(entry.c.record.id, { c: entry.c, exact: entry.exact, score: 1 / (RRF_K + rank + 1) }));
      semantic.similarities.forEach(({ c, similarity }, rank) => {
        const entry = fused.get(c.record.id) ?? { c, exact: false, score: 0 };
        entry.score += 1 / (RRF_K + rank + 1);
        entry.similarity = similarity;
        fused.set(c.record.id, entry);
      });
      ranked = [...fused.values()].sort((a, b) => Number(b.exact) - Number(a.exact) || b.score - a.score || newerFirst(a.c, b.c));
    }
    // found by meaning alone: those the words did not find (beyond the depth kept, a guess)
    const byMeaningOnly = semantic.similarities ? semantic.similarities.filter(({ c }) => c.scoredBy !== stamp).length : 0;
    const digits = semantic.similarities ? 1e5 : 1e3;
    return {
      results: ranked.slice(0, input.limit).map((r) => ({
        ...view(r.c.record, input.includeHistory ?? false),
        score: Math.round(r.score * digits) / digits,
        matched: whyMatched(r.c, queryTerms, r.exact, r.similarity),
      })),
      inScope: candidates.length,
      matches: wordMatches + byMeaningOnly,
      mode: semantic.similarities ? "hybrid" : "lexical",
      ...(semantic.note ? { note: semantic.note } : {}),
    };
  }

  /** The candidates nearest the query by meaning, when the endpoint gave the query's vector. */
  private semanticRanking(vector: Float32Array | Error, candidates: readonly Indexed[], stamp: number): { similarities?: Array<{ c: Indexed; similarity: number }>; note?: string } {
    let missing = 0;
    for (const c of candidates) missing += c.row < 0 ? 1 : 0;
    if (missing > 0) this.startBackfill();
    if (vector instanceof Error) {
      const why = vector instanceof EmbeddingsUnavailable ? vector.message : String(vector);
      return { note: `ranked by words alone: the embeddings endpoint failed (${why})` };
    }
    const nearest = new TopList<{ c: Indexed; similarity: number }>(SEMANTIC_DEPTH, (a, b) => a.similarity - b.similarity || newerFirst(b.c, a.c));
    let worst = -Infinity;
    let sum = 0;
    let sumOfSquares = 0;
    let count = 0;
    // every memory in scope (scope "all", no tags): nothing to check; else marked again if a search
    // ran while this one awaited its embedding (it marked its own)
    const everything = candidates.length === this.cache.size;
    if (!everything && this.searches !== stamp) for (const c of candidates) c.inScopeOf = stamp;
    const vectors = this.vectors;
    const scores = vectors?.scores(vector);
    for (let row = 0; scores && row < vectors!.rows; row++) {
      const c = vectors!.itemAt(row);
      if (c === undefined || (!everything && c.inScopeOf !== stamp)) continue;
      const similarity = scores[row]!;
      sum += similarity;
      sumOfSquares += similarity * similarity;
      count++;
      // most memories are no nearer than the nearest ones already found: no entry made for them
      if (similarity <= worst) continue;
      nearest.offer({ c, similarity });
      worst = nearest.last?.similarity ?? -Infinity;
    }
    // far from the query compared with the nearest: not a match, however the ranks fall
    const floor = Math.max(0, (nearest.items[0]?.similarity ?? 0) * SEMANTIC_FLOOR);
    // and no better than most memories are: a query about nothing saved finds nothing by meaning
    const mean = count > 0 ? sum / count : 0;
    const spread = count > 1 ? Math.sqrt(Math.max(0, sumOfSquares / count - mean * mean)) : 0;
    // (a spread needs numbers: among a few memories the nearest half stand)
    const outlier = count >= SPREAD_SAMPLE ? mean + SEMANTIC_MIN_Z * spread : -Infinity;
    const model = this.semantic!.client.config.model;
    const pending = this.backfill ? "being embedded now" : "embedded once the endpoint answers";
    const note = missing > 0 ? `${missing} of ${candidates.length} memories have no embedding from ${model} yet (${pending}): they are found by words alone` : undefined;
    return { similarities: nearest.items.filter((s) => s.similarity > floor && s.similarity >= outlier), ...(note ? { note } : {}) };
  }

  async list(input: { scope: Scope | "all"; project: string; tags?: string[] | undefined; limit: number; offset: number; includeHistory?: boolean | undefined }): Promise<{ memories: MemoryView[]; total: number }> {
    await this.refresh();
    const all = this.filter(input.scope, input.project, input.tags).sort(
      (a, b) => b.record.updatedAt - a.record.updatedAt || (a.record.id < b.record.id ? -1 : 1),
    );
    return { memories: all.slice(input.offset, input.offset + input.limit).map((c) => view(c.record, input.includeHistory ?? false)), total: all.length };
  }

  async delete(input: { id?: string | undefined; key?: string | undefined; project: string }): Promise<MemoryView> {
    const store = await this.store;
    const ids = input.id
      ? [input.id.trim()]
      : input.key
        ? (["project", "global"] as const).map((scope) => keyedId(scope, scope === "project" ? input.project : null, input.key!.trim()))
        : [];
    if (ids.length === 0) throw new InputError("give the id of the memory to delete (from memory_search or memory_list), or its key");
    for (const id of ids) {
      const record = await store.get(id);
      // an id is scoped like every other call: another project's memory is not found from here
      if (!record || (record.scope === "project" && record.project !== input.project)) continue;
      await store.delete(id);
      await this.noteWrite();
      this.unindex(id);
      return view(record);
    }
    throw new MemoryNotFoundError(input.id ?? input.key!);
  }

  /** How many memories there are, by scope (for statistics). */
  async counts(): Promise<{ total: number; project: number; global: number }> {
    await this.refresh();
    let global = 0;
    for (const c of this.cache.values()) if (c.record.scope === "global") global++;
    return { total: this.cache.size, project: this.cache.size - global, global };
  }

  /** Every memory, for export (JSON Lines). */
  async all(): Promise<MemoryRecord[]> {
    this.loadedAt = -Infinity;
    await this.refresh();
    return [...this.cache.values()].map((c) => c.record).sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  /** Writes records as they are (same ids): importing twice changes nothing. */
  async import(records: Iterable<MemoryRecord>): Promise<number> {
    const store = await this.store;
    let count = 0;
    for (const record of records) {
      validate(record.content, record.tags, record.key);
      await store.set(record.id, record);
      await this.noteWrite();
      this.index(record);
      count++;
    }
    return count;
  }

  private filter(scope: Scope | "all", project: string, tags: string[] | undefined): Indexed[] {
    const wanted = normaliseTags(tags ?? []);
    const out: Indexed[] = [];
    for (const c of this.cache.values()) {
      const r = c.record;
      const inScope = r.scope === "global" ? scope !== "project" : scope !== "global" && r.project === project;
      if (inScope && wanted.every((t) => r.tags.includes(t))) out.push(c);
    }
    return out;
  }

  private nearDuplicate(content: string, scope: Scope, project: string | null): MemoryRecord | undefined {
    const mine = new Set(terms(content));
    if (mine.size === 0) return undefined;
    // prefix filter: a set with Jaccard similarity ≥ t shares at least one of our
    // ⌊(1 − t)·|mine|⌋ + 1 rarest terms, so only their postings need a look
    const rarest = [...mine].sort((a, b) => (this.wordPostings.get(a)?.size ?? 0) - (this.wordPostings.get(b)?.size ?? 0) || (a < b ? -1 : 1));
    const probe = rarest.slice(0, Math.floor((1 - NEAR_DUPLICATE) * mine.size) + 1);
    const seen = new Set<string>();
    let best: { record: MemoryRecord; similarity: number } | undefined;
    for (const term of probe) {
      for (const id of this.wordPostings.get(term) ?? []) {
        if (seen.has(id)) continue;
        seen.add(id);
        const other = this.cache.get(id)!;
        if (other.record.scope !== scope || other.record.project !== project) continue;
        let shared = 0;
        for (const t of mine) if (other.words.has(t)) shared++;
        const similarity = shared / (mine.size + other.words.size - shared);
        if (similarity >= NEAR_DUPLICATE && (!best || similarity > best.similarity)) best = { record: other.record, similarity };
      }
    }
    return best?.record;
  }

  /** BM25 over weighted term frequencies (tags count more): the memories that hold a query term, each with its `score` set. */
  private bm25(queryTerms: readonly QueryTerm[], stamp: number): Indexed[] {
    const touched: Indexed[] = [];
    if (queryTerms.length === 0 || this.cache.size === 0) return touched;
    const avgdl = this.totalLength / this.cache.size || 1;
    const n = this.cache.size;
    for (const { term, weight, phrase } of queryTerms) {
      const posting = phrase ? this.phrasePosting(phrase) : this.postings.get(term);
      if (!posting || posting.size === 0) continue;
      const idf = weight * Math.log(1 + (n - posting.size + 0.5) / (posting.size + 0.5));
      for (const [c, f] of posting) {
        if (c.scoredBy !== stamp) {
          c.scoredBy = stamp;
          c.score = 0;
          touched.push(c);
        }
        c.score += idf * ((f * (K1 + 1)) / (f + K1 * (1 - B + (B * c.doc.length) / avgdl)));
      }
    }
    return touched;
  }

  /** The memories where a phrase's stems stand in a row (found among those of its rarest word). */
  private phrasePosting(phrase: readonly string[]): Map<Indexed, number> | undefined {
    let rarest: Map<Indexed, number> | undefined;
    for (const word of phrase) {
      const posting = this.postings.get(word);
      if (!posting) return undefined;
      if (!rarest || posting.size < rarest.size) rarest = posting;
    }
    const found = new Map<Indexed, number>();
    for (const c of rarest!.keys()) if (holdsPhrase(c.doc.sequence, phrase)) found.set(c, c.doc.tagTerms.has(phrase[0]!) ? 3 : 1);
    return found;
  }

  /** The query's words, plus indexed terms they begin (`kube` → kubectl), the shortest few. */
  private withPrefixes(queryTerms: QueryTerm[]): QueryTerm[] {
    const vocabulary = (this.vocabulary ??= [...this.postings.keys()].sort());
    const have = new Set(queryTerms.map((t) => t.term));
    const added: QueryTerm[] = [];
    for (const t of queryTerms) {
      // the word as asked, not its stem: "deps" begins no word, though its stem "dep" begins "deploy"
      const asked = t.from;
      if (t.kind !== "word" || asked.length < PREFIX_MIN || !PLAIN_WORD.test(asked) || /^\d+$/.test(asked)) continue;
      let lo = 0;
      let hi = vocabulary.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (vocabulary[mid]! < asked) lo = mid + 1;
        else hi = mid;
      }
      // the shortest words that begin with it (an identifier's whole form is no word: its parts are)
      const longer = new TopList<string>(PREFIX_TERMS, (a, b) => b.length - a.length || (a < b ? 1 : -1));
      for (let i = lo; i < vocabulary.length && vocabulary[i]!.startsWith(asked); i++) {
        const term = vocabulary[i]!;
        if (term !== t.term && term !== asked && !have.has(term) && PLAIN_WORD.test(term)) longer.offer(term);
      }
      for (const term of longer.items) {
        have.add(term);
        added.push({ term, weight: PREFIX_WEIGHT, kind: "prefix", from: t.from });
      }
    }
    return [...queryTerms, ...added];
  }

  /** Embeds, in the background, the memories that have no vector from the configured model. */
  private startBackfill(): void {
    const semantic = this.semantic;
    if (!semantic || this.backfill || this.closed || this.endpointResting()) return;
    this.backfill = (async () => {
      const store = await this.store;
      for (;;) {
        const batch = [...this.cache.values()].filter((c) => c.row < 0).slice(0, BACKFILL_BATCH);
        if (batch.length === 0 || this.closed) return;
        const vectors = await this.embed(
          batch.map((c) => c.record.content),
          BACKFILL_TIMEOUT_MS,
        );
        for (const [i, c] of batch.entries()) {
          // written only if nobody changed the memory meanwhile; if somebody did, this copy learns
          // of it (the next batch embeds the new text), so no memory is asked for twice in a row
          const current = await store.get(c.record.id);
          if (!current) this.unindex(c.record.id);
          if (!current || current.content !== c.record.content) {
            if (current) this.index(current);
            continue;
          }
          const record = { ...current, embeddings: { ...current.embeddings, [semantic.client.config.model]: encodeVector(vectors[i]!) } };
          await store.set(record.id, record);
          await this.noteWrite();
          this.index(record);
        }
        semantic.logger.debug(`embedded ${batch.length} memories`);
      }
    })()
      .catch((error: unknown) => {
        semantic.logger.warn(`memory embeddings backfill stopped: ${(error as Error).message}`);
      })
      .finally(() => {
        this.backfill = undefined;
      });
  }

  /** Stops the backfill after its current batch. */
  async close(): Promise<void> {
    this.closed = true;
    await this.backfill;
  }

  /**
   * The endpoint, asked through one door: after a failure it rests for ENDPOINT_REST_MS, so a
   * down or hung endpoint costs one timeout, not one per call.
   */
  private async embed(texts: readonly string[], timeoutMs: number): Promise<Float32Array[]> {
    const semantic = this.semantic!;
    if (this.endpointResting()) throw new EmbeddingsUnavailable(`${this.endpointFailure!.why}; asked again after ${Math.ceil((this.endpointFailure!.at + ENDPOINT_REST_MS - this.now()) / 1000)} s`);
    try {
      const vectors = await semantic.client.embed(texts, timeoutMs);
      this.endpointFailure = undefined;
      return vectors;
    } catch (error) {
      this.endpointFailure = { at: this.now(), why: (error as Error).message };
      throw error;
    }
  }

  private endpointResting(): boolean {
    return this.endpointFailure !== undefined && this.now() - this.endpointFailure.at < ENDPOINT_REST_MS;
  }

  private embedded(record: MemoryRecord): boolean {
    return this.semantic !== undefined && record.embeddings?.[this.semantic.client.config.model] !== undefined;
  }

  /** At most once a second: reloads from the store when another process has written since the last load. */
  private async refresh(): Promise<void> {
    if (this.now() - this.loadedAt < CACHE_MS) return;
    this.loading ??= (async () => {
      // the writers are read before the memories: whatever they counted is in what follows
      const writers = await this.otherWriters();
      if (writers && this.loadedAt > -Infinity && sameCounts(writers, this.seenWriters)) {
        this.loadedAt = this.now();
        return;
      }
      if (writers) this.seenWriters = writers;
      const fresh = new Map<string, Indexed>();
      const vectors = new Map<string, Record<string, string> | undefined>();
      for await (const [, record] of (await this.store).entries()) {
        fresh.set(record.id, indexed(record));
        if (record.embeddings) vectors.set(record.id, record.embeddings);
      }
      this.cache = fresh;
      this.vectors = undefined;
      this.postings = new Map();
      this.wordPostings = new Map();
      this.vocabulary = undefined;
      this.totalLength = 0;
      for (const c of fresh.values()) this.post(c, vectors.get(c.record.id));
      this.loadedAt = this.now();
      if (this.semantic && [...fresh.values()].some((c) => c.row < 0)) this.startBackfill();
    })().finally(() => {
      this.loading = undefined;
    });
    await this.loading;
  }

  /** Other processes' write counts; stamps of processes gone quiet for a week are tidied away. */
  private async otherWriters(): Promise<Map<string, number> | undefined> {
    if (!this.writers) return undefined;
    const writers = await this.writers;
    const counts = new Map<string, number>();
    for await (const [id, stamp] of writers.entries()) {
      if (id === this.writerId) continue;
      if (this.now() - stamp.at > WRITER_STAMP_KEPT_MS) await writers.delete(id).catch(() => undefined);
      else counts.set(id, stamp.count);
    }
    return counts;
  }

  /** After each write to the store: the other processes see the count change and re-read. */
  private async noteWrite(): Promise<void> {
    if (!this.writers) return;
    this.writes++;
    await (await this.writers).set(this.writerId, { count: this.writes, at: this.now() });
  }

  private index(record: MemoryRecord): void {
    this.unindex(record.id);
    const c = indexed(record);
    const embeddings = record.embeddings;
    this.cache.set(record.id, c);
    this.post(c, embeddings);
  }

  private unindex(id: string): void {
    const old = this.cache.get(id);
    if (!old) return;
    for (const t of old.doc.tf.keys()) this.postings.get(t)?.delete(old);
    for (const w of old.words) this.wordPostings.get(w)?.delete(id);
    if (old.row >= 0) this.vectors?.remove(old.row);
    this.totalLength -= old.doc.length;
    this.cache.delete(id);
  }

  private post(c: Indexed, embeddings: Record<string, string> | undefined): void {
    this.totalLength += c.doc.length;
    for (const [t, f] of c.doc.tf) {
      let posting = this.postings.get(t);
      if (!posting) {
        posting = new Map();
        this.postings.set(t, posting);
        this.vocabulary = undefined;
      }
      posting.set(c, f);
    }
    for (const w of c.words) addTo(this.wordPostings, w, c.record.id);
    const embedding = this.semantic ? embeddings?.[this.semantic.client.config.model] : undefined;
    if (embedding !== undefined) {
      const vector = decodeVector(embedding);
      // a model that changed its size under the same name: the old vectors go, the backfill redoes them
      if (this.vectors && this.vectors.dims !== vector.length) {
        for (const other of this.cache.values()) other.row = -1;
        this.vectors = undefined;
      }
      this.vectors ??= new VectorRows<Indexed>(vector.length);
      c.row = this.vectors.add(c, vector);
    }
  }
}

/** One process's count of its writes to the memories. */
export interface WriterStamp {
  count: number;
  at: number;
}

const WRITER_STAMP_KEPT_MS = 7 * 86_400_000;

function sameCounts(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [id, count] of a) if (b.get(id) !== count) return false;
  return true;
}

/** The id of a memory saved with a key: the same scope, project and key always land on it. */
function keyedId(scope: Scope, project: string | null, key: string): string {
  return contentHash(`key\u0000${scope}\u0000${project ?? ""}\u0000${key}`);
}

/**
 * A memory as searched. Its record is kept without its embeddings (their vectors go to
 * `vectors`): 4 KB of base64 per memory would scatter the records over the heap, and walking
 * 10,000 of them took three times as long.
 */
function indexed(stored: MemoryRecord): Indexed {
  const { embeddings: _vectors, ...record } = stored;
  return { record, words: new Set(terms(record.content)), doc: analyzeDocument(record.content, record.tags, record.key), lower: record.content.toLowerCase(), row: -1, score: 0, scoredBy: 0, inScopeOf: 0 };
}

const PLAIN_WORD = /^[\p{L}\p{N}]+$/u;

/** Newer first, then by id: the same order every time. */
function newerFirst(a: Indexed, b: Indexed): number {
  return b.record.updatedAt - a.record.updatedAt || (a.record.id < b.record.id ? -1 : a.record.id > b.record.id ? 1 : 0);
}

/**
 * The best `size` items offered, without sorting them all: a heap with the worst kept on top, so
 * an offer costs O(log size) whatever the order items come in (insertion into a sorted array
 * cost O(size) each when they come worst first, as memories saved in a row do). `items` gives them
 * best first; `compare` > 0 when a is better.
 */
class TopList<T> {
  private readonly heap: T[] = [];
  private sorted: T[] | undefined;

  constructor(
    private readonly size: number,
    private readonly compare: (a: T, b: T) => number,
  ) {}

  /** The worst item kept, once the list is full. */
  get last(): T | undefined {
    return this.heap.length === this.size ? this.heap[0] : undefined;
  }

  get items(): T[] {
    return (this.sorted ??= [...this.heap].sort((a, b) => this.compare(b, a)));
  }

  offer(item: T): void {
    const heap = this.heap;
    if (heap.length < this.size) {
      this.sorted = undefined;
      heap.push(item);
      // up: the worse one rises to the top
      let i = heap.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        const above = heap[parent]!;
        if (this.compare(heap[i]!, above) >= 0) break;
        heap[parent] = heap[i]!;
        heap[i] = above;
        i = parent;
      }
      return;
    }
    if (this.size === 0 || this.compare(item, heap[0]!) <= 0) return;
    this.sorted = undefined;
    heap[0] = item;
    // down: the worst of a node and its children stays above
    for (let i = 0; ; ) {
      const left = 2 * i + 1;
      const right = left + 1;
      let worst = i;
      if (left < heap.length && this.compare(heap[left]!, heap[worst]!) < 0) worst = left;
      if (right < heap.length && this.compare(heap[right]!, heap[worst]!) < 0) worst = right;
      if (worst === i) break;
      const below = heap[worst]!;
      heap[worst] = heap[i]!;
      heap[i] = below;
      i = worst;
    }
  }
}

function addTo(map: Map<string, Set<string>>, key: string, id: string): void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(id);
}

/** What a result shares with the query, strongest first: an exact phrase, words, stems, synonyms, meaning. */
function whyMatched(c: Indexed, queryTerms: readonly QueryTerm[], exact: boolean, similarity: number | undefined): string[] {
  const out: string[] = exact ? ["exact phrase"] : [];
  const order: Record<QueryTerm["kind"], number> = { word: 0, synonym: 1, related: 2, prefix: 3 };
  /** `related "package manager"` → the memory's words it found: "npm", "pnpm". */
  const widened = new Map<string, string[]>();
  for (const t of [...queryTerms].sort((a, b) => order[a.kind] - order[b.kind])) {
    if (t.phrase ? !holdsPhrase(c.doc.sequence, t.phrase) : !c.doc.tf.has(t.term)) continue;
    const surface = t.phrase ? (t.shown ?? t.term) : (c.doc.surface.get(t.term) ?? t.term);
    const tag = c.doc.tagTerms.has(t.term) ? " (tag)" : "";
    if (t.kind === "word") out.push(surface === t.from ? `word "${surface}"${tag}` : `stem "${t.term}" (${t.from} ~ ${surface})${tag}`);
    else {
      const key = `${t.kind} "${t.from}"`;
      if (!widened.has(key)) out.push(key);
      widened.set(key, [...(widened.get(key) ?? []), `"${surface}"${tag}`]);
    }
  }
  for (const [i, reason] of out.entries()) {
    const found = widened.get(reason);
    if (found) out[i] = `${reason} → ${found.join(", ")}`;
  }
  if (similarity !== undefined) out.push(`semantic ${similarity.toFixed(2)}`);
  return out;
}

/** What a save replaced or merged into. */
export interface Superseded {
  id: string;
  reason: "key" | "near-duplicate";
  previous: string;
  /** Tags of the earlier memory that this save did not name, kept by the merge. */
  kept_tags?: string[];
  note: string;
}

function supersededNote(reason: "key" | "near-duplicate"): string {
  return reason === "key"
    ? "replaced the memory saved under this key; its old text is in history"
    : "merged into a near-duplicate memory: the new text replaced the old one (now in history)";
}

function mergedTagsNote(kept: readonly string[], dropped: readonly string[]): string {
  const keptNote = kept.length > 0 ? `; kept its tags ${kept.join(", ")} alongside the new ones` : "";
  const droppedNote = dropped.length > 0 ? `; dropped its tags ${dropped.join(", ")} (at most ${MEMORY_LIMITS.maxTags} tags)` : "";
  return keptNote + droppedNote;
}

function normaliseTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((t) => t.trim().toLowerCase()).filter((t) => t.length > 0))].sort();
}

/** `rawTags` as given: secrets are looked for before tags are lower-cased (AKIA… is case-sensitive). */
function validate(content: string, rawTags: readonly string[], key: string | undefined): void {
  if (content.trim().length === 0) throw new InputError("content is empty: say what should be remembered");
  const bytes = Buffer.byteLength(content, "utf8");
  if (bytes > MEMORY_LIMITS.maxBytes) throw new InputError(`content is ${bytes} bytes, over the ${MEMORY_LIMITS.maxBytes}-byte limit for one memory: save a shorter fact, or several`);
  const tags = normaliseTags(rawTags);
  if (tags.length > MEMORY_LIMITS.maxTags) throw new InputError(`${tags.length} tags, over the limit of ${MEMORY_LIMITS.maxTags}: keep the few that you will search by`);
  if (key !== undefined && key.length > MEMORY_LIMITS.maxKeyChars) throw new InputError(`key is longer than ${MEMORY_LIMITS.maxKeyChars} characters`);
  // before the long-tag check, which quotes the start of the tag
  refuseSecrets(content, rawTags, key);
  const longTag = tags.find((t) => t.length > MEMORY_LIMITS.maxTagChars);
  if (longTag) throw new InputError(`tag "${longTag.slice(0, 20)}…" is longer than ${MEMORY_LIMITS.maxTagChars} characters`);
}

/** Says where the secret was and what kind it looks like, never the secret itself. */
function refuseSecrets(content: string, rawTags: readonly string[], key: string | undefined): void {
  const places: Array<[string, string]> = [["the content", content], ...(key === undefined ? [] : [["the key", key] as [string, string]])];
  rawTags.forEach((tag, i) => places.push([`tag ${i + 1} of ${rawTags.length}`, tag]));
  for (const [where, text] of places) {
    const secret = findSecret(text);
    if (secret) {
      throw new InputError(
        `refused: ${where} looks like it holds ${secret}. Memories are stored in plain text and outlive the conversation; save where the secret lives instead — an env var name (DB password: env DB_PASSWORD) or a vault path (vault:secret/data/db#password).`,
      );
    }
  }
}

function view(record: MemoryRecord, withHistory = true): MemoryView {
  return {
    id: record.id,
    content: record.content,
    tags: record.tags,
    scope: record.scope,
    project: record.project,
    ...(record.key ? { key: record.key } : {}),
    created_at: new Date(record.createdAt).toISOString(),
    updated_at: new Date(record.updatedAt).toISOString(),
    ...(withHistory ? { history: record.history.map((h) => ({ content: h.content, replaced_at: new Date(h.replacedAt).toISOString() })) } : {}),
  };
}
