import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openBackend, type Backend } from "../../../src/ccr/backend.js";
import { contentHash } from "../../../src/ccr/hash.js";
import { CcrStore, type NewEntry } from "../../../src/ccr/store.js";
import { ExpiredHashError, UnknownHashError } from "../../../src/engine/errors.js";
import { quietLogger } from "../../helpers/engine.js";

const entry: NewEntry = { contentType: "json", compressor: "json", toolName: "test", originalTokens: 100, compressedTokens: 10 };
const HOUR = 3_600_000;
const open: Backend[] = [];

async function sqliteStore(path: string, clock: { now: number }, options: { ttlMs?: number; maxBytes?: number } = {}) {
  const backend = await openBackend({ kind: "sqlite", path }, quietLogger);
  open.push(backend);
  return { backend, store: new CcrStore(backend, { ttlMs: options.ttlMs ?? HOUR, maxBytes: options.maxBytes ?? 1e9, now: () => clock.now }, quietLogger) };
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((b) => b.close()));
});

describe("CCR store on a SQLite file", () => {
  it("stores by content hash, idempotently, and survives reopening the file", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "headroom-store-")), "store.sqlite");
    const clock = { now: 1_000_000 };
    const first = await sqliteStore(path, clock);
    expect(first.backend.kind).toBe("sqlite");
    const original = "x".repeat(5000) + " ünïcødé ✓";
    const meta = await first.store.put(original, entry);
    expect(meta.hash).toBe(contentHash(original));
    expect(meta.bytes).toBe(Buffer.byteLength(original));
    await first.store.put(original, entry); // same input, same hash, one entry
    expect((await first.store.info()).entries).toBe(1);
    await first.backend.close();
    open.splice(open.indexOf(first.backend), 1);

    const second = await sqliteStore(path, clock);
    const got = await second.store.get(meta.hash);
    expect(got.original).toBe(original);
    expect(got.meta.retrievals).toBe(1);
    expect(got.meta.toolName).toBe("test");
  });

  it("tells an unknown hash from an expired one, and refreshes the TTL on access", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "headroom-store-")), "store.sqlite");
    const clock = { now: 1_000_000 };
    const { store } = await sqliteStore(path, clock, { ttlMs: HOUR });
    const { hash } = await store.put("some original text", entry);
    await expect(store.get("0".repeat(24))).rejects.toBeInstanceOf(UnknownHashError);
    clock.now += 0.9 * HOUR;
    await store.get(hash); // access pushes expiry to now + 1 h
    clock.now += 0.9 * HOUR;
    expect((await store.get(hash)).original).toBe("some original text");
    clock.now += 1.1 * HOUR;
    await expect(store.get(hash)).rejects.toBeInstanceOf(ExpiredHashError);
    await expect(store.get(hash)).rejects.toThrow(/expired/);
    expect((await store.info()).entries).toBe(0);
  });

  it("evicts least recently used originals over the size cap", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "headroom-store-")), "store.sqlite");
    const clock = { now: 1_000_000 };
    const { store } = await sqliteStore(path, clock, { maxBytes: 3500 });
    const hashes: string[] = [];
    for (let i = 0; i < 5; i++) {
      clock.now += 1000;
      hashes.push((await store.put(`${i}`.repeat(1000), entry)).hash);
      if (i === 2) {
        clock.now += 1000;
        await store.get(hashes[0]!); // recently used: survives
      }
    }
    await store.sweep();
    const info = await store.info();
    expect(info.bytes).toBeLessThanOrEqual(3500 * 0.9);
    expect((await store.get(hashes[0]!)).original).toBe("0".repeat(1000));
    await expect(store.get(hashes[1]!)).rejects.toThrow(/evicted/);
    expect((await store.get(hashes[4]!)).original).toBe("4".repeat(1000));
  });

  it("falls back to memory, and says so, when the file cannot be opened", async () => {
    const dir = mkdtempSync(join(tmpdir(), "headroom-store-"));
    writeFileSync(join(dir, "not-a-dir"), "a file where a directory should be");
    const backend = await openBackend({ kind: "sqlite", path: join(dir, "not-a-dir", "store.sqlite") }, quietLogger);
    open.push(backend);
    expect(backend.kind).toBe("memory");
    expect(backend.degraded).toMatch(/unavailable/);
    const store = new CcrStore(backend, { ttlMs: HOUR, maxBytes: 1e9 }, quietLogger);
    const { hash } = await store.put("kept in memory", entry);
    expect((await store.get(hash)).original).toBe("kept in memory");
    expect((await store.info()).degraded).toMatch(/unavailable/);
  });

  it("lets two connections (two server processes) write to one file", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "headroom-store-")), "store.sqlite");
    const clock = { now: 1_000_000 };
    const a = await sqliteStore(path, clock);
    const b = await sqliteStore(path, clock);
    const writes = Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).store.put(`original number ${i}`, entry));
    const metas = await Promise.all(writes);
    for (const m of metas) expect((await a.store.get(m.hash)).original).toMatch(/^original number \d+$/);
    expect((await b.store.info()).entries).toBe(50);
  });
});
