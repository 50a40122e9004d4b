import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runClaude, tempProject, type ClaudeRun, type TempProject } from "../helpers/claude-code.js";
import { lastToolResultText, lastToolResults, startFakeAnthropic, type FakeAnthropic, type MessagesRequest, type ModelTurn } from "../helpers/fake-anthropic.js";

// These drive the real Claude Code CLI (pinned dev dependency) against a fake Messages API on loopback,
// with no headroom involved: they pin down what the model reads, which is what headroom's hook changes.

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function project(): TempProject {
  const p = tempProject();
  cleanups.push(() => p.cleanup());
  return p;
}

/** One scripted conversation: the model makes `calls` in order, one per turn, then ends with "done". */
async function converse(p: TempProject, calls: ModelTurn[], allowedTools: string): Promise<{ run: ClaudeRun; api: FakeAnthropic; afterCall: MessagesRequest[] }> {
  const api = await startFakeAnthropic((_request, turn) => calls[turn] ?? "done");
  cleanups.push(() => api.close());
  const run = await runClaude({ prompt: "Do the scripted task.", cwd: p.dir, home: p.home, apiUrl: api.url, allowedTools, timeoutMs: 60_000 });
  if (run.exitCode !== 0 || run.json?.is_error) throw new Error(`claude failed (exit ${run.exitCode}, timedOut ${run.timedOut}): ${run.stderr}\n${run.stdout.slice(0, 2000)}`);
  // the request after each tool call carries its tool_result
  return { run, api, afterCall: api.mainLoop().slice(1) };
}

const bash = (command: string): ModelTurn => [{ type: "tool_use", name: "Bash", input: { command, description: "Scripted command" } }];

/** ~180 KB of INFO lines with the one line that matters at the very end. */
function bigLog(): string {
  const lines: string[] = [];
  for (let i = 0; i < 3000; i++) {
    const t = `2026-12-01T${String(10 + Math.floor(i / 3600)).padStart(2, "0")}:${String(Math.floor(i / 60) % 60).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}.000Z`;
    lines.push(`${t} INFO worker-${i % 7} processed batch ${i} in ${(i * 37) % 900} ms, queue depth ${(i * 13) % 50}`);
  }
  lines.push("2026-12-01T11:00:00.000Z ERROR worker-3 batch 3000 failed: ENOSPC no space left on device");
  return lines.join("\n") + "\n";
}
const ERROR_LINE = "ERROR worker-3 batch 3000 failed: ENOSPC";

describe("Claude Code alone, against the fake API", { timeout: 120_000 }, () => {
  it("hands the model a small Bash output verbatim (minus the trailing newline)", async () => {
    const p = project();
    const content = "alpha\nbeta\n  gamma with spaces\n";
    p.writeFile("notes.txt", content);
    const { run, afterCall } = await converse(p, [bash("cat notes.txt")], "Bash");
    expect(afterCall).toHaveLength(1);
    expect(lastToolResultText(afterCall[0]!)).toBe(content.trimEnd());
    expect(lastToolResults(afterCall[0]!)[0]!.is_error).toBe(false);
    expect(run.json?.result).toBe("done");
  });

  it("shows the model only a 2 KB preview of a large Bash output, so the ERROR at the end is lost", async () => {
    const p = project();
    const log = bigLog();
    expect(log.length).toBeGreaterThan(170_000);
    p.writeFile("app.log", log);
    const { afterCall } = await converse(p, [bash("cat app.log")], "Bash");
    const seen = lastToolResultText(afterCall[0]!);
    expect(seen).toMatch(/^<persisted-output>\nOutput too large \(\d+(\.\d)?KB\)\. Full output saved to: .*\n\nPreview \(first 2KB\):\n2026-12-01T10:00:00\.000Z INFO/);
    expect(seen.length).toBeLessThan(3_000);
    expect(seen).not.toContain(ERROR_LINE);
  });

  it("lets a PostToolUse hook replace Bash output, once the persisted-output fields are dropped", async () => {
    const p = project();
    p.writeFile("app.log", bigLog());
    const hook = p.writeFile(
      "hook.mjs",
      `import { readFileSync, writeFileSync } from "node:fs";
const input = JSON.parse(readFileSync(0, "utf8"));
writeFileSync(process.env.CLAUDE_PROJECT_DIR + "/hook-input.json", JSON.stringify(input));
const { persistedOutputPath, persistedOutputSize, ...rest } = input.tool_response;
process.stdout.write(JSON.stringify({ hookSpecificOutput: { hookEventName: "PostToolUse", updatedToolOutput: { ...rest, stdout: "HOOKED: 1 ERROR line in 3001" } } }));
`,
    );
    p.writeSettings({ hooks: { PostToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: `node "${hook}"`, timeout: 30 }] }] } });
    const { afterCall } = await converse(p, [bash("cat app.log")], "Bash");
    expect(lastToolResultText(afterCall[0]!)).toBe("HOOKED: 1 ERROR line in 3001");
    // the hook saw the output capped at 30,000 characters, and where the whole of it was saved
    const input = JSON.parse(readFileSync(join(p.dir, "hook-input.json"), "utf8")) as { tool_response: { stdout: string; persistedOutputPath: string; persistedOutputSize: number } };
    expect(input.tool_response.stdout).toHaveLength(30_000);
    expect(input.tool_response.persistedOutputSize).toBe(bigLog().length);
    expect(readFileSync(input.tool_response.persistedOutputPath, "utf8")).toContain(ERROR_LINE);
  });
});
