import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { fixture, needleLogs } from "../helpers/data.js";

/**
 * What a new user runs: `npx headroom-mcp`, here from the packed tarball in an empty directory.
 * Installing it compiles sqlite3 from source (about a minute on this machine), so the test runs
 * when HEADROOM_PACK_TEST=1 (.ci/run sets it).
 */
const root = fileURLToPath(new URL("../..", import.meta.url));
const enabled = process.env.HEADROOM_PACK_TEST === "1";
// asynchronous on purpose: a blocking call of a minute would starve the test runner's worker
const run = promisify(execFile);

describe.runIf(enabled)("the npm package", () => {
  it("installs and serves from the tarball with npx", { timeout: 600_000 }, async () => {
    const work = mkdtempSync(join(tmpdir(), "headroom-pack-"));
    // --ignore-scripts: `npm test` has built dist/ already, and a rebuild here (npm pack runs
    // `prepare`) would replace dist/bin under the other test files' servers while they start

    const packed = JSON.parse((await run("npm", ["pack", "--ignore-scripts", "--pack-destination", work, "--json"], { cwd: root })).stdout) as Array<{
      filename: string;
      files: Array<{ path: string }>;
    }>;
    const files = packed[0]!.files.map((f) => f.path);
    expect(files).toContain("dist/bin/main.js");
    expect(files).toContain("dist/tool-list.json");
    expect(files.some((f) => f.startsWith("test/") || f.startsWith("fixtures/") || f.includes("shared/"))).toBe(false);
    const tarball = join(work, packed[0]!.filename);
    const empty = join(work, "empty");
    mkdirSync(empty);
    const npxArgs = ["--yes", "--package", tarball, "headroom-mcp"];

    const { stdout: version } = await run("npx", [...npxArgs, "--version"], { cwd: empty });
    expect(version.trim()).toMatch(/^\d+\.\d+\.\d+$/);

    const transport = new StdioClientTransport({ command: "npx", args: [...npxArgs, "--store", join(work, "store.sqlite")], cwd: empty, stderr: "ignore" });
    const client = new Client({ name: "pack-test", version: "1.0.0" });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain("compress_tool_result");
      expect(tools.map((t) => t.name)).toContain("memory_save");
      const compressed = (await client.callTool({ name: "compress_tool_result", arguments: { content: needleLogs() } })) as CallToolResult;
      const { hash } = compressed.structuredContent as { hash: string };
      const retrieved = (await client.callTool({ name: "headroom_retrieve", arguments: { hash, query: "PG-5523" } })) as CallToolResult;
      expect(retrieved.isError).toBeFalsy();
      const stats = (await client.callTool({ name: "headroom_stats", arguments: {} })) as CallToolResult;
      expect((stats.structuredContent as { store: { kind: string } }).store.kind).toBe("sqlite");
      // the bundled command finds the grammars inside the installed package
      const code = (await client.callTool({ name: "compress_tool_result", arguments: { content: fixture("code/shlex.py"), tool_name: "read_file shlex.py" } })) as CallToolResult;
      const outline = code.structuredContent as { compressor: string; language?: string; hash: string };
      expect(outline.compressor).toBe("code");
      expect(outline.language).toBe("python");
      const symbol = (await client.callTool({ name: "headroom_retrieve", arguments: { hash: outline.hash, query: "shlex.read_token" } })) as CallToolResult;
      expect((symbol.structuredContent as { mode: string }).mode).toBe("symbol");
    } finally {
      await client.close();
    }

    // installed without build scripts (npm --ignore-scripts, pnpm's default): no SQLite driver
    const noScripts = join(work, "no-scripts");
    mkdirSync(noScripts);
    await run("npm", ["install", "--ignore-scripts", "--no-audit", "--no-fund", tarball], { cwd: noScripts });
    const bare = new StdioClientTransport({ command: join(noScripts, "node_modules", ".bin", "headroom-mcp"), args: ["--store", join(work, "bare.sqlite")], cwd: noScripts, stderr: "pipe" });
    let stderr = "";
    bare.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const bareClient = new Client({ name: "pack-test", version: "1.0.0" });
    await bareClient.connect(bare);
    try {
      const stats = (await bareClient.callTool({ name: "headroom_stats", arguments: {} })) as CallToolResult;
      const store = (stats.structuredContent as { store: { kind: string; degraded?: string } }).store;
      expect(store.kind).toBe("memory");
      expect(store.degraded).toMatch(/npm rebuild sqlite3/);
      const compressed = (await bareClient.callTool({ name: "compress_tool_result", arguments: { content: needleLogs() } })) as CallToolResult;
      expect((compressed.structuredContent as { hash?: string }).hash).toMatch(/^[0-9a-f]{24}$/);
      expect(stderr.split("\n").filter((l) => /sqlite3/.test(l))).toHaveLength(1);
      expect(stderr).not.toMatch(/Tried:|\n\s+at /);
    } finally {
      await bareClient.close();
    }
  });
});
