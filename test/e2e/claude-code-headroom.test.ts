import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runClaude, tempProject, type TempProject } from "../helpers/claude-code.js";
import { lastMessageText, lastToolResultText, startFakeAnthropic, type MessagesRequest, type ModelTurn } from "../helpers/fake-anthropic.js";
import { serviceLog } from "../helpers/data.js";
import { CLI } from "../helpers/server.js";

// The real Claude Code CLI (pinned dev dependency) with headroom installed the way a user installs
// it (`headroom-mcp install claude-code`), against a scripted model on loopback: what the model
// reads is the last message of the request after each tool call.

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function installedProject(): TempProject {
  const p = tempProject();
  cleanups.push(() => p.cleanup());
  const install = spawnSync(process.execPath, [CLI, "install", "claude-code", "--scope", "project"], {
    cwd: p.dir,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: p.home },
  });
  if (install.status !== 0) throw new Error(`install failed: ${install.stderr}${install.stdout}`);
  return p;
}

/**
 * The model's turns, each decided from what it has read so far (the tool result, or with
 * `wholeMessage` everything in the message that carries it); "done" ends the conversation.
 */
async function converse(p: TempProject, script: (read: string[]) => ModelTurn, allowedTools: string, env: Record<string, string> = {}, wholeMessage = false): Promise<string[]> {
  const read: string[] = [];
  const api = await startFakeAnthropic((request: MessagesRequest, turn: number) => {
    if (turn > 0) read[turn - 1] = wholeMessage ? lastMessageText(request) : lastToolResultText(request);
    return script(read);
  });
  cleanups.push(() => api.close());
  const run = await runClaude({ prompt: "Do the scripted task.", cwd: p.dir, home: p.home, apiUrl: api.url, allowedTools, env, timeoutMs: 90_000 });
  if (run.exitCode !== 0 || run.json?.is_error) throw new Error(`claude failed (exit ${run.exitCode}, timed out ${run.timedOut}): ${run.stderr}\n${run.stdout.slice(0, 2000)}`);
  return read;
}

const call = (name: string, input: Record<string, unknown>): ModelTurn => [{ type: "tool_use", name, input }];
const bash = (command: string) => call("Bash", { command, description: "Scripted command" });
const HASH = /hash=([0-9a-f]{24})/;

describe("Claude Code with headroom installed", { timeout: 180_000 }, () => {
  const log = serviceLog();

  it("hands the model a large Bash output compressed, with the ERROR line and a hash that headroom_retrieve resolves", async () => {
    const p = installedProject();
    p.writeFile("app.log", log.text);
    const read = await converse(
      p,
      (seen) => {
        if (seen.length === 0) return bash("cat app.log");
        if (seen.length === 1) return call("mcp__headroom__headroom_retrieve", { hash: HASH.exec(seen[0]!)?.[1] ?? "missing", query: "ERROR" });
        return "done";
      },
      "Bash mcp__headroom",
    );
    const [compressed, retrieved] = read;
    expect(compressed).toContain(log.errorLine);
    expect(compressed).toMatch(HASH);
    expect(compressed).toMatch(/^\[headroom: Bash output compressed from [\d,]+ to [\d,]+ characters/);
    expect(compressed!.length).toBeLessThanOrEqual(log.text.length * 0.05);
    expect(retrieved).toContain(log.errorLine);
    expect(retrieved!.length).toBeLessThan(500);
  });

  it("adds the whole output of a failed command, compressed, next to the part Claude Code shows", async () => {
    const p = installedProject();
    p.writeFile("app.log", log.text);
    const [seen] = await converse(p, (read) => (read.length === 0 ? bash("cat app.log; exit 1") : "done"), "Bash mcp__headroom", {}, true);
    // Claude Code's own answer stays (the exit code and at most 10,000 characters, without the ERROR line) …
    expect(seen).toMatch(/^Exit code 1\n/);
    const [shown, added] = seen!.split("PostToolUseFailure:Bash hook additional context: ");
    expect(shown).not.toContain(log.errorLine);
    // … and the hook's context brings the line that matters, with a hash for the rest
    expect(added).toMatch(/^\[headroom: the command failed and Claude Code showed only part of its output; here is all of it/);
    expect(added).toContain(log.errorLine);
    expect(added).toMatch(HASH);
    expect(added!.length).toBeLessThan(log.text.length * 0.05);
  });

  it("compresses another MCP server's results, inline and when Claude Code saved them to a file", async () => {
    const p = installedProject();
    const mcp = JSON.parse(readFileSync(join(p.dir, ".mcp.json"), "utf8")) as { mcpServers: Record<string, unknown> };
    const filesystem = join(process.cwd(), "node_modules", "@modelcontextprotocol", "server-filesystem", "dist", "index.js");
    p.writeMcpConfig({ mcpServers: { ...mcp.mcpServers, filesystem: { command: process.execPath, args: [filesystem, p.dir] } } });
    const medium = serviceLog(300);
    p.writeFile("medium.log", medium.text);
    p.writeFile("app.log", log.text);
    const read = await converse(
      p,
      (seen) => {
        if (seen.length === 0) return call("mcp__filesystem__read_text_file", { path: join(p.dir, "medium.log") });
        if (seen.length === 1) return call("mcp__filesystem__read_text_file", { path: join(p.dir, "app.log") });
        return "done";
      },
      "mcp__filesystem mcp__headroom",
    );
    const [inline, saved] = read;
    expect(inline).toMatch(/^\[headroom: mcp__filesystem__read_text_file output compressed/);
    expect(inline).toContain(medium.errorLine);
    expect(inline!.length).toBeLessThan(medium.text.length * 0.2);
    // over Claude Code's MCP token limit the result was saved to a file; the hook read it from there
    expect(saved).toMatch(/^\[headroom: mcp__filesystem__read_text_file output compressed/);
    expect(saved).toContain(log.errorLine);
    expect(saved!.length).toBeLessThan(log.text.length * 0.05);
  });

  it("moves the project's MCP servers behind headroom's gateway with install --gateway: their large results come back compressed", async () => {
    const p = tempProject();
    cleanups.push(() => p.cleanup());
    const filesystem = join(process.cwd(), "node_modules", "@modelcontextprotocol", "server-filesystem", "dist", "index.js");
    p.writeMcpConfig({ mcpServers: { filesystem: { command: process.execPath, args: [filesystem, p.dir] } } });
    p.writeFile("app.log", log.text);
    const install = spawnSync(process.execPath, [CLI, "install", "claude-code", "--gateway"], { cwd: p.dir, encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: p.home } });
    expect(install.status, install.stderr).toBe(0);
    expect(install.stdout).toMatch(/moved 1 server behind headroom: filesystem/);
    const mcp = JSON.parse(readFileSync(join(p.dir, ".mcp.json"), "utf8")) as { mcpServers: Record<string, unknown> };
    expect(Object.keys(mcp.mcpServers)).toEqual(["headroom"]);
    const [read] = await converse(p, (seen) => (seen.length === 0 ? call("mcp__headroom__filesystem__read_text_file", { path: join(p.dir, "app.log") }) : "done"), "mcp__headroom");
    expect(read).toMatch(/^\[headroom: filesystem__read_text_file result compressed/);
    expect(read).toContain(log.errorLine);
    expect(read!.length).toBeLessThan(log.text.length * 0.05);
  });

  it("leaves small outputs and HEADROOM_OFF=1 commands exactly as Claude Code alone shows them, and gives the original when the hook has no store", async () => {
    const p = installedProject();
    const notes = "alpha\nbeta\n  gamma with spaces\n";
    p.writeFile("notes.txt", notes);
    p.writeFile("app.log", log.text);
    const read = await converse(
      p,
      (seen) => [bash("cat notes.txt"), bash("HEADROOM_OFF=1 cat app.log")][seen.length] ?? "done",
      "Bash mcp__headroom",
    );
    // the same two calls in the same project without headroom's files: what Claude Code alone shows
    const alone = tempProject();
    cleanups.push(() => alone.cleanup());
    alone.writeFile("notes.txt", notes);
    alone.writeFile("app.log", log.text);
    const readAlone = await converse(alone, (seen) => [bash("cat notes.txt"), bash("HEADROOM_OFF=1 cat app.log")][seen.length] ?? "done", "Bash");
    // the saved file's path holds the session's id and the temp folder: the rest must be the same bytes
    const savedPath = (text: string) => text.replace(/Full output saved to: \S+/, "Full output saved to: PATH");
    expect(read[0]).toBe(notes.trimEnd());
    expect(read[0]).toBe(readAlone[0]);
    expect(read[1]).toMatch(/^<persisted-output>\nOutput too large .*\n\nPreview \(first 2KB\):\n/);
    expect(savedPath(read[1]!)).toBe(savedPath(readAlone[1]!));

    // a store the hook cannot open (its folder would be inside a file): it compresses nothing, and
    // Claude Code's own handling stays
    const blocker = p.writeFile("not-a-folder", "");
    const unstored = await converse(p, (seen) => (seen.length === 0 ? bash("cat app.log") : "done"), "Bash", { HEADROOM_STORE: join(blocker, "store.sqlite") });
    expect(unstored[0]).toMatch(/^<persisted-output>\nOutput too large /);
    expect(unstored[0]).not.toContain("[headroom:");
  });
});
