import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { fixture, needleLogs } from "../helpers/data.js";
import { CLI, startServer, tempStorePath, text, type RunningServer } from "../helpers/server.js";

const servers: RunningServer[] = [];
async function start(args: string[], options?: Parameters<typeof startServer>[1]) {
  const server = await startServer(args, options);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe("the server over stdio", () => {
  it("lists its tools with schemas and annotations", async () => {
    const server = await start(["--store", "memory"]);
    const { tools } = await server.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["compress_tool_result", "headroom_retrieve", "headroom_stats", "memory_delete", "memory_list", "memory_save", "memory_search"]);
    expect(tools.find((t) => t.name === "memory_delete")!.annotations?.destructiveHint).toBe(true);
    const compress = tools.find((t) => t.name === "compress_tool_result")!;
    expect(compress.inputSchema.required).toBeUndefined();
    expect(compress.inputSchema.properties).toHaveProperty("path");
    expect(compress.outputSchema?.properties).toHaveProperty("hash");
    expect(compress.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false });
    const retrieve = tools.find((t) => t.name === "headroom_retrieve")!;
    expect(retrieve.annotations?.readOnlyHint).toBe(true);
    expect(retrieve.description).toMatch(/hash/);
    expect(server.client.getInstructions()).toMatch(/headroom_retrieve/);
  });

  it("compresses, retrieves (whole, paged, by query), survives a restart, and counts it all", async () => {
    const store = tempStorePath();
    const content = fixture("json/github-issues.json");
    const first = await start(["--store", store]);

    const compressed = await first.call("compress_tool_result", { content, query: "P0 bugs", tool_name: "github_list_issues" });
    expect(compressed.isError).toBeFalsy();
    const result = compressed.structuredContent as { hash: string; compressed: string; original_tokens: number; compressed_tokens: number };
    expect(result.hash).toMatch(/^[0-9a-f]{24}$/);
    expect(text(compressed, 0)).toBe(result.compressed);
    expect(JSON.parse(text(compressed, 1))).toMatchObject({ hash: result.hash, content_type: "json", compressor: "json" });
    expect(result.compressed).toContain(`hash=${result.hash}`);
    expect(result.compressed).toContain("SIGSEGV");
    expect(result.compressed_tokens).toBeLessThan(result.original_tokens * 0.2);

    const page1 = await first.call("headroom_retrieve", { hash: result.hash, limit: 15_000 });
    const p1 = page1.structuredContent as { content: string; page: { next_offset: number; pages: number; page: number } };
    expect(p1.page.page).toBe(1);
    expect(p1.page.pages).toBeGreaterThanOrEqual(3);
    const page2 = await first.call("headroom_retrieve", { hash: result.hash, offset: p1.page.next_offset, limit: 15_000 });
    expect((page2.structuredContent as { page: { page: number } }).page.page).toBe(2);
    expect(content.startsWith(p1.content + (page2.structuredContent as { content: string }).content)).toBe(true);

    const byQuery = await first.call("headroom_retrieve", { hash: result.hash, query: "Data loss" });
    expect(text(byQuery)).toMatch(/^\$\[151\]: .*Data loss/);

    const unknown = await first.call("headroom_retrieve", { hash: "0123456789abcdef01234567" });
    expect(unknown.isError).toBe(true);
    expect(text(unknown)).toMatch(/^unknown_hash: .*re-run the tool/);
    await first.close();
    servers.splice(servers.indexOf(first), 1);

    const second = await start(["--store", store]);
    const again = await second.call("headroom_retrieve", { hash: result.hash });
    expect(again.isError).toBeFalsy();
    expect((again.structuredContent as { page: { total_chars: number } }).page.total_chars).toBe(content.length);
    await second.call("compress_tool_result", { content: needleLogs() });

    const stats = (await second.call("headroom_stats", {})).structuredContent as {
      session: { compressions: number; retrievals: number };
      all_time: { compressions: number; retrievals: number; retrieval_misses: number; by_content_type: Record<string, { tokens_saved: number }> };
      store: { kind: string; entries: number; bytes: number };
    };
    expect(stats.session).toMatchObject({ compressions: 1, retrievals: 1 });
    expect(stats.all_time).toMatchObject({ compressions: 2, retrievals: 4, retrieval_misses: 1 });
    expect(stats.all_time.by_content_type.json!.tokens_saved).toBeGreaterThan(40_000);
    expect(stats.store).toMatchObject({ kind: "sqlite", entries: 2, ttl_ms: 24 * 3_600_000, max_bytes: 1024 ** 3 });
    expect(stats.store.bytes).toBeGreaterThan(content.length);
  });

  it("routes logs, search results and diffs to their compressors, and retrieves lines by query", async () => {
    const server = await start(["--store", "memory"]);
    for (const [file, type] of [
      ["logs/vitest-run.log", "logs"],
      ["search/rg-node-modules.txt", "search"],
      ["diff/headroom-history.diff", "diff"],
    ] as const) {
      const result = await server.call("compress_tool_result", { content: fixture(file) });
      expect((result.structuredContent as { content_type: string }).content_type, file).toBe(type);
    }
    const log = await server.call("compress_tool_result", { content: fixture("logs/vitest-run.log"), tool_name: "npm test" });
    const { hash, compressed } = log.structuredContent as { hash: string; compressed: string };
    expect(compressed).toContain("RangeError: refund of 120 exceeds the captured amount 100");
    const lines = await server.call("headroom_retrieve", { hash, query: "maps order 40" });
    expect(text(lines).split("\n")[0]).toMatch(/^\d+:  × test\/pricing-2\.test\.mjs > pricing-2 > maps order 40 to its shipment/);
  });

  it("outlines source code and returns a symbol's exact source by name", async () => {
    const server = await start(["--store", "memory"]);
    const source = fixture("code/shlex.py");
    const result = await server.call("compress_tool_result", { content: source, tool_name: "read_file Lib/shlex.py" });
    const outline = result.structuredContent as { hash: string; compressed: string; content_type: string; language: string };
    expect(outline).toMatchObject({ content_type: "code", language: "python" });
    expect(outline.compressed).toContain("    def read_token(self):");
    const symbol = await server.call("headroom_retrieve", { hash: outline.hash, query: "shlex.read_token" });
    const found = symbol.structuredContent as { mode: string; content: string; start_line: number; end_line: number };
    expect(found.mode).toBe("symbol");
    expect(found.content).toBe(source.split("\n").slice(found.start_line - 1, found.end_line).join("\n"));
    // the outline's inline markers name line ranges that the tool gives back exactly
    const marker = /… L(\d+)-(\d+)/.exec(outline.compressed)!;
    const range = await server.call("headroom_retrieve", { hash: outline.hash, lines: `${marker[1]}-${marker[2]}` });
    expect(range.structuredContent).toMatchObject({ mode: "lines", start_line: Number(marker[1]), end_line: Number(marker[2]) });
    expect((range.structuredContent as { content: string }).content).toBe(source.split("\n").slice(Number(marker[1]) - 1, Number(marker[2])).join("\n"));
  });

  it("answers bad input with isError and keeps serving", async () => {
    const server = await start(["--store", "memory", "--max-input-mb", "0.05"]);
    const empty = await server.call("compress_tool_result", { content: "" });
    expect(empty.isError).toBe(true);
    expect(text(empty)).toMatch(/content is empty/);
    const big = await server.call("compress_tool_result", { content: "y".repeat(100_000) });
    expect(big.isError).toBe(true);
    expect(text(big)).toMatch(/^too_large: .*--max-input-mb/);
    const wrongType = await server.call("headroom_retrieve", { hash: 42 });
    expect(wrongType.isError).toBe(true);
    const badHash = await server.call("headroom_retrieve", { hash: "not-a-hash" });
    expect(text(badHash)).toMatch(/24 hex characters/);
    const missing = await server.call("compress_tool_result", {});
    expect(missing.isError).toBe(true);
    const fine = await server.call("compress_tool_result", { content: needleLogs() });
    expect(fine.isError).toBeFalsy();
    expect(fine.structuredContent).toHaveProperty("hash");
  });

  it("tells an expired hash from an unknown one", async () => {
    const server = await start(["--store", tempStorePath(), "--ttl", "1s"]);
    const { hash } = (await server.call("compress_tool_result", { content: needleLogs() })).structuredContent as { hash: string };
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const expired = await server.call("headroom_retrieve", { hash });
    expect(expired.isError).toBe(true);
    expect(text(expired)).toMatch(/^expired_hash: .*Re-run the tool/);
  });

  it("keeps working in memory, and says so, when SQLite cannot load", async () => {
    const noSqlite = fileURLToPath(new URL("../helpers/no-sqlite.mjs", import.meta.url));
    const server = await start(["--store", tempStorePath()], { nodeArgs: ["--import", noSqlite] });
    const { hash } = (await server.call("compress_tool_result", { content: needleLogs() })).structuredContent as { hash: string };
    expect((await server.call("headroom_retrieve", { hash })).isError).toBeFalsy();
    const stats = (await server.call("headroom_stats", {})).structuredContent as { store: { kind: string; degraded?: string } };
    expect(stats.store.kind).toBe("memory");
    expect(stats.store.degraded).toMatch(/SQLite driver \(sqlite3\) is not built.*npm rebuild sqlite3/);
    // one line that says what to do, not the driver's dozen lines of paths
    const lines = server.stderr().split("\n").filter((l) => /SQLite|sqlite3/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/npm rebuild sqlite3.*keeping originals in memory only/);
    expect(server.stderr()).not.toMatch(/Tried:|→/);
  });
});

describe("the command line", () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });

  it("prints help and version", () => {
    const help = cli("--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--store PATH\|URL/);
    expect(help.stdout).toMatch(/--http/);
    expect(cli("--version").stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it.each([
    [["--frobnicate"], "headroom-mcp: unknown option --frobnicate"],
    [["frobnicate"], 'headroom-mcp: unknown command "frobnicate"'],
    [["--store"], "headroom-mcp: option --store needs a value"],
    [["--ttl", "soon"], 'headroom-mcp: --ttl "soon" is not a duration'],
  ])("answers %j with one clear line, the usage, and exit code 2", (args, line) => {
    const bad = cli(...args);
    expect(bad.status).toBe(2);
    const [first, blank, usage] = bad.stderr.split("\n");
    expect(first).toContain(line);
    expect(first).not.toMatch(/positional|'--'/);
    if (args[0] !== "--ttl") {
      expect(blank).toBe("");
      expect(usage).toMatch(/^headroom-mcp — /);
    }
    expect(bad.stdout).toBe("");
  });

  it("lists the memory subcommands for `memory` alone, and rejects unknown ones", () => {
    const alone = cli("memory");
    expect(alone.status).toBe(0);
    expect(alone.stdout).toMatch(/memory export/);
    expect(alone.stdout).toMatch(/memory import FILE/);
    const unknown = cli("memory", "wipe");
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.split("\n")[0]).toBe('headroom-mcp: unknown memory command "wipe"');
    expect(unknown.stderr).toMatch(/memory export/);
    expect(cli("memory", "import").stderr.split("\n")[0]).toBe("headroom-mcp: memory import needs the FILE to read");
  });
});

describe("the store file", () => {
  it("is created private (0600 in a 0700 folder), and a looser existing one is reported", async () => {
    const folder = join(mkdtempSync(join(tmpdir(), "headroom-perm-")), "nested", "store");
    const path = join(folder, "store.sqlite");
    const server = await start(["--store", path]);
    await server.call("compress_tool_result", { content: needleLogs() });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    for (const side of ["-wal", "-shm"]) if (existsSync(path + side)) expect(statSync(path + side).mode & 0o777).toBe(0o600);
    const quiet = (await server.call("headroom_stats", {})).structuredContent as { store: { exposed?: string } };
    expect(quiet.store.exposed).toBeUndefined();
    await server.close();

    chmodSync(path, 0o644);
    const again = await start(["--store", path, "--log-level", "warn"]);
    const stats = (await again.call("headroom_stats", {})).structuredContent as { store: { exposed?: string } };
    expect(stats.store.exposed).toMatch(/readable by other users \(mode 644\): run chmod 600 /);
    expect(again.stderr()).toMatch(/warn: v\S+ serving MCP on stdio; store: .*\(warning: the store file is readable by other users/);
    expect(statSync(path).mode & 0o777).toBe(0o644); // left alone
    await again.close();
  });
});
