import type Keyv from "keyv";
import { ExpiredHashError, UnknownHashError } from "../engine/errors.js";
import type { Logger } from "../log.js";
import { entriesOf, type Backend } from "./backend.js";
import { contentHash } from "./hash.js";

/**
 * The compress-cache-retrieve store: originals by hash, so a marker handed out in one turn
 * resolves in a later one and after a restart.
 *
 * Two namespaces: `ccr-blob` holds originals, `ccr-meta` a small record per hash (sizes, token
 * counts, times, retrieval count). Time-to-live is ours, not Keyv's, so that an expired entry
 * leaves a tombstone and retrieval can tell "expired" from "never stored"; each access pushes the
 * expiry forward. A sweep deletes expired originals and evicts the least recently used ones when
 * the store grows over its size cap.
 */
export interface EntryMeta {
  hash: string;
  bytes: number;
  chars: number;
  contentType: string;
  compressor: string;
  /** The programming language, for code. */
  language?: string | undefined;
  toolName: string | undefined;
  originalTokens: number;
  compressedTokens: number;
  createdAt: number;
  lastAccess: number;
  expiresAt: number;
  retrievals: number;
  /** Set when the original was deleted (expired or evicted); the record stays as a tombstone. */
  gone?: { reason: "expired" | "evicted"; at: number } | undefined;
}

export type NewEntry = Pick<EntryMeta, "contentType" | "compressor" | "language" | "toolName" | "originalTokens" | "compressedTokens">;

export interface StoreOptions {
  ttlMs: number;
  maxBytes: number;
  /** Injected clock, so expiry can be tested without sleeping. */
  now?: () => number;
}

export interface StoreInfo {
  kind: "sqlite" | "redis" | "memory";
  location: string;
  degraded: string | undefined;
  /** Set when users other than the owner can read the store; says how to fix it. */
  exposed: string | undefined;
  entries: number;
  bytes: number;
  ttlMs: number;
  maxBytes: number;
}

const TOMBSTONE_KEEP_MS = 7 * 24 * 3600 * 1000;
const EVICT_TO_SHARE = 0.9;

export class CcrStore {
  private readonly meta: Keyv<EntryMeta>;
  private readonly blobs: Keyv<string>;
  private readonly now: () => number;
  private bytesSinceSweep = 0;
  private sweeping: Promise<void> | undefined;

  constructor(
    private readonly backend: Backend,
    private readonly options: StoreOptions,
    private readonly logger: Logger,
  ) {
    this.meta = backend.namespace("ccr-meta") as Keyv<EntryMeta>;
    this.blobs = backend.namespace("ccr-blob") as Keyv<string>;
    this.now = options.now ?? Date.now;
  }

  /** Stores an original (idempotent: the same text always lands on the same hash). */
  async put(original: string, entry: NewEntry, hash = contentHash(original)): Promise<EntryMeta> {
    const now = this.now();
    const existing = await this.meta.get(hash);
    const bytes = Buffer.byteLength(original, "utf8");
    // A live record implies its original is there: originals are written before their record
    // and a record is tombstoned before its original is deleted.
    if (existing === undefined || existing.gone) {
      await this.blobs.set(hash, original);
      this.bytesSinceSweep += bytes;
    }
    const meta: EntryMeta = {
      hash,
      bytes,
      chars: original.length,
      ...entry,
      createdAt: existing && !existing.gone ? existing.createdAt : now,
      lastAccess: now,
      expiresAt: now + this.options.ttlMs,
      retrievals: existing && !existing.gone ? existing.retrievals : 0,
    };
    await this.meta.set(hash, meta);
    if (this.bytesSinceSweep > this.options.maxBytes / 10) this.sweepInBackground();
    return meta;
  }

  /** The original and its record; refreshes the time-to-live. Throws Unknown/ExpiredHashError. */
  async get(hash: string): Promise<{ original: string; meta: EntryMeta }> {
    const now = this.now();
    const meta = await this.meta.get(hash);
    if (!meta) throw new UnknownHashError(hash);
    if (meta.gone) throw new ExpiredHashError(hash, meta.gone.reason, now - meta.lastAccess);
    if (meta.expiresAt <= now) {
      await this.bury(meta, "expired", now);
      throw new ExpiredHashError(hash, "expired", now - meta.lastAccess);
    }
    const original = await this.blobs.get(hash);
    if (original === undefined) {
      // another process evicted it between our two reads
      throw new ExpiredHashError(hash, "evicted", now - meta.lastAccess);
    }
    const touched: EntryMeta = { ...meta, lastAccess: now, expiresAt: now + this.options.ttlMs, retrievals: meta.retrievals + 1 };
    await this.meta.set(hash, touched);
    return { original, meta: touched };
  }

  async info(): Promise<StoreInfo> {
    let entries = 0;
    let bytes = 0;
    const now = this.now();
    for await (const [, meta] of entriesOf(this.meta)) {
      if (meta.gone || meta.expiresAt <= now) continue;
      entries++;
      bytes += meta.bytes;
    }
    return {
      kind: this.backend.kind,
      location: this.backend.location,
      degraded: this.backend.degraded,
      exposed: this.backend.exposed,
      entries,
      bytes,
      ttlMs: this.options.ttlMs,
      maxBytes: this.options.maxBytes,
    };
  }

  /**
   * Deletes expired originals, forgets old tombstones and, over the size cap, evicts the least
   * recently used originals until the store is at 90% of the cap. Safe to run from several
   * processes at once: every step is an idempotent delete or tombstone write.
   */
  sweep(): Promise<void> {
    // sweeps run one after another; a caller always waits for one that starts after its call
    const run: Promise<void> = (this.sweeping ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => this.runSweep())
      .finally(() => {
        if (this.sweeping === run) this.sweeping = undefined;
      });
    this.sweeping = run;
    return run;
  }

  async close(): Promise<void> {
    await this.sweeping?.catch(() => undefined);
  }

  private sweepInBackground(): void {
    this.sweep().catch((error: unknown) => this.logger.error("store sweep failed", error));
  }

  private async runSweep(): Promise<void> {
    this.bytesSinceSweep = 0;
    const now = this.now();
    const live: EntryMeta[] = [];
    const records: EntryMeta[] = [];
    for await (const [, meta] of entriesOf(this.meta)) records.push(meta);
    for (const meta of records) {
      if (meta.gone) {
        if (now - meta.gone.at > TOMBSTONE_KEEP_MS) await this.meta.delete(meta.hash);
      } else if (meta.expiresAt <= now) {
        await this.bury(meta, "expired", now);
      } else {
        live.push(meta);
      }
    }
    let total = live.reduce((sum, m) => sum + m.bytes, 0);
    if (total <= this.options.maxBytes) return;
    live.sort((a, b) => a.lastAccess - b.lastAccess || (a.hash < b.hash ? -1 : 1));
    for (const meta of live) {
      if (total <= this.options.maxBytes * EVICT_TO_SHARE) break;
      await this.bury(meta, "evicted", now);
      total -= meta.bytes;
    }
    this.logger.info(`store over its ${this.options.maxBytes} byte cap: evicted least recently used originals`);
  }

  private async bury(meta: EntryMeta, reason: "expired" | "evicted", now: number): Promise<void> {
    await this.meta.set(meta.hash, { ...meta, gone: { reason, at: now } });
    await this.blobs.delete(meta.hash);
  }
}
