import { ExpiredHashError, StoreUnavailableError, UnknownHashError } from "../engine/errors.js";
import type { Logger } from "../log.js";
import type { Backend } from "./backend.js";
import { contentHash } from "./hash.js";
import type { Namespace } from "./namespace.js";

/**
 * The compress-cache-retrieve store: originals by hash, so a marker handed out in one turn
 * resolves in a later one and after a restart.
 *
 * Two namespaces: `ccr-blob` holds originals, `ccr-meta` a small record per hash (sizes, token
 * counts, times, retrieval count, and the key of its original). Time-to-live is ours, not Keyv's,
 * so that an expired entry leaves a tombstone and retrieval can tell "expired" from "never
 * stored"; each access pushes the expiry forward. A sweep tombstones expired records, evicts the
 * least recently used ones over the size cap, and deletes an original only once its record has
 * been a tombstone for a while.
 *
 * Why that order is safe with several writers (concurrent calls, several server processes on one
 * file): a write that revives a tombstoned hash puts its original under a new key, so a late
 * delete of the old key cannot touch it; a write that refreshes a live record overwrites any
 * tombstone written meanwhile, and the sweep re-reads the record before it deletes an original.
 * So a live record always has its original.
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
  /** Where the original is (`ccr-blob` key); the hash itself for records written before keys varied. */
  blobKey?: string;
  /** What the original takes in the store (it is stored JSON-escaped): what the size cap counts. */
  storedBytes?: number;
  /** Set when the record became a tombstone (expired, evicted, or its original found missing). */
  gone?: { reason: GoneReason; at: number; originalDeleted?: boolean } | undefined;
}

type GoneReason = "expired" | "evicted" | "lost";

export type NewEntry = Pick<EntryMeta, "contentType" | "compressor" | "language" | "toolName" | "originalTokens" | "compressedTokens">;

export interface StoreOptions {
  ttlMs: number;
  maxBytes: number;
  /** Injected clock, so expiry can be tested without sleeping. */
  now?: () => number;
  /** How long an original outlives its record's tombstone (see the class comment). */
  deleteGraceMs?: number;
}

export interface StoreInfo {
  kind: "sqlite" | "redis" | "memory";
  location: string;
  degraded: string | undefined;
  /** Set when users other than the owner can read the store; says how to fix it. */
  exposed: string | undefined;
  entries: number;
  /** What the store holds: live originals, originals waiting out the grace period, and every record. */
  bytes: number;
  ttlMs: number;
  maxBytes: number;
}

const TOMBSTONE_KEEP_MS = 7 * 24 * 3600 * 1000;
const DELETE_GRACE_MS = 5 * 60 * 1000;
const EVICT_TO_SHARE = 0.9;
/** Key, JSON wrapper and row overhead of one stored value, roughly. */
const ROW_OVERHEAD = 64;

export class CcrStore {
  private readonly meta: Namespace<EntryMeta>;
  private readonly blobs: Namespace<string>;
  private readonly now: () => number;
  private readonly deleteGraceMs: number;
  private bytesSinceSweep = 0;
  private sweeping: Promise<void> | undefined;

  constructor(
    private readonly backend: Backend,
    private readonly options: StoreOptions,
    private readonly logger: Logger,
  ) {
    this.meta = backend.namespace<EntryMeta>("ccr-meta");
    this.blobs = backend.namespace<string>("ccr-blob");
    this.now = options.now ?? Date.now;
    this.deleteGraceMs = options.deleteGraceMs ?? DELETE_GRACE_MS;
  }

  /**
   * Stores an original (idempotent: the same text always lands on the same hash). Resolves only
   * once the store has acknowledged both writes; throws StoreUnavailableError otherwise, and the
   * caller must not hand out the hash.
   */
  async put(original: string, entry: NewEntry, hash = contentHash(original)): Promise<EntryMeta> {
    const damaged = this.backend.health.damaged;
    if (damaged) throw new StoreUnavailableError(damaged);
    const now = this.now();
    const existing = await this.meta.get(hash);
    const live = existing !== undefined && !existing.gone && (await this.blobs.has(blobKeyOf(existing)));
    let blobKey: string;
    let storedBytes: number;
    if (live) {
      blobKey = blobKeyOf(existing);
      storedBytes = existing.storedBytes ?? existing.bytes;
    } else {
      // a new key when reviving a tombstone: a sweep may still delete the old one
      blobKey = existing === undefined ? hash : `${hash}.${now.toString(36)}`;
      storedBytes = storedSize(original) + ROW_OVERHEAD;
      await this.blobs.set(blobKey, original);
      this.bytesSinceSweep += storedBytes;
    }
    const meta: EntryMeta = {
      hash,
      bytes: Buffer.byteLength(original, "utf8"),
      chars: original.length,
      ...entry,
      createdAt: live ? existing.createdAt : now,
      lastAccess: now,
      expiresAt: now + this.options.ttlMs,
      retrievals: live ? existing.retrievals : 0,
      blobKey,
      storedBytes,
    };
    try {
      await this.meta.set(hash, meta);
      // a sweep may have buried the record and, past the grace period, deleted its original
      // between the check above and this write (a put stalled behind a busy database): store it again
      if (live && !(await this.blobs.has(blobKey))) await this.blobs.set(blobKey, original);
    } catch (error) {
      if (!live) await this.blobs.delete(blobKey).catch(() => undefined);
      throw error;
    }
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
    const original = await this.blobs.get(blobKeyOf(meta));
    if (original === undefined) {
      // deleted behind our back (by hand, or a crash of an older version): say so, and let the
      // next compression of the same content store it again
      await this.bury(meta, "lost", now);
      throw new ExpiredHashError(hash, "lost", now - meta.lastAccess);
    }
    const touched: EntryMeta = { ...meta, lastAccess: now, expiresAt: now + this.options.ttlMs, retrievals: meta.retrievals + 1 };
    await this.meta.set(hash, touched);
    return { original, meta: touched };
  }

  async info(): Promise<StoreInfo> {
    let entries = 0;
    let bytes = 0;
    const now = this.now();
    try {
      for await (const [, meta] of this.meta.entries()) {
        bytes += recordSize(meta) + heldBytes(meta);
        if (!meta.gone && meta.expiresAt > now) entries++;
      }
    } catch {
      // the failure is in `degraded`; the figures are what could be read
    }
    return {
      kind: this.backend.kind,
      location: this.backend.location,
      degraded: this.backend.health.degraded,
      exposed: this.backend.exposed,
      entries,
      bytes,
      ttlMs: this.options.ttlMs,
      maxBytes: this.options.maxBytes,
    };
  }

  /**
   * Tombstones expired records, deletes originals whose tombstone is older than the grace period,
   * forgets old tombstones and, over the size cap, evicts the least recently used originals until
   * the store is at 90% of the cap. Safe to run from several processes at once.
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
    for await (const [, meta] of this.meta.entries()) records.push(meta);
    let total = 0;
    for (let meta of records) {
      if (meta.gone && !meta.gone.originalDeleted && now - meta.gone.at >= this.deleteGraceMs) {
        meta = (await this.deleteOriginal(meta)) ?? meta;
      }
      if (meta.gone) {
        if (now - meta.gone.at > TOMBSTONE_KEEP_MS && meta.gone.originalDeleted) {
          await this.meta.delete(meta.hash);
          continue;
        }
      } else if (meta.expiresAt <= now) {
        const buried = await this.buryIfUnchanged(meta, "expired", now);
        if (buried) meta = buried;
        else continue; // stored or read again since the sweep listed it: counted by the next sweep
      } else {
        live.push(meta);
      }
      // originals of tombstones wait out the grace period and are then deleted: counted as gone
      // already, or sweeps would evict every live original while they wait
      total += recordSize(meta) + (meta.gone ? 0 : heldBytes(meta));
    }
    if (total <= this.options.maxBytes) return;
    live.sort((a, b) => a.lastAccess - b.lastAccess || (a.hash < b.hash ? -1 : 1));
    for (const meta of live) {
      if (total <= this.options.maxBytes * EVICT_TO_SHARE) break;
      if (await this.buryIfUnchanged(meta, "evicted", now)) total -= heldBytes(meta);
    }
    this.logger.info(`store over its ${this.options.maxBytes} byte cap: evicted least recently used originals`);
  }

  /** Deletes a tombstone's original if the record is still that tombstone; returns the updated record. */
  private async deleteOriginal(tombstone: EntryMeta): Promise<EntryMeta | undefined> {
    const current = await this.meta.get(tombstone.hash);
    if (!current?.gone || blobKeyOf(current) !== blobKeyOf(tombstone)) return current; // revived meanwhile
    await this.blobs.delete(blobKeyOf(current));
    const updated: EntryMeta = { ...current, gone: { ...current.gone, originalDeleted: true } };
    await this.meta.set(current.hash, updated);
    return updated;
  }

  /**
   * Buries a record the sweep listed only if it is still as listed: a put or a retrieval since
   * then made it recently used (and may have given it a new original), and a stale copy written
   * back would undo that. Keyv has no compare-and-set, so this narrows the window, not closes it;
   * put's check after its write covers the rest.
   */
  private async buryIfUnchanged(listed: EntryMeta, reason: GoneReason, now: number): Promise<EntryMeta | undefined> {
    const current = await this.meta.get(listed.hash);
    if (!current || current.gone || current.lastAccess !== listed.lastAccess || blobKeyOf(current) !== blobKeyOf(listed)) return undefined;
    return this.bury(current, reason, now);
  }

  private async bury(meta: EntryMeta, reason: GoneReason, now: number): Promise<EntryMeta> {
    const tombstone: EntryMeta = { ...meta, gone: { reason, at: now } };
    await this.meta.set(meta.hash, tombstone);
    return tombstone;
  }
}

function blobKeyOf(meta: EntryMeta): string {
  return meta.blobKey ?? meta.hash;
}

/** Bytes of a record's original still in the store (a tombstone's until it is deleted). */
function heldBytes(meta: EntryMeta): number {
  return meta.gone?.originalDeleted ? 0 : (meta.storedBytes ?? meta.bytes);
}

/** The record itself: small, but tombstones add up over a week. */
function recordSize(meta: EntryMeta): number {
  return ROW_OVERHEAD + 240 + meta.contentType.length + meta.compressor.length + (meta.toolName?.length ?? 0) + (meta.blobKey?.length ?? 0);
}

/**
 * UTF-8 bytes of the JSON string literal of `text`: what the store writes (control characters
 * become six-byte escapes, so a megabyte of them takes six).
 */
export function storedSize(text: string): number {
  let size = 2;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) size += c < 0x20 ? (c === 10 || c === 13 || c === 9 || c === 8 || c === 12 ? 2 : 6) : c === 34 || c === 92 ? 2 : 1;
    else if (c < 0x800) size += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      size += 4;
      i++;
    } else size += c >= 0xd800 && c <= 0xdfff ? 6 : 3; // a lone surrogate is written as an escape
  }
  return size;
}
