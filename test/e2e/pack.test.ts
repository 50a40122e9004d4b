import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
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

/** A command's stdout, given `input` on its stdin. */
function runWithInput(command: string, args: string[], input: string, options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { ...options, maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
    child.stdin!.end(input);
  });
}

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
    expect(files).toContain("dist/tokens/o200k_base.ranks");
    expect(files).toContain("docs/agents.md");
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

    // `install claude-code` from the package, then the hook exactly as Claude Code would run it
    const project = join(work, "project");
    mkdirSync(project);
    const { stdout: installed } = await run("npx", [...npxArgs, "install", "claude-code"], { cwd: project });
    expect(installed).toMatch(/settings\.json/);
    expect(installed).toMatch(/HEADROOM_OFF=1/);
    const settings = JSON.parse(readFileSync(join(project, ".claude", "settings.json"), "utf8")) as { hooks: { PostToolUse: Array<{ hooks: Array<{ command: string }> }> } };
    const command = settings.hooks.PostToolUse[0]!.hooks[0]!.command;
    const log = Array.from({ length: 600 }, (_, i) => `2026-11-20T10:00:${String(i % 60).padStart(2, "0")}Z INFO request ${i} served in ${i % 97} ms`).join("\n") + "\n2026-11-20T10:10:00Z ERROR payment gateway PG-5523 timed out\n";
    const event = { hook_event_name: "PostToolUse", tool_name: "Bash", tool_input: { command: "cat app.log" }, tool_response: { stdout: log, stderr: "", interrupted: false, isImage: false } };
    const hooked = await runWithInput("sh", ["-c", command], JSON.stringify(event), { cwd: project, env: { ...process.env, HEADROOM_STORE: join(work, "hook.sqlite") } });
    const stdout = (JSON.parse(hooked) as { hookSpecificOutput: { updatedToolOutput: { stdout: string } } }).hookSpecificOutput.updatedToolOutput.stdout;
    expect(stdout).toContain("ERROR payment gateway PG-5523 timed out");
    expect(stdout).toMatch(/hash=[0-9a-f]{24}/);

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
