import { describe, expect, it } from "vitest";
import { openBackend } from "../../../src/ccr/backend.js";
import { InputError, MemoryNotFoundError } from "../../../src/engine/errors.js";
import { findSecret } from "../../../src/memory/secrets.js";
import { MemoryStore, type MemoryRecord } from "../../../src/memory/store.js";
import { quietLogger } from "../../helpers/engine.js";

const A = "/work/project-a";
const B = "/work/project-b";

async function memoryStore() {
  const clock = { now: Date.UTC(2026, 10, 21, 9, 0, 0) };
  const backend = await openBackend({ kind: "memory" }, quietLogger);
  const store = new MemoryStore(Promise.resolve(backend.namespace<MemoryRecord>("memory")), () => clock.now);
  return { store, clock };
}

describe("memory store", () => {
  it("saves, finds (exact phrase first), lists newest first, and deletes", async () => {
    const { store, clock } = await memoryStore();
    await store.save({ content: "The API tests need DB_URL set to a scratch database", scope: "project", project: A, tags: ["testing"] });
    clock.now += 60_000;
    await store.save({ content: "Auth lives in src/auth/jwt.ts; tokens expire after 15 minutes", scope: "project", project: A });
    clock.now += 60_000;
    const pnpm = await store.save({ content: "User prefers pnpm over npm for every project", scope: "global", project: A, tags: ["preferences"] });
    const found = await store.search({ query: "which database do the API tests use", scope: "all", project: A, limit: 10 });
    expect(found.results[0]!.content).toMatch(/DB_URL/);
    const exact = await store.search({ query: "prefers pnpm", scope: "all", project: A, limit: 10 });
    expect(exact.results[0]!.id).toBe(pnpm.memory.id);
    const listed = await store.list({ scope: "all", project: A, limit: 10, offset: 0 });
    expect(listed.total).toBe(3);
    expect(listed.memories.map((m) => m.content.slice(0, 4))).toEqual(["User", "Auth", "The "]);
    expect((await store.list({ scope: "all", project: A, tags: ["testing"], limit: 10, offset: 0 })).total).toBe(1);
    await store.delete({ id: pnpm.memory.id, project: A });
    expect((await store.search({ query: "pnpm", scope: "all", project: A, limit: 10 })).results).toEqual([]);
    await expect(store.delete({ id: pnpm.memory.id, project: A })).rejects.toBeInstanceOf(MemoryNotFoundError);
  });

  it("replaces a memory saved again with the same key, keeping the old text in its history", async () => {
    const { store, clock } = await memoryStore();
    const first = await store.save({ content: "Deploys go through the staging branch", scope: "project", project: A, key: "deploy-flow" });
    clock.now += 1000;
    const second = await store.save({ content: "Deploys go straight to main since November", scope: "project", project: A, key: "deploy-flow" });
    expect(second.memory.id).toBe(first.memory.id);
    expect(second.superseded).toMatchObject({ id: first.memory.id, reason: "key", previous: "Deploys go through the staging branch" });
    // the save says what it replaced once, in `superseded`; the history comes with list or search when asked
    expect(second.memory.history).toBeUndefined();
    const listed = await store.list({ scope: "all", project: A, limit: 10, offset: 0, includeHistory: true });
    expect(listed.total).toBe(1);
    expect(listed.memories[0]!.history![0]!.content).toBe("Deploys go through the staging branch");
    expect((await store.delete({ key: "deploy-flow", project: A })).content).toBe("Deploys go straight to main since November");
  });

  it("updates a near-duplicate instead of adding another", async () => {
    const { store } = await memoryStore();
    const first = await store.save({ content: "The API tests need DB_URL set", scope: "project", project: A });
    const again = await store.save({ content: "the api tests need the DB_URL set!", scope: "project", project: A });
    expect(again.memory.id).toBe(first.memory.id);
    expect(again.superseded?.reason).toBe("near-duplicate");
    const different = await store.save({ content: "The UI tests need a running browser", scope: "project", project: A });
    expect(different.memory.id).not.toBe(first.memory.id);
    expect((await store.list({ scope: "all", project: A, limit: 10, offset: 0 })).total).toBe(2);
  });

  it("keeps the union of tags when it merges a near-duplicate, and says which it kept", async () => {
    const { store } = await memoryStore();
    const first = await store.save({ content: "Integration tests need the env var DB_URL", scope: "project", project: A, tags: ["env", "testing"] });
    const again = await store.save({ content: "integration tests need the env var DB_URL.", scope: "project", project: A, tags: ["testing", "ci"] });
    expect(again.memory.id).toBe(first.memory.id);
    expect(again.memory.tags).toEqual(["ci", "env", "testing"]);
    expect(again.superseded).toMatchObject({ reason: "near-duplicate", kept_tags: ["env"] });
    expect(again.superseded?.note).toMatch(/kept its tags env/);
    expect((await store.list({ scope: "all", project: A, tags: ["env"], limit: 10, offset: 0 })).total).toBe(1);
    // without tags, a merge keeps the old ones; a key names a fact, so its new tags replace the old
    expect((await store.save({ content: "Integration tests need the env var DB_URL!", scope: "project", project: A })).memory.tags).toEqual(["ci", "env", "testing"]);
    await store.save({ content: "Staging deploys on Fridays", scope: "project", project: A, key: "deploy", tags: ["deploy", "old"] });
    expect((await store.save({ content: "Staging deploys on Mondays", scope: "project", project: A, key: "deploy", tags: ["deploy"] })).memory.tags).toEqual(["deploy"]);
  });

  it("never merges past the tag limit, and says which old tags it dropped; an export of the result imports", async () => {
    const { store } = await memoryStore();
    const old = Array.from({ length: 20 }, (_, i) => `a${i}`);
    await store.save({ content: "The release checklist lives in docs/release.md", scope: "project", project: A, tags: old });
    const again = await store.save({ content: "The release checklist lives in docs/release.md", scope: "project", project: A, tags: ["c"] });
    expect(again.memory.tags).toHaveLength(20);
    expect(again.memory.tags).toContain("c");
    expect(again.note).toMatch(/already saved; kept its tags .*; dropped its tags a9/);
    const { store: other } = await memoryStore();
    expect(await other.import(await store.all())).toBe(1);
  });

  it("keeps projects apart and shares global memories", async () => {
    const { store } = await memoryStore();
    await store.save({ content: "Project A builds with make", scope: "project", project: A });
    await store.save({ content: "Project B builds with cargo", scope: "project", project: B });
    await store.save({ content: "Always run the linter before committing", scope: "global", project: A });
    const fromB = await store.list({ scope: "all", project: B, limit: 10, offset: 0 });
    expect(fromB.memories.map((m) => m.content).sort()).toEqual(["Always run the linter before committing", "Project B builds with cargo"]);
    const searched = await store.search({ query: "builds with make", scope: "project", project: B, limit: 10 });
    expect(searched.results.map((m) => m.content)).toEqual(["Project B builds with cargo"]);
    expect((await store.list({ scope: "global", project: B, limit: 10, offset: 0 })).total).toBe(1);
  });

  it("refuses empty, oversized, over-tagged and secret-bearing content with reasons", async () => {
    const { store } = await memoryStore();
    const save = (content: string, tags?: string[]) => store.save({ content, scope: "project", project: A, tags });
    await expect(save("  ")).rejects.toThrow(/content is empty/);
    await expect(save("x".repeat(9000))).rejects.toThrow(/8192-byte limit/);
    await expect(save("fine", Array.from({ length: 21 }, (_, i) => `t${i}`))).rejects.toThrow(/limit of 20/);
    await expect(save("our key is sk-proj-abcdefghijklmnopqrstuvwxyz123456")).rejects.toBeInstanceOf(InputError);
    await expect(save("token ghp_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ")).rejects.toThrow(/GitHub token/);
    await expect(save("-----BEGIN RSA PRIVATE KEY-----\nMIIE")).rejects.toThrow(/private key/);
    await expect(save("AKIAIOSFODNN7EXAMPLE is the deploy user")).rejects.toThrow(/AWS access key/);
    await expect(save("curl -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig'")).rejects.toThrow(/bearer token/);
    expect(findSecret("the token lives in the TOKEN env var")).toBeUndefined();
  });

  it("exports and imports to identical search results, idempotently", async () => {
    const { store } = await memoryStore();
    for (let i = 0; i < 30; i++) await store.save({ content: `Fact ${i}: service-${i % 5} listens on port ${8000 + i}`, scope: i % 3 ? "project" : "global", project: A, tags: [`svc${i % 5}`] });
    const records = await store.all();
    const { store: other } = await memoryStore();
    await other.import(records);
    await other.import(records);
    const query = { query: "service-3 port", scope: "all" as const, project: A, limit: 10 };
    expect(await other.search(query)).toEqual(await store.search(query));
    expect((await other.list({ scope: "all", project: A, limit: 100, offset: 0 })).total).toBe(30);
  });

  it("deletes by id only within the caller's project (or global)", async () => {
    const { store } = await memoryStore();
    const theirs = await store.save({ content: "Project B deploys with Helm from deploy/chart", scope: "project", project: B });
    const shared = await store.save({ content: "User prefers tabs in Makefiles only", scope: "global", project: B });
    await expect(store.delete({ id: theirs.memory.id, project: A })).rejects.toBeInstanceOf(MemoryNotFoundError);
    expect((await store.list({ scope: "all", project: B, limit: 10, offset: 0 })).total).toBe(2);
    expect((await store.delete({ id: shared.memory.id, project: A })).id).toBe(shared.memory.id);
    expect((await store.delete({ id: theirs.memory.id, project: B })).id).toBe(theirs.memory.id);
  });
});
