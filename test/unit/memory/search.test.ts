import { afterEach, describe, expect, it } from "vitest";
import { openBackend } from "../../../src/ccr/backend.js";
import { EmbeddingsClient } from "../../../src/memory/embeddings.js";
import { MemoryStore, type MemoryRecord, type WriterStamp } from "../../../src/memory/store.js";
import { quietLogger } from "../../helpers/engine.js";
import { startFakeEmbeddings, type FakeEmbeddings } from "../../helpers/fake-embeddings.js";

const A = "/work/project-a";
const fakes: FakeEmbeddings[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

async function backend() {
  return openBackend({ kind: "memory" }, quietLogger);
}

function storeOn(b: Awaited<ReturnType<typeof backend>>, fake?: FakeEmbeddings, clock = { now: Date.UTC(2026, 11, 1) }) {
  const semantic = fake ? { client: new EmbeddingsClient({ url: fake.url, model: "fake-embed", apiKey: "local-key" }), logger: quietLogger } : undefined;
  return new MemoryStore(Promise.resolve(b.namespace<MemoryRecord>("memory")), () => clock.now, { semantic });
}

async function until(check: () => Promise<boolean>, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("memory search by words", () => {
  it("finds a preference asked for in other words, and says why", async () => {
    const store = storeOn(await backend());
    const pnpm = await store.save({ content: "The user prefers pnpm over npm in every project", scope: "global", project: A });
    await store.save({ content: "Release notes are written by the on-call engineer", scope: "project", project: A });
    const found = await store.search({ query: "package manager preference", scope: "all", project: A, limit: 5 });
    expect(found.mode).toBe("lexical");
    expect(found.results[0]!.id).toBe(pnpm.memory.id);
    expect(found.results[0]!.matched).toEqual(['stem "prefer" (preference ~ prefers)', 'related "package manager" → "npm", "pnpm"']);
  });

  it("matches identifiers by their words and by prefix, abbreviations, and ranks a tag above the text", async () => {
    const store = storeOn(await backend());
    const retry = await store.save({ content: "Use retryWithBackoff from src/lib/http.ts for every outbound call", scope: "project", project: A });
    const kube = await store.save({ content: "Run kubectl against the staging context only", scope: "project", project: A });
    const db = await store.save({ content: "Database migrations run before each deploy", scope: "project", project: A });
    const inText = await store.save({ content: "The billing service also deploys on Fridays", scope: "project", project: A });
    const tagged = await store.save({ content: "Staging is rebuilt every night from main", scope: "project", project: A, tags: ["billing"] });
    const top = async (query: string) => (await store.search({ query, scope: "all", project: A, limit: 3 })).results[0];
    expect((await top("retry backoff helper"))!.id).toBe(retry.memory.id);
    const prefix = await top("kube context");
    expect(prefix!.id).toBe(kube.memory.id);
    expect((await top("db migrations"))!.id).toBe(db.memory.id);
    expect((await top("db migrations"))!.matched).toContain('synonym "db" → "database"');
    const billing = await store.search({ query: "billing", scope: "all", project: A, limit: 3 });
    expect(billing.results.map((r) => r.id)).toEqual([tagged.memory.id, inText.memory.id]);
    expect(billing.results[0]!.matched).toEqual(['word "billing" (tag)']);
  });

  it("gives a memory's history only when asked", async () => {
    const store = storeOn(await backend());
    await store.save({ content: "Deploys go to main", scope: "project", project: A, key: "deploy" });
    await store.save({ content: "Deploys go to the release branch", scope: "project", project: A, key: "deploy" });
    const plain = await store.search({ query: "deploy branch", scope: "all", project: A, limit: 3 });
    expect(plain.results[0]!.history).toBeUndefined();
    const withHistory = await store.search({ query: "deploy branch", scope: "all", project: A, limit: 3, includeHistory: true });
    expect(withHistory.results[0]!.history!.map((h) => h.content)).toEqual(["Deploys go to main"]);
  });
});

describe("memory search by words and meaning (a fake embeddings server on loopback)", () => {
  it("embeds at save time, fuses the word and meaning rankings, and says so", async () => {
    const fake = await startFakeEmbeddings();
    fakes.push(fake);
    const store = storeOn(await backend(), fake);
    const pnpm = await store.save({ content: "The user likes pnpm", scope: "global", project: A });
    await store.save({ content: "Staging is rebuilt every night", scope: "project", project: A });
    expect(fake.requests).toEqual([
      { model: "fake-embed", input: ["The user likes pnpm"], authorization: "Bearer local-key" },
      { model: "fake-embed", input: ["Staging is rebuilt every night"], authorization: "Bearer local-key" },
    ]);
    // no word in common: only the meaning finds it
    const found = await store.search({ query: "yarn or npm for installing modules", scope: "all", project: A, limit: 3 });
    expect(found.mode).toBe("hybrid");
    expect(found.note).toBeUndefined();
    expect(found.results[0]!.id).toBe(pnpm.memory.id);
    expect(found.results[0]!.matched!.at(-1)).toMatch(/^semantic 0\.\d\d$/);
    expect(fake.requests).toHaveLength(3);
  });

  it("falls back to words when the endpoint fails, saving all the same, and backfills once it answers", async () => {
    const fake = await startFakeEmbeddings();
    fakes.push(fake);
    const b = await backend();
    const clock = { now: Date.UTC(2026, 11, 1) };
    const store = storeOn(b, fake, clock);
    fake.failWith = 503;
    const saved = await store.save({ content: "Deploys happen on Tuesdays", scope: "project", project: A });
    const down = await store.search({ query: "deploys", scope: "all", project: A, limit: 3 });
    expect(down.mode).toBe("lexical");
    expect(down.note).toMatch(/^ranked by words alone: the embeddings endpoint failed \(http:\/\/127\.0\.0\.1:\d+\/v1\/embeddings answered HTTP 503: .*model not loaded/);
    expect(down.results[0]!.id).toBe(saved.memory.id);
    fake.failWith = undefined;
    // after a failure the endpoint rests: not asked again for half a minute
    const resting = await store.search({ query: "deploys", scope: "all", project: A, limit: 3 });
    expect(resting.note).toMatch(/HTTP 503.*; asked again after 30 s\)$/);
    expect(fake.requests).toHaveLength(1);
    clock.now += 31_000;
    const up = await store.search({ query: "shipping to production", scope: "all", project: A, limit: 3 });
    expect(up.mode).toBe("hybrid");
    expect(up.note).toMatch(/^1 of 1 memories have no embedding from fake-embed yet \(being embedded now\): they are found by words alone$/);
    await until(async () => (await b.namespace<MemoryRecord>("memory").get(saved.memory.id))?.embeddings?.["fake-embed"] !== undefined);
    const later = await store.search({ query: "shipping to production", scope: "all", project: A, limit: 3 });
    expect(later.note).toBeUndefined();
    expect(later.results[0]!.id).toBe(saved.memory.id);
    await store.close();
  });

  it("backfills memories saved before embeddings were configured, and sends nothing when none are", async () => {
    const fake = await startFakeEmbeddings();
    fakes.push(fake);
    const b = await backend();
    const plain = storeOn(b);
    for (let i = 0; i < 40; i++) await plain.save({ content: `Fact number ${i} about table ${i} in postgres`, scope: "project", project: A });
    await plain.search({ query: "postgres", scope: "all", project: A, limit: 3 });
    expect(fake.requests).toEqual([]);
    const semantic = storeOn(b, fake);
    await semantic.search({ query: "database rows", scope: "all", project: A, limit: 3 });
    const ns = b.namespace<MemoryRecord>("memory");
    await until(async () => {
      let missing = 0;
      for await (const [, r] of ns.entries()) if (!r.embeddings) missing++;
      return missing === 0;
    });
    // in batches, not one request per memory
    expect(fake.requests.filter((r) => r.input.length > 1).map((r) => r.input.length)).toEqual([32, 8]);
    // by meaning, only memories that stand out from the rest: a query about nothing saved finds nothing
    const nothing = await semantic.search({ query: "banana bread recipe", scope: "all", project: A, limit: 10 });
    expect(nothing).toMatchObject({ mode: "hybrid", matches: 0, results: [] });
    const rows = await semantic.search({ query: "database rows", scope: "all", project: A, limit: 10 });
    expect(rows.results.length).toBeGreaterThan(0);
    await semantic.close();
  });
});

describe("memory copies kept by several processes", () => {
  it("keep one embedding per model, so servers with different models share a store without re-embedding each other's", async () => {
    const fake = await startFakeEmbeddings();
    fakes.push(fake);
    const b = await backend();
    const clock = { now: Date.UTC(2026, 11, 1) };
    const writers = Promise.resolve(b.namespace<WriterStamp>("memory-writers"));
    const withModel = (model: string) =>
      new MemoryStore(Promise.resolve(b.namespace<MemoryRecord>("memory")), () => clock.now, { writers, semantic: { client: new EmbeddingsClient({ url: fake.url, model }), logger: quietLogger } });
    const plain = new MemoryStore(Promise.resolve(b.namespace<MemoryRecord>("memory")), () => clock.now, { writers });
    for (let i = 0; i < 10; i++) await plain.save({ content: `Fact ${i} about the deploy of service ${i}`, scope: "project", project: A });
    const [one, two] = [withModel("model-a"), withModel("model-b")];
    const ns = b.namespace<MemoryRecord>("memory");
    for (let round = 0; round < 20; round++) {
      clock.now += 1500;
      await Promise.all([one.search({ query: "deploy", scope: "all", project: A, limit: 3 }), two.search({ query: "deploy", scope: "all", project: A, limit: 3 })]);
      await new Promise((r) => setTimeout(r, 20));
    }
    for await (const [, r] of ns.entries()) expect(Object.keys(r.embeddings ?? {}).sort()).toEqual(["model-a", "model-b"]);
    // every memory embedded once per model; after that only the searches ask
    const batches = fake.requests.filter((r) => r.input.length > 1 || !r.input[0]!.startsWith("deploy"));
    expect(batches.reduce((n, r) => n + r.input.length, 0)).toBe(20);
    await Promise.all([one.close(), two.close()]);
  });

  it("re-read the store only after another process wrote to it", async () => {
    const b = await backend();
    const clock = { now: Date.UTC(2026, 11, 1) };
    const memory = b.namespace<MemoryRecord>("memory");
    let walks = 0;
    const counted = { ...memory, entries: () => (walks++, memory.entries()) };
    const writers = Promise.resolve(b.namespace<WriterStamp>("memory-writers"));
    const one = new MemoryStore(Promise.resolve(counted), () => clock.now, { writers });
    const two = new MemoryStore(Promise.resolve(counted), () => clock.now, { writers });
    await one.save({ content: "Builds run on the self-hosted runners", scope: "project", project: A });
    expect((await two.search({ query: "runners", scope: "all", project: A, limit: 3 })).results).toHaveLength(1);
    walks = 0;
    for (let i = 0; i < 5; i++) {
      clock.now += 1500;
      await two.search({ query: "runners", scope: "all", project: A, limit: 3 });
    }
    expect(walks).toBe(0);
    const saved = await one.save({ content: "Releases are cut on Mondays", scope: "project", project: A });
    clock.now += 1500;
    expect((await two.search({ query: "releases", scope: "all", project: A, limit: 3 })).results.map((r) => r.id)).toEqual([saved.memory.id]);
    expect(walks).toBe(1);
    await one.delete({ id: saved.memory.id, project: A });
    clock.now += 1500;
    expect((await two.search({ query: "releases", scope: "all", project: A, limit: 3 })).results).toEqual([]);
  });
});
