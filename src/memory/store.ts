import type { Namespace } from "../ccr/namespace.js";
import { contentHash } from "../ccr/hash.js";
import { InputError, MemoryNotFoundError } from "../engine/errors.js";
import { terms } from "../relevance/terms.js";
import { findSecret } from "./secrets.js";

/**
 * Facts that outlive a conversation. One Keyv record per memory (namespace `memory`), so two
 * servers writing at once never overwrite a shared index; each process keeps a searchable copy
 * (terms and an inverted index) that it refreshes from the store when it is more than a second
 * old. A memory saved with a `key` has an id derived from scope, project and key, so saving the
 * key again replaces it (the old text goes to its history); a memory without a key has an id
 * derived from its text, and a near-duplicate of an existing memory updates that one instead.
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
  history: Array<{ content: string; replaced_at: string }>;
  score?: number;
}

export const MEMORY_LIMITS = { maxBytes: 8 * 1024, maxTags: 20, maxTagChars: 64, maxKeyChars: 200 } as const;
const CACHE_MS = 1000;
const NEAR_DUPLICATE = 0.75;
const HISTORY_KEPT = 10;
const K1 = 1.2;
const B = 0.75;

interface Indexed {
  record: MemoryRecord;
  terms: string[];
  /** Term frequencies; its keys are the memory's distinct terms. */
  tf: Map<string, number>;
  lower: string;
}

export class MemoryStore {
  private cache = new Map<string, Indexed>();
  private postings = new Map<string, Set<string>>();
  private totalTerms = 0;
  private loadedAt = -Infinity;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly store: Promise<Namespace<MemoryRecord>>,
    private readonly now: () => number = Date.now,
  ) {}

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
    await (await this.store).set(id, record);
    this.index(record);
    return {
      memory: view(record),
      ...(existing && reason
        ? { superseded: { id: existing.id, reason, previous: existing.content, ...(keptTags.length > 0 ? { kept_tags: keptTags } : {}), note: supersededNote(reason) + tagNote } }
        : {}),
      ...(existing && !reason && tagNote ? { note: `this memory was already saved${tagNote}` } : {}),
    };
  }

  async search(input: { query: string; scope: Scope | "all"; project: string; tags?: string[] | undefined; limit: number }): Promise<{ results: MemoryView[]; inScope: number }> {
    const query = input.query.trim();
    if (!query) throw new InputError("query is empty: say what you are looking for");
    await this.refresh();
    const candidates = this.filter(input.scope, input.project, input.tags);
    const phrase = query.toLowerCase();
    const scores = this.bm25(query);
    const now = this.now();
    // the best `limit` by (exact phrase, boosted score, newer, id), kept in order as we go
    const top: Array<{ c: Indexed; exact: boolean; score: number }> = [];
    const before = (a: (typeof top)[number], b: (typeof top)[number]) =>
      a.exact !== b.exact ? a.exact : a.score !== b.score ? a.score > b.score : a.c.record.updatedAt !== b.c.record.updatedAt ? a.c.record.updatedAt > b.c.record.updatedAt : a.c.record.id < b.c.record.id;
    for (const c of candidates) {
      const relevance = scores.get(c.record.id) ?? 0;
      const exact = c.lower.includes(phrase);
      if (!exact && relevance <= 0) continue;
      const ageDays = (now - c.record.updatedAt) / 86_400_000;
      const entry = { c, exact, score: (relevance + (exact ? 10 : 0)) * (1 + 0.2 * Math.exp(-ageDays / 30)) };
      if (top.length === input.limit && !before(entry, top[top.length - 1]!)) continue;
      let at = top.length;
      while (at > 0 && before(entry, top[at - 1]!)) at--;
      top.splice(at, 0, entry);
      if (top.length > input.limit) top.pop();
    }
    return {
      results: top.map((r) => ({ ...view(r.c.record), score: Math.round(r.score * 1000) / 1000 })),
      inScope: candidates.length,
    };
  }

  async list(input: { scope: Scope | "all"; project: string; tags?: string[] | undefined; limit: number; offset: number }): Promise<{ memories: MemoryView[]; total: number }> {
    await this.refresh();
    const all = this.filter(input.scope, input.project, input.tags).sort(
      (a, b) => b.record.updatedAt - a.record.updatedAt || (a.record.id < b.record.id ? -1 : 1),
    );
    return { memories: all.slice(input.offset, input.offset + input.limit).map((c) => view(c.record)), total: all.length };
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
    const rarest = [...mine].sort((a, b) => (this.postings.get(a)?.size ?? 0) - (this.postings.get(b)?.size ?? 0) || (a < b ? -1 : 1));
    const probe = rarest.slice(0, Math.floor((1 - NEAR_DUPLICATE) * mine.size) + 1);
    const seen = new Set<string>();
    let best: { record: MemoryRecord; similarity: number } | undefined;
    for (const term of probe) {
      for (const id of this.postings.get(term) ?? []) {
        if (seen.has(id)) continue;
        seen.add(id);
        const other = this.cache.get(id)!;
        if (other.record.scope !== scope || other.record.project !== project) continue;
        let shared = 0;
        for (const t of mine) if (other.tf.has(t)) shared++;
        const similarity = shared / (mine.size + other.tf.size - shared);
        if (similarity >= NEAR_DUPLICATE && (!best || similarity > best.similarity)) best = { record: other.record, similarity };
      }
    }
    return best?.record;
  }

  /** BM25 over content and tags, visiting only memories that hold a query term. */
  private bm25(query: string): Map<string, number> {
    const scores = new Map<string, number>();
    const queryTerms = [...new Set(terms(query))];
    if (queryTerms.length === 0 || this.cache.size === 0) return scores;
    const avgdl = this.totalTerms / this.cache.size || 1;
    const n = this.cache.size;
    for (const term of queryTerms) {
      const posting = this.postings.get(term);
      if (!posting) continue;
      const idf = Math.log(1 + (n - posting.size + 0.5) / (posting.size + 0.5));
      for (const id of posting) {
        const c = this.cache.get(id)!;
        const f = c.tf.get(term)!;
        const score = idf * ((f * (K1 + 1)) / (f + K1 * (1 - B + (B * c.terms.length) / avgdl)));
        scores.set(id, (scores.get(id) ?? 0) + score);
      }
    }
    return scores;
  }

  /** Reloads from the store when the copy is more than a second old (another process may have written). */
  private async refresh(): Promise<void> {
    if (this.now() - this.loadedAt < CACHE_MS) return;
    this.loading ??= (async () => {
      const fresh = new Map<string, Indexed>();
      for await (const [, record] of (await this.store).entries()) fresh.set(record.id, indexed(record));
      this.cache = fresh;
      this.postings = new Map();
      this.totalTerms = 0;
      for (const c of fresh.values()) this.post(c);
      this.loadedAt = this.now();
    })().finally(() => {
      this.loading = undefined;
    });
    await this.loading;
  }

  private index(record: MemoryRecord): void {
    this.unindex(record.id);
    const c = indexed(record);
    this.cache.set(record.id, c);
    this.post(c);
  }

  private unindex(id: string): void {
    const old = this.cache.get(id);
    if (!old) return;
    for (const t of old.tf.keys()) this.postings.get(t)?.delete(id);
    this.totalTerms -= old.terms.length;
    this.cache.delete(id);
  }

  private post(c: Indexed): void {
    this.totalTerms += c.terms.length;
    for (const t of c.tf.keys()) {
      let set = this.postings.get(t);
      if (!set) {
        set = new Set();
        this.postings.set(t, set);
      }
      set.add(c.record.id);
    }
  }
}

/** The id of a memory saved with a key: the same scope, project and key always land on it. */
function keyedId(scope: Scope, project: string | null, key: string): string {
  return contentHash(`key\u0000${scope}\u0000${project ?? ""}\u0000${key}`);
}

function indexed(record: MemoryRecord): Indexed {
  const all = terms(`${record.content} ${record.tags.join(" ")} ${record.key ?? ""}`);
  const tf = new Map<string, number>();
  for (const t of all) tf.set(t, (tf.get(t) ?? 0) + 1);
  return { record, terms: all, tf, lower: record.content.toLowerCase() };
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

function view(record: MemoryRecord): MemoryView {
  return {
    id: record.id,
    content: record.content,
    tags: record.tags,
    scope: record.scope,
    project: record.project,
    ...(record.key ? { key: record.key } : {}),
    created_at: new Date(record.createdAt).toISOString(),
    updated_at: new Date(record.updatedAt).toISOString(),
    history: record.history.map((h) => ({ content: h.content, replaced_at: new Date(h.replacedAt).toISOString() })),
  };
}
