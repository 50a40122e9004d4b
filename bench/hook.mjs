// The Claude Code hook as Claude Code runs it: a fresh `headroom-mcp hook post-tool-use` process
// per tool call, the event on stdin. Wall time from spawn to exit, and the tokens the model reads
// with and without headroom for the recorded tool calls of fixtures/claude-code/.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { TokenCounter } from "../dist/index.js";

const root = fileURLToPath(new URL("..", import.meta.url));
// what `install claude-code` registers: the CommonJS front of the hook command
const cli = join(root, "dist/bin/hook.cjs");
const recorded = (name) => JSON.parse(readFileSync(join(root, "fixtures/claude-code", `${name}.json`), "utf8"));

/** A service log: `lines` INFO lines with varying ids and timings, one ERROR line at the end. */
export function serviceLog(lines) {
  const out = [];
  let seed = 11;
  const next = (n) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
  for (let i = 0; i < lines; i++) {
    out.push(`2026-11-20T10:${String(Math.floor(i / 60) % 60).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}.${String(next(1000)).padStart(3, "0")}Z INFO  [worker-${i % 8}] GET /api/v1/items/${next(999)} 200 ${next(400)}ms`);
  }
  out.push("2026-11-20T11:00:00.000Z ERROR [worker-3] database connection lost: ECONNRESET after 3 retries");
  return `${out.join("\n")}\n`;
}

function wall(args, input, env, runs) {
  const times = [];
  let last;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    last = spawnSync(process.execPath, args, { input, env: { PATH: process.env.PATH, HOME: env.HOME ?? tmpdir(), ...env }, encoding: "utf8" });
    times.push(performance.now() - t0);
    if (last.status !== 0) throw new Error(`hook exited ${last.status}: ${last.stderr}`);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length / 2)], p95: times[Math.min(times.length - 1, Math.floor(times.length * 0.95))], last };
}

/** A Bash event as Claude Code 2.1.x sends it for an output it saved to a file. */
function persistedBashEvent(text) {
  const session = mkdtempSync(join(tmpdir(), "headroom-bench-session-"));
  mkdirSync(join(session, "s", "tool-results"), { recursive: true });
  const saved = join(session, "s", "tool-results", "out.txt");
  writeFileSync(saved, text);
  const event = recorded("bash-large-persisted");
  return {
    ...event,
    transcript_path: join(session, "s.jsonl"),
    tool_response: { ...event.tool_response, stdout: text.slice(0, 30_000), persistedOutputPath: saved, persistedOutputSize: text.length },
  };
}

/** What Claude Code 2.1.197 shows the model for a saved output (fixtures/claude-code/README.md). */
function claudePreview(text, path) {
  return `<persisted-output>\nOutput too large (${(text.length / 1024).toFixed(1)}KB). Full output saved to: ${path}\n\nPreview (first 2KB):\n${text.slice(0, 2048)}\n...\n</persisted-output>`;
}

function replacementOf(stdout) {
  if (stdout === "") return undefined;
  const out = JSON.parse(stdout).hookSpecificOutput;
  const updated = out.updatedMCPToolOutput ?? out.updatedToolOutput;
  return typeof updated === "string" ? updated : (updated.stdout ?? updated.content);
}

export async function hookBench(quick) {
  const runs = quick ? 5 : 20;
  const home = mkdtempSync(join(tmpdir(), "headroom-bench-home-"));
  const env = { HOME: home, HEADROOM_STORE: join(home, "store.sqlite") };
  const node = wall(["-e", ""], "", env, runs);
  const small = wall([cli, "hook", "post-tool-use"], JSON.stringify(recorded("bash-small")), env, runs);
  const log200 = serviceLog(2720);
  const big = wall([cli, "hook", "post-tool-use"], JSON.stringify(persistedBashEvent(log200)), env, quick ? 3 : 10);

  const tokens = new TokenCounter();
  const count = async (text) => (await tokens.count(text)).tokens;
  const sessions = [];
  const bashLog = serviceLog(3000);
  const bashEvent = persistedBashEvent(bashLog);
  const bashAfter = replacementOf(wall([cli, "hook", "post-tool-use"], JSON.stringify(bashEvent), env, 1).last.stdout);
  sessions.push({
    call: `Bash cat of a ${(bashLog.length / 1024).toFixed(0)} KB log, one ERROR at the end`,
    alone: await count(claudePreview(bashLog, bashEvent.tool_response.persistedOutputPath)),
    whole: await count(bashLog),
    after: await count(bashAfter),
    keeps: bashAfter.includes("ERROR [worker-3]") ? "yes (alone: no, 2 KB preview)" : "NO",
  });
  const grep = recorded("grep-content");
  const grepAfter = replacementOf(wall([cli, "hook", "post-tool-use"], JSON.stringify(grep), { ...env, HEADROOM_HOOK_MIN_CHARS: "2000" }, 1).last.stdout);
  sessions.push({ call: `Grep content, ${grep.tool_response.numLines} lines (minChars 2000)`, alone: await count(grep.tool_response.content), whole: await count(grep.tool_response.content), after: await count(grepAfter ?? grep.tool_response.content), keeps: grepAfter ? "markers + hash" : "unchanged" });
  for (const name of ["mcp-read_text_file", "mcp-read_text_file-large-max-tokens"]) {
    const event = recorded(name);
    const after = replacementOf(wall([cli, "hook", "post-tool-use"], JSON.stringify(event), env, 1).last.stdout);
    const text = event.tool_response;
    sessions.push({ call: `${event.tool_name}, ${(text.length / 1024).toFixed(0)} KB`, alone: await count(text), whole: await count(text), after: await count(after ?? text), keeps: after?.includes("ERROR") || !text.includes("ERROR") ? "yes" : "NO" });
  }
  return { node, small, big, bigBytes: log200.length, sessions };
}
