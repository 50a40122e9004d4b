import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CLI, tempStorePath } from "../helpers/server.js";

/**
 * A stdio server lives as long as its host. Hosts vanish in every way: they close our stdout
 * (a write then fails with EPIPE), close stdin, send a signal, or die while another process
 * (a leftover `npm exec`) still holds our stdin. Each must end the process within 2 s, without
 * spinning on a broken stderr.
 */
const EXIT_WITHIN_MS = 2000;

function startRaw(extraArgs: string[] = []): ChildProcess {
  return spawn(process.execPath, [CLI, "--store", tempStorePath(), "--log-level", "debug", ...extraArgs], { stdio: ["pipe", "pipe", "pipe"] });
}

function send(child: ChildProcess, message: Record<string, unknown>): void {
  child.stdin!.write(`${JSON.stringify({ jsonrpc: "2.0", ...message })}\n`);
}

/** Resolves with the first stdout line that is a reply to `id`. */
function reply(child: ChildProcess, id: number): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    let buffer = "";
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      for (const line of buffer.split("\n").slice(0, -1)) {
        const message = JSON.parse(line) as Record<string, unknown>;
        if (message.id === id) {
          child.stdout!.off("data", onData);
          resolve(message);
        }
      }
      buffer = buffer.slice(buffer.lastIndexOf("\n") + 1);
    };
    child.stdout!.on("data", onData);
  });
}

async function initialized(child: ChildProcess): Promise<void> {
  send(child, { id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "lifecycle-test", version: "1" } } });
  await reply(child, 1);
  send(child, { method: "notifications/initialized" });
}

/** Milliseconds from now until the process has exited (or rejects after `limit`). */
function timeToExit(pid: number, limit = 10_000): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      if (!running(pid)) {
        clearInterval(poll);
        resolve(performance.now() - started);
      } else if (performance.now() - started > limit) {
        clearInterval(poll);
        process.kill(pid, "SIGKILL");
        reject(new Error(`process ${pid} still running after ${limit} ms`));
      }
    }, 20);
  });
}

/** An exited process whose parent has not reaped it yet (an orphan waits for init) is a zombie, not running. */
function running(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]![0] !== "Z";
  } catch {
    return false;
  }
}

/** CPU seconds a process has used (Linux /proc), to tell an idle process from a spinning one. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

describe("the life of a stdio server", () => {
  it("exits when its stdout is closed and it next writes (EPIPE), even with stdin still held", async () => {
    const child = startRaw();
    await initialized(child);
    // the host goes: it closes its ends of our stdout and stderr but something still holds stdin
    child.stdout!.destroy();
    child.stderr!.destroy();
    send(child, { id: 2, method: "tools/list" });
    expect(await timeToExit(child.pid!)).toBeLessThan(EXIT_WITHIN_MS);
  });

  it("exits when stdin ends", async () => {
    const child = startRaw();
    await initialized(child);
    child.stdin!.end();
    expect(await timeToExit(child.pid!)).toBeLessThan(EXIT_WITHIN_MS);
  });

  it.each(["SIGTERM", "SIGHUP", "SIGINT"] as const)("exits on %s", async (signal) => {
    const child = startRaw();
    await initialized(child);
    child.kill(signal);
    expect(await timeToExit(child.pid!)).toBeLessThan(EXIT_WITHIN_MS);
  });

  it("exits when the process that started it dies while stdin stays open", async () => {
    // a middleman shell starts the server with a pipe from `sleep` as stdin (like a leftover
    // `npm exec` holding it), and then dies by SIGKILL: stdin never ends, only the parent changes
    const middleman = spawn("bash", ["-c", `sleep 30 | exec "${process.execPath}" "${CLI}" --store "${tempStorePath()}" >/dev/null 2>&1 & echo $!; wait`], { stdio: ["ignore", "pipe", "ignore"] });
    const serverPid = Number(await new Promise<string>((resolve) => middleman.stdout!.once("data", (d: Buffer) => resolve(d.toString()))));
    await new Promise((r) => setTimeout(r, 800)); // let it start
    const sleeper = execFileSync("pgrep", ["-P", String(middleman.pid), "sleep"], { encoding: "utf8" }).trim();
    middleman.kill("SIGKILL");
    try {
      expect(await timeToExit(serverPid)).toBeLessThan(EXIT_WITHIN_MS);
    } finally {
      if (sleeper) process.kill(Number(sleeper), "SIGKILL");
    }
  });

  it("does not spin when stdout and stderr are gone and writes keep failing", async () => {
    const child = startRaw(["--log-level", "debug"]);
    await initialized(child);
    child.stdout!.destroy();
    child.stderr!.destroy();
    const cpuBefore = cpuSeconds(child.pid!);
    send(child, { id: 2, method: "tools/list" });
    await timeToExit(child.pid!).catch(() => undefined);
    // gone within the limit above; had it spun, a second of CPU would have gone first
    expect(running(child.pid!)).toBe(false);
    expect(cpuBefore).toBeLessThan(3);
  });

  it("takes a request line over the SDK's 10 MiB default and keeps serving", { timeout: 60_000 }, async () => {
    const child = startRaw();
    await initialized(child);
    const line = "2026-11-22T03:00:00Z INFO worker-3 handled request in 12ms status=200\n";
    const content = line.repeat(Math.ceil((12 * 1024 * 1024) / line.length));
    send(child, { id: 2, method: "tools/call", params: { name: "compress_tool_result", arguments: { content } } });
    const answer = (await reply(child, 2)) as { result: { isError?: boolean; structuredContent: { original_tokens: number; hash: string } } };
    expect(answer.result.isError).toBeFalsy();
    expect(answer.result.structuredContent.hash).toMatch(/^[0-9a-f]{24}$/);
    send(child, { id: 3, method: "tools/list" });
    expect(await reply(child, 3)).toHaveProperty("result");
    child.stdin!.end();
    await timeToExit(child.pid!);
  });

  it("answers a request line over its limit with too_large, and keeps serving", { timeout: 60_000 }, async () => {
    const child = startRaw(["--max-input-mb", "1"]); // lines up to 7 MB
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    await initialized(child);
    send(child, { method: "tools/call", params: { name: "compress_tool_result", arguments: { content: "x".repeat(8 * 1024 * 1024) } }, id: 7 });
    const answer = (await reply(child, 7)) as { error?: { code: number; message: string } };
    expect(answer.error?.message).toMatch(/^too_large: /);
    send(child, { id: 8, method: "tools/list" });
    expect(await reply(child, 8)).toHaveProperty("result");
    expect(stderr).toMatch(/request line over \d+ bytes was skipped/);
    child.stdin!.end();
    await timeToExit(child.pid!);
  });

  it("stays up and answers while the host is there", async () => {
    const child = startRaw();
    await initialized(child);
    send(child, { id: 2, method: "tools/list" });
    const list = (await reply(child, 2)) as { result: { tools: Array<{ name: string }> } };
    expect(list.result.tools.map((t) => t.name)).toContain("compress_tool_result");
    await new Promise((r) => setTimeout(r, 1200)); // over two parent checks
    expect(running(child.pid!)).toBe(true);
    child.stdin!.end();
    await timeToExit(child.pid!);
  });
});
