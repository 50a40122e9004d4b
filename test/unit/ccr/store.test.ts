import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openBackend, type Backend } from "../../../src/ccr/backend.js";
import { contentHash } from "../../../src/ccr/hash.js";
import { CcrStore, storedSize, type NewEntry } from "../../../src/ccr/store.js";
import { ExpiredHashError, UnknownHashError } from "../../../src/engine/errors.js";
import { quietLogger } from "../../helpers/engine.js";

const entry: NewEntry = { contentType: "json", compressor: "json", toolName: "test", originalTokens: 100, compressedTokens: 10 };
const HOUR = 3_600_000;
const open: Backend[] = [];

async function sqliteStore(path: string, clock: { now: number }, options: { ttlMs?: number; maxBytes?: number; deleteGraceMs?: number; busyTimeoutMs?: number } = {}) {
  const backend = await openBackend({ kind: "sqlite", path }, quietLogger, { busyTimeoutMs: options.busyTimeoutMs });
  open.push(backend);
  const store = new CcrStore(backend, { ttlMs: options.ttlMs ?? HOUR, maxBytes: options.maxBytes ?? 1e9, now: () => clock.now, deleteGraceMs: options.deleteGraceMs }, quietLogger);
  return { backend, store };
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

  it("evicts least recently used originals over the size cap, counting what is stored", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "headroom-store-")), "store.sqlite");
    const clock = { now: 1_000_000 };
    const { store } = await sqliteStore(path, clock, { maxBytes: 6000, deleteGraceMs: 0 });
    const hashes: string[] = [];
    for (let i = 0; i < 5; i++) {
      clock.now += 1000;
      hashes.push((await store.put(`${i}`.repeat(1000), entry)).hash);
      if (i === 2) {
        clock.now += 1000;
        await store.get(hashes[0]!); // recently used: survives
      }
    }
    expect((await store.info()).bytes).toBeGreaterThan(6000); // five originals and their records
    await store.sweep(); // evicts
    await store.sweep(); // deletes the evicted originals (no grace period here)
    const info = await store.info();
    expect(info.bytes).toBeLessThanOrEqual(6000 * 0.9);
    expect((await store.get(hashes[0]!)).original).toBe("0".repeat(1000));
    await expect(store.get(hashes[1]!)).rejects.toThrow(/evicted/);
    expect((await store.get(hashes[4]!)).original).toBe("4".repeat(1000));
    // compressing evicted content again stores it again, under the same hash
    await store.put("1".repeat(1000), entry);
    expect((await store.get(hashes[1]!)).original).toBe("1".repeat(1000));
  });

  it("counts originals as stored: control characters are six bytes each", async () => {
    const { store } = await sqliteStore(join(mkdtempSync(join(tmpdir(), "headroom-store-")), "store.sqlite"), { now: 1_000_000 });
    const meta = await store.put("\u0001".repeat(10_000), entry);
    expect(meta.bytes).toBe(10_000);
    expect(meta.storedBytes).toBeGreaterThanOrEqual(60_000);
    expect(storedSize("\u0001")).toBe(JSON.stringify("\u0001").length);
    for (const text of ['a"b\\c\n', "ünï ✓ 😀", "\ud800x", "tab\there"]) expect(storedSize(text)).toBe(Buffer.byteLength(JSON.stringify(text)));
  });

  it("falls back to memory, and says so, when the file cannot be opened", async () => {
    const dir = mkdtempSync(join(tmpdir(), "headroom-store-"));
    writeFileSync(join(dir, "not-a-dir"), "a file where a directory should be");
    const backend = await openBackend({ kind: "sqlite", path: join(dir, "not-a-dir", "store.sqlite") }, quietLogger);
    open.push(backend);
    expect(backend.kind).toBe("memory");
    expect(backend.health.degraded).toMatch(/unavailable/);
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
