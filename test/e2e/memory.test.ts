import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { pathToFileURL } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ListRootsRequestSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { startFakeEmbeddings } from "../helpers/fake-embeddings.js";
import { CLI, startServer, tempStorePath, text, type RunningServer } from "../helpers/server.js";

const run = promisify(execFile);
const servers: RunningServer[] = [];
async function start(store: string, cwd: string, extra: string[] = []) {
  const server = await startServer(["--store", store, ...extra], { cwd });
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const project = () => mkdtempSync(join(tmpdir(), "headroom-project-"));
type Saved = { memory: { id: string; content: string; project: string | null }; superseded?: { reason: string }; project: string };

describe("memory tools over stdio", () => {
  it("save, search, list and delete, across a restart, scoped to the project", async () => {
    const store = tempStorePath();
    const a = project();
    const b = project();
    const first = await start(store, a);
    const saved = (await first.call("memory_save", { content: "The API tests need DB_URL set", tags: ["testing"] })).structuredContent as Saved;
    expect(saved.project).toBe(a);
    await first.call("memory_save", { content: "User prefers pnpm", scope: "global" });
    const replaced = (await first.call("memory_save", { content: "Deploys go to main", key: "deploy" })).structuredContent as Saved;
    const again = (await first.call("memory_save", { content: "Deploys go to the release branch", key: "deploy" })).structuredContent as Saved;
    expect(again.memory.id).toBe(replaced.memory.id);
    expect(again.superseded?.reason).toBe("key");
    await first.close();
    servers.splice(servers.indexOf(first), 1);

    const restarted = await start(store, a);
    const found = (await restarted.call("memory_search", { query: "DB_URL" })).structuredContent as { results: Array<{ id: string }> };
    expect(found.results[0]!.id).toBe(saved.memory.id);
    const listed = (await restarted.call("memory_list", {})).structuredContent as { total: number };
    expect(listed.total).toBe(3);
    const stats = (await restarted.call("headroom_stats", {})).structuredContent as { memories: { total: number; global: number } };
    expect(stats.memories).toEqual({ total: 3, project: 2, global: 1 });

    const other = await start(store, b);
    const fromB = (await other.call("memory_list", {})).structuredContent as { total: number; memories: Array<{ content: string }> };
    expect(fromB.memories.map((m) => m.content)).toEqual(["User prefers pnpm"]);

    await restarted.call("memory_delete", { id: saved.memory.id });
    expect(((await restarted.call("memory_search", { query: "DB_URL" })).structuredContent as { results: unknown[] }).results).toEqual([]);
    const unknown = await restarted.call("memory_delete", { id: saved.memory.id });
    expect(unknown.isError).toBe(true);
    expect(text(unknown)).toMatch(/^unknown_memory: /);
  });

  it("searches in other words, and by meaning through an embeddings endpoint, answering in blocks a model reads", async () => {
    const fake = await startFakeEmbeddings();
    try {
      const store = tempStorePath();
      const dir = project();
      const server = await start(store, dir, ["--embeddings", fake.url, "--embeddings-model", "fake-embed"]);
      await server.call("memory_save", { content: "The user prefers pnpm over npm in every project", scope: "global", tags: ["tooling"] });
      await server.call("memory_save", { content: "Deploys go to main", key: "deploy" });
      await server.call("memory_save", { content: "Deploys go to the release branch on Fridays", key: "deploy" });
      const result = await server.call("memory_search", { query: "package manager preference" });
      const answer = text(result);
      expect(answer).toMatch(/^1 memory of 2 in scope matches "package manager preference" \(by words and meaning\):\n\n1\. The user prefers pnpm over npm in every project\n {3}\[tags: tooling · global · updated \d{4}-\d\d-\d\d · id: [0-9a-f]{24}\]\n {3}\[matched: stem "prefer" \(preference ~ prefers\), related "package manager" → "npm", "pnpm", semantic 0\.\d\d\]$/);
      // with fewer shown than match, the answer says so
      expect(text(await server.call("memory_search", { query: "deploys pnpm", limit: 1 }))).toMatch(/^2 memories of 2 in scope match "deploys pnpm" \(by words and meaning\); the best 1:\n/);
      expect((result.structuredContent as { mode: string }).mode).toBe("hybrid");
      // by meaning alone: no word in common
      expect(text(await server.call("memory_search", { query: "shipping to production" }))).toMatch(/\n1\. Deploys go to the release branch on Fridays\n/);
      // history only when asked
      expect(text(await server.call("memory_search", { query: "release branch" }))).not.toMatch(/earlier/);
      expect(text(await server.call("memory_search", { query: "release branch", include_history: true }))).toMatch(/\n {3}\[earlier, until \d{4}-\d\d-\d\d: Deploys go to main\]$/);
      expect(fake.requests.every((r) => r.model === "fake-embed")).toBe(true);
      // the endpoint gone: words alone, and the answer says so
      await fake.close();
      const down = text(await server.call("memory_search", { query: "pnpm" }));
      expect(down).toMatch(/^1 memory of 2 in scope matches "pnpm" \(by words\):\nNote: ranked by words alone: the embeddings endpoint failed \(http:\/\/127\.0\.0\.1:\d+\/v1\/embeddings did not answer \(ECONNREFUSED\)\)\./);
    } finally {
      await fake.close().catch(() => undefined);
    }
  });

  it("takes the project from the client's roots when it offers them", async () => {
    const root = project();
    const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, "--store", "memory"], cwd: project(), stderr: "ignore" });
    const client = new Client({ name: "roots-client", version: "1.0.0" }, { capabilities: { roots: { listChanged: false } } });
    client.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: [{ uri: pathToFileURL(root).href, name: "workspace" }] }));
    await client.connect(transport);
    try {
      const saved = (await client.callTool({ name: "memory_save", arguments: { content: "Workspace facts live here" } })) as CallToolResult;
      expect((saved.structuredContent as Saved).project).toBe(root);
    } finally {
      await client.close();
    }
  });

  it("answers bad input with actionable errors", async () => {
    const server = await start(tempStorePath(), project());
    for (const [args, pattern] of [
      [{ content: "" }, /content is empty/],
      [{ content: "x".repeat(9000) }, /8192-byte limit/],
      [{ content: "tagged", tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, /limit of 20/],
      [{ content: "deploy key: -----BEGIN OPENSSH PRIVATE KEY-----" }, /refused: .*private key/],
    ] as const) {
      const result = await server.call("memory_save", args);
      expect(result.isError).toBe(true);
      expect(text(result)).toMatch(pattern);
    }
  });

  it("loses nothing when two servers save 500 memories each at the same time", { timeout: 120_000 }, async () => {
    const store = tempStorePath();
    const dir = project();
    const [one, two] = await Promise.all([start(store, dir), start(store, dir)]);
    const save = (server: RunningServer, who: string) => async () => {
      for (let i = 0; i < 500; i++) {
        const result = await server.call("memory_save", { content: `Fact ${i} from server ${who}: setting ${who}${i} is ${i * 7}`, key: `${who}-${i}` });
        if (result.isError) throw new Error(text(result));
      }
    };
    await Promise.all([save(one!, "alpha")(), save(two!, "beta")()]);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // each server re-reads the store after a second
    for (const server of [one!, two!]) {
      const listed = (await server.call("memory_list", { limit: 1 })).structuredContent as { total: number };
      expect(listed.total).toBe(1000);
    }
  });

  it("exports and imports through the command line", async () => {
    const source = tempStorePath();
    const dir = project();
    const server = await start(source, dir);
    for (const content of ["Builds use make release", "Tests run with vitest in CI", "Logs go to /var/log/app"]) await server.call("memory_save", { content });
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    const { stdout } = await run(process.execPath, [CLI, "memory", "export", "--store", source]);
    expect(stdout.trim().split("\n")).toHaveLength(3);
    const file = join(mkdtempSync(join(tmpdir(), "headroom-export-")), "memories.jsonl");
    writeFileSync(file, stdout);
    const target = tempStorePath();
    await run(process.execPath, [CLI, "memory", "import", file, "--store", target]);
    await run(process.execPath, [CLI, "memory", "import", file, "--store", target]);
    const [before, after] = await Promise.all([start(source, dir), start(target, dir)]);
    const query = { query: "vitest CI" };
    expect((await after.call("memory_search", query)).structuredContent).toEqual((await before.call("memory_search", query)).structuredContent);
    expect(((await after.call("memory_list", {})).structuredContent as { total: number }).total).toBe(3);
  });
});
