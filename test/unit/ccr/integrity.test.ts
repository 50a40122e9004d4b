import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, statSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { openBackend, type Backend, type BackendOptions } from "../../../src/ccr/backend.js";
import { contentHash } from "../../../src/ccr/hash.js";
import { CcrStore, type EntryMeta, type NewEntry } from "../../../src/ccr/store.js";
import { Engine } from "../../../src/engine/engine.js";
import { StoreUnavailableError } from "../../../src/engine/errors.js";
import { MemoryStore, type MemoryRecord } from "../../../src/memory/store.js";
import { StatsRecorder } from "../../../src/stats/stats.js";
import type { TokenCounter } from "../../../src/tokens/counter.js";
import { fixture } from "../../helpers/data.js";
import { quietLogger } from "../../helpers/engine.js";
import { loadedCounter } from "../../helpers/tokens.js";

/**
 * The store's promises under failure, on real SQLite files: a hash is handed out only when its
 * original is written; a failing or damaged store is reported, never silent; eviction racing
 * with writes never leaves a live record without its original.
 */
const entry: NewEntry = { contentType: "text", compressor: "text", toolName: "test", originalTokens: 100, compressedTokens: 10 };
const opened: Backend[] = [];
let tokens: TokenCounter;

beforeAll(async () => {
  tokens = await loadedCounter();
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((b) => b.close()));
});

function tempStorePath(): string {
  return join(mkdtempSync(join(tmpdir(), "headroom-integrity-")), "store.sqlite");
}

async function open(path: string, options: BackendOptions = {}, storeOptions: { maxBytes?: number; deleteGraceMs?: number } = {}) {
  const backend = await openBackend({ kind: "sqlite", path }, quietLogger, options);
  opened.push(backend);
  const store = new CcrStore(backend, { ttlMs: 3_600_000, maxBytes: storeOptions.maxBytes ?? 1e9, deleteGraceMs: storeOptions.deleteGraceMs }, quietLogger);
  const engine = new Engine({ store: Promise.resolve(store), tokens, stats: new StatsRecorder(Promise.resolve(backend.namespace("stats")), quietLogger), logger: quietLogger });
  return { backend, store, engine };
}

/** Another process's connection holding SQLite's write lock. */
async function holdWriteLock(path: string): Promise<() => Promise<void>> {
  const sqlite3 = createRequire(createRequire(import.meta.url).resolve("@keyv/sqlite"))("sqlite3") as {
    Database: new (path: string, callback: (error: Error | null) => void) => { exec(sql: string, callback: (error: Error | null) => void): void; close(callback: () => void): void };
  };
  const db = await new Promise<InstanceType<typeof sqlite3.Database>>((resolve, reject) => {
    const handle = new sqlite3.Database(path, (error) => (error ? reject(error) : resolve(handle)));
  });
  await new Promise<void>((resolve, reject) => db.exec("BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS lock_holder(x);", (error) => (error ? reject(error) : resolve())));
  return () => new Promise<void>((resolve) => db.exec("ROLLBACK", () => db.close(() => resolve())));
}

const bigLog = () => fixture("logs/vitest-run.log");

describe("store integrity", () => {
  it("hands out no hash while another process holds the write lock, and says why", async () => {
    const path = tempStorePath();
    const { engine, backend, store } = await open(path, { busyTimeoutMs: 200 });
    const release = await holdWriteLock(path);
    const blocked = await engine.compress({ content: bigLog() });
    expect(blocked.hash).toBeUndefined();
    expect(blocked.compressed).toBe(bigLog());
    expect(blocked.note).toMatch(/the store could not keep the original \(.*(locked|busy)/i);
    expect(backend.health.degraded).toMatch(/locked|busy/i);
    const info = await store.info(); // stats still answer
    expect(info.degraded).toMatch(/locked|busy/i);
    await release();
    const fine = await engine.compress({ content: bigLog() });
    expect(fine.hash).toMatch(/^[0-9a-f]{24}$/);
    expect(backend.health.degraded).toBeUndefined();
    const page = (await engine.retrieve({ hash: fine.hash! })).content;
    expect(page.length).toBeGreaterThan(1000);
    expect(bigLog().startsWith(page)).toBe(true);
  });

  it("says a memory was not saved when the write fails", async () => {
    const path = tempStorePath();
    const { backend } = await open(path, { busyTimeoutMs: 200 });
    const memory = new MemoryStore(Promise.resolve(backend.namespace<MemoryRecord>("memory")));
    await memory.list({ scope: "all", project: "/p", limit: 10, offset: 0 });
    const release = await holdWriteLock(path);
    await expect(memory.save({ content: "The staging database is db-staging-2", scope: "project", project: "/p" })).rejects.toBeInstanceOf(StoreUnavailableError);
    await release();
    expect((await memory.list({ scope: "all", project: "/p", limit: 10, offset: 0 })).total).toBe(0);
  });

  it("detects a damaged file, stores nothing new in it, and keeps answering", async () => {
    const path = tempStorePath();
    const first = await open(path);
    for (let i = 0; i < 60; i++) await first.store.put(`record ${i} `.repeat(400), entry);
    await first.backend.close();
    opened.splice(0);
    // garbage over the pages after the header page, as a bad disk or a stray write would leave
    const size = readFileSync(path).length;
    const fd = openSync(path, "r+");
    const garbage = Buffer.alloc(size - 8192, 0x5a);
    writeSync(fd, garbage, 0, garbage.length, 8192);
    closeSync(fd);

    const { backend, engine, store } = await open(path, { integrityCheckDelayMs: 0 });
    if (backend.kind === "sqlite") {
      const deadline = Date.now() + 10_000;
      while (!backend.health.damaged && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      const why = `file ${size} bytes, wal ${existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : "none"}, degraded: ${backend.health.degraded}`;
      expect(backend.health.damaged, why).toMatch(/damaged .*malformed|damaged .*quick_check/i);
    } else {
      expect(backend.health.degraded).toMatch(/malformed|not a database/i);
    }
    const result = await engine.compress({ content: bigLog() });
    if (backend.kind === "sqlite") {
      expect(result.hash).toBeUndefined();
      expect(result.note).toMatch(/damaged/);
    }
    const info = await store.info();
    expect(info.degraded).toMatch(/damaged|malformed|not a database/i);
  });

  it("never leaves a live record without its original when eviction races with writes", { timeout: 60_000 }, async () => {
    const path = tempStorePath();
    const { backend, store } = await open(path, {}, { maxBytes: 48 * 1024, deleteGraceMs: 200 });
    const contents = Array.from({ length: 40 }, (_, i) => `${i}:`.padEnd(600 + i * 37, String.fromCharCode(97 + (i % 26))));
    let next = 0;
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= 900) return;
        const content = contents[(i * 7) % contents.length]!;
        await store.put(content, entry);
        if (i % 5 === 0) await store.get(contentHash(content)).catch(() => undefined);
        if (i % 50 === 0) await new Promise((r) => setTimeout(r, 10));
      }
    };
    await Promise.all(Array.from({ length: 80 }, worker));
    await store.sweep();
    await new Promise((r) => setTimeout(r, 250));
    await store.sweep(); // deletes the originals of tombstones past the grace period
    const metas = backend.namespace<EntryMeta>("ccr-meta");
    const blobs = backend.namespace<string>("ccr-blob");
    let live = 0;
    for await (const [, meta] of metas.entries()) {
      if (meta.gone) continue;
      live++;
      expect(await blobs.has(meta.blobKey ?? meta.hash)).toBe(true);
    }
    expect(live).toBeGreaterThan(0);
    // every content compressed again resolves again
    for (const content of contents) {
      const { hash } = await store.put(content, entry);
      expect((await store.get(hash)).original).toBe(content);
    }
  });

  it("gives a lone surrogate and U+FFFD different hashes, and returns each exactly", async () => {
    const { store } = await open(tempStorePath());
    const lone = "value: \ud800 end ".repeat(50);
    const replaced = "value: \ufffd end ".repeat(50);
    expect(contentHash(lone)).not.toBe(contentHash(replaced));
    expect(contentHash(replaced)).toMatch(/^[0-9a-f]{24}$/);
    const a = await store.put(lone, entry);
    const b = await store.put(replaced, entry);
    expect((await store.get(a.hash)).original).toBe(lone);
    expect((await store.get(b.hash)).original).toBe(replaced);
  });
});
