import { spawn } from "node:child_process";
import { constants } from "node:os";
import type { Config } from "../config.js";
import { formatBytes } from "../engine/errors.js";
import { decodeText } from "../engine/text-file.js";
import { printable, progressLine, summaryLine, withHeadroom } from "./one-shot.js";

/**
 * `headroom-mcp run -- CMD …`: runs CMD with stdout and stderr captured together in the order they
 * came, then prints that output compressed and exits with CMD's code. For shells and terminals
 * that have no hook (Cursor's, a CI log). HEADROOM_OFF=1 runs CMD untouched. Whatever goes wrong
 * on headroom's side, the output still reaches stdout unchanged and the exit code is CMD's.
 */
export async function run(config: Config): Promise<number> {
  const request = config.request!;
  const [command, ...args] = request.argv!;
  if (process.env.HEADROOM_OFF === "1") return runUntouched(command!, args);

  const progress = progressLine();
  const started = Date.now();
  const output = new OutputBuffer(config.maxInputBytes);
  const child = spawn(command!, args, { stdio: ["inherit", "pipe", "pipe"], shell: process.platform === "win32" });
  child.stdout.on("data", (chunk: Buffer) => output.add(chunk));
  child.stderr.on("data", (chunk: Buffer) => output.add(chunk));
  const forget = forwardSignals(child.pid);
  const ticker = setInterval(() => progress.show(`headroom: running ${command}… ${Math.round((Date.now() - started) / 1000)} s, ${formatBytes(output.bytes)} of output`), 1000);
  const exitCode = await exitOf(child, command!);
  clearInterval(ticker);
  forget();
  progress.clear();
  if (output.spilled) return exitCode;

  const raw = output.take();
  let text: string;
  try {
    text = decodeText(raw, "the output");
  } catch {
    process.stdout.write(raw);
    return exitCode;
  }
  if (text.trim() === "") {
    process.stdout.write(text);
    return exitCode;
  }
  await withHeadroom(config, async ({ engine }) => {
    const result = await engine.compress({ content: text, toolName: request.argv!.join(" "), query: request.query, contentType: request.contentType, maxTokens: request.maxTokens });
    process.stdout.write(request.json ? `${JSON.stringify({ exit_code: exitCode, ...result }, null, 2)}\n` : printable(result));
    if (process.stderr.isTTY && !request.json) process.stderr.write(`${result.compressed.endsWith("\n") ? "" : "\n"}${summaryLine(result)}\n`);
    return 0;
  }).then((status) => {
    // headroom failed (its error is on stderr): the output still goes out as it came
    if (status !== 0) process.stdout.write(text);
  });
  return exitCode;
}

/** Collects output up to a limit; past it, writes what it has and streams the rest unchanged. */
class OutputBuffer {
  private chunks: Buffer[] = [];
  bytes = 0;
  spilled = false;

  constructor(private readonly limit: number) {}

  add(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.spilled) {
      process.stdout.write(chunk);
      return;
    }
    this.chunks.push(chunk);
    if (this.bytes > this.limit) {
      this.spilled = true;
      process.stderr.write(`headroom-mcp: the output passed ${formatBytes(this.limit)} (--max-input-mb): it is shown unchanged\n`);
      for (const c of this.chunks) process.stdout.write(c);
      this.chunks = [];
    }
  }

  take(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

function runUntouched(command: string, args: string[]): Promise<number> {
  const child = spawn(command, args, { stdio: "inherit", shell: process.platform === "win32" });
  const forget = forwardSignals(child.pid);
  return exitOf(child, command).finally(forget);
}

/** CMD's exit code as a shell reports it: 128+N for signal N, 127 not found, 126 not runnable. */
function exitOf(child: ReturnType<typeof spawn>, command: string): Promise<number> {
  return new Promise((resolve) => {
    child.once("error", (error: NodeJS.ErrnoException) => {
      process.stderr.write(`headroom-mcp: cannot run ${command}: ${error.code === "ENOENT" ? "command not found" : error.message}\n`);
      resolve(error.code === "ENOENT" ? 127 : 126);
    });
    child.once("close", (code, signal) => resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)));
  });
}

/** A signal meant for `run` is meant for CMD: pass it on, and let CMD decide when to stop. */
function forwardSignals(pid: number | undefined): () => void {
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  const forward = (signal: NodeJS.Signals) => {
    if (pid !== undefined) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
  };
  for (const signal of signals) process.on(signal, forward);
  return () => {
    for (const signal of signals) process.off(signal, forward);
  };
}
