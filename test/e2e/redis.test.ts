import { describe, expect, it } from "vitest";
import { openBackend } from "../../src/ccr/backend.js";
import { CcrStore } from "../../src/ccr/store.js";
import { ExpiredHashError } from "../../src/engine/errors.js";
import { MemoryStore, type MemoryRecord } from "../../src/memory/store.js";
import { fixture } from "../helpers/data.js";
import { quietLogger } from "../helpers/engine.js";
import { startServer, text } from "../helpers/server.js";

/**
 * A store shared by many machines. Runs against a real redis-server: .ci/run installs one from
 * Debian's packages, starts it on loopback and sets HEADROOM_TEST_REDIS_URL.
 */
const base = process.env.HEADROOM_TEST_REDIS_URL;

describe.runIf(base)("the Redis store", () => {
  const url = (db: number) => `${base}/${db}`;

  it("keeps originals, tells expired from unknown, and sweeps, like the SQLite store", async () => {
    const backend = await openBackend({ kind: "redis", url: url(1) }, quietLogger);
    expect(backend.kind).toBe("redis");
    const clock = { now: Date.now() };
    const store = new CcrStore(backend, { ttlMs: 60_000, maxBytes: 1e9, now: () => clock.now }, quietLogger);
    const original = `redis original ${Math.random()}`;
    const { hash } = await store.put(original, { contentType: "text", compressor: "text", toolName: undefined, originalTokens: 10, compressedTokens: 5 });
    expect((await store.get(hash)).original).toBe(original);
    clock.now += 120_000;
    await expect(store.get(hash)).rejects.toBeInstanceOf(ExpiredHashError);
    await store.sweep();
    expect((await store.info()).kind).toBe("redis");
    await backend.close();
  });

  it("shares memories between two clients of one server", async () => {
    const backend = await openBackend({ kind: "redis", url: url(1) }, quietLogger);
    const memory = new MemoryStore(Promise.resolve(backend.namespace<MemoryRecord>("memory")));
    const fact = `The staging cluster is called kestrel-${Math.random().toString(36).slice(2, 8)}`;
    await memory.save({ content: fact, scope: "global", project: "/work/x" });
    const other = await openBackend({ kind: "redis", url: url(1) }, quietLogger);
    const seen = new MemoryStore(Promise.resolve(other.namespace<MemoryRecord>("memory")));
    expect((await seen.search({ query: fact, scope: "all", project: "/work/y", limit: 5 })).results[0]!.content).toBe(fact);
    await Promise.all([backend.close(), other.close()]);
  });

  it("resolves a hash written through one server process in another", async () => {
    const store = url(2);
    const [one, two] = await Promise.all([startServer(["--store", store]), startServer(["--store", store])]);
    try {
      const content = fixture("logs/vitest-run.log");
      const compressed = await one.call("compress_tool_result", { content });
      const { hash } = compressed.structuredContent as { hash: string };
      const found = await two.call("headroom_retrieve", { hash, query: "refunds a partial payment" });
      expect(found.isError, text(found)).toBeFalsy();
      expect(text(found)).toMatch(/refunds a partial payment/);
      const stats = (await two.call("headroom_stats", {})).structuredContent as { store: { kind: string } };
      expect(stats.store.kind).toBe("redis");
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  it("falls back to memory, and says so, when Redis does not answer", async () => {
    const backend = await openBackend({ kind: "redis", url: "redis://127.0.0.1:1" }, quietLogger);
    expect(backend.kind).toBe("memory");
    expect(backend.health.degraded).toMatch(/Redis store at redis:\/\/127\.0\.0\.1:1 unavailable/);
  });
});
