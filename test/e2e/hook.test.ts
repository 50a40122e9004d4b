import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { fixture, serviceLog } from "../helpers/data.js";
import { CLI, tempStorePath } from "../helpers/server.js";

const HOOK_CJS = join(dirname(CLI), "hook.cjs");

/** A recorded Claude Code hook input, as JSON. */
const recorded = (name: string) => JSON.parse(fixture(`claude-code/${name}.json`)) as Record<string, unknown>;
const hook = (input: string, env: Record<string, string> = {}) => cli(["hook", "post-tool-use"], { input, env: { HOME: mkdtempSync(join(tmpdir(), "headroom-hook-home-")), ...env } });

describe("headroom-mcp hook post-tool-use", () => {
  it("answers a persisted Bash output with the whole output compressed, retrievable from the same store", () => {
    const store = tempStorePath();
    const log = serviceLog();
    const session = mkdtempSync(join(tmpdir(), "headroom-hook-session-"));
    mkdirSync(join(session, "s1", "tool-results"), { recursive: true });
    const saved = join(session, "s1", "tool-results", "b1.txt");
    writeFileSync(saved, log.text);
    const event = recorded("bash-large-persisted");
    const input = { ...event, transcript_path: join(session, "s1.jsonl"), tool_response: { ...(event.tool_response as object), stdout: log.text.slice(0, 30_000), persistedOutputPath: saved, persistedOutputSize: log.text.length } };
    const run = hook(JSON.stringify(input), { HEADROOM_STORE: store });
    expect(run.status).toBe(0);
    const answer = JSON.parse(run.stdout) as { hookSpecificOutput: { hookEventName: string; updatedToolOutput: { stdout: string; stderr: string; interrupted: boolean } } };
    expect(answer.hookSpecificOutput.hookEventName).toBe("PostToolUse");
    const { stdout } = answer.hookSpecificOutput.updatedToolOutput;
    expect(stdout).toContain(log.errorLine);
    expect(stdout.length).toBeLessThan(log.text.length * 0.05);
    const hash = /hash=([0-9a-f]{24})/.exec(stdout)![1]!;
    expect(cli(["retrieve", hash, "--store", store, "--limit", "1000000"]).stdout).toBe(log.text);
  });

  it("compresses large Grep content", () => {
    const event = recorded("grep-content");
    const run = hook(JSON.stringify(event), { HEADROOM_STORE: tempStorePath(), HEADROOM_HOOK_MIN_CHARS: "2000" });
    expect(run.status).toBe(0);
    const updated = (JSON.parse(run.stdout) as { hookSpecificOutput: { updatedToolOutput: { content: string; mode: string } } }).hookSpecificOutput.updatedToolOutput;
    expect(updated.mode).toBe("content");
    expect(updated.content).toMatch(/^\[headroom: Grep output compressed/);
    expect(updated.content.length).toBeLessThan(((event.tool_response as { content: string }).content).length);
  });

  it.each([
    ["a small output", JSON.stringify(recorded("bash-small"))],
    ["input that is not JSON", "{ not json"],
    ["an empty input", ""],
    ["an event of another kind", JSON.stringify({ ...recorded("bash-small"), hook_event_name: "PreToolUse" })],
  ])("stays silent with exit 0 on %s", (_what, input) => {
    const run = hook(input, { HEADROOM_STORE: tempStorePath() });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe("");
  });

  it("stays silent with exit 0 when a HEADROOM_* variable meant for the server is bad, in both entries", () => {
    const long = JSON.stringify({ hook_event_name: "PostToolUse", tool_name: "Bash", tool_input: { command: "cat app.log" }, tool_response: { stdout: serviceLog().text.slice(0, 29_000), stderr: "", interrupted: false } });
    const bad: Array<Record<string, string>> = [{ HEADROOM_TTL: "abc" }, { HEADROOM_LOG_LEVEL: "verbose" }, { HEADROOM_STORE: "ftp://x" }, { HEADROOM_MAX_INPUT_MB: "0" }];
    for (const env of bad) {
      const viaMain = hook(long, env);
      expect(viaMain, JSON.stringify(env)).toMatchObject({ status: 0, stdout: "", stderr: "" });
      const viaFront = spawnSync(process.execPath, [HOOK_CJS, "hook", "post-tool-use"], { input: long, encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: tmpdir(), ...env } });
      expect({ status: viaFront.status, stdout: viaFront.stdout, stderr: viaFront.stderr }, JSON.stringify(env)).toEqual({ status: 0, stdout: "", stderr: "" });
    }
  });

  it("answers through dist/bin/hook.cjs (what install registers) as through the command", () => {
    const long = JSON.stringify({ hook_event_name: "PostToolUse", tool_name: "Bash", tool_input: { command: "cat app.log" }, tool_response: { stdout: serviceLog().text.slice(0, 29_000), stderr: "", interrupted: false } });
    const store = tempStorePath();
    const front = spawnSync(process.execPath, [HOOK_CJS, "hook", "post-tool-use"], { input: long, encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: tmpdir(), HEADROOM_STORE: store } });
    expect(front.status).toBe(0);
    expect(front.stdout).toBe(hook(long, { HEADROOM_STORE: store }).stdout);
    expect(front.stdout).toMatch(/hash=[0-9a-f]{24}/);
  });

  it("stays silent when switched off, or when its store cannot be opened", () => {
    const long = { hook_event_name: "PostToolUse", tool_name: "Bash", tool_input: { command: "cat app.log" }, tool_response: { stdout: serviceLog().text.slice(0, 29_000), stderr: "", interrupted: false } };
    expect(hook(JSON.stringify(long), { HEADROOM_STORE: tempStorePath() }).stdout).not.toBe("");
    expect(hook(JSON.stringify(long), { HEADROOM_STORE: tempStorePath(), HEADROOM_OFF: "1" }).stdout).toBe("");
    const blocker = join(mkdtempSync(join(tmpdir(), "headroom-hook-")), "file");
    writeFileSync(blocker, "");
    const unstored = hook(JSON.stringify(long), { HEADROOM_STORE: join(blocker, "store.sqlite") });
    expect(unstored.status).toBe(0);
    expect(unstored.stdout).toBe("");
  });
});
