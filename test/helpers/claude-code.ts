import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/**
 * The native Claude Code binary. The wrapper package's `bin/claude.exe` is only a placeholder until its
 * postinstall copies the native binary over it, and installs here skip that step, so go to the platform package.
 */
export function claudeBinary(): string {
  const key = `${process.platform}-${process.arch}${isMusl() ? "-musl" : ""}`;
  const pkg = `@anthropic-ai/claude-code-${key}`;
  let dir: string;
  try {
    dir = dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    throw new Error(`Claude Code's native package ${pkg} is not installed (an optional dependency of @anthropic-ai/claude-code); run npm install without --omit=optional`);
  }
  const binary = join(dir, process.platform === "win32" ? "claude.exe" : "claude");
  if (!existsSync(binary)) throw new Error(`${pkg} has no binary at ${binary}`);
  return binary;
}

function isMusl(): boolean {
  if (process.platform !== "linux") return false;
  // glibc reports its version here; musl does not (the same test Claude Code's own installer uses)
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report?.header?.glibcVersionRuntime === undefined;
}

export interface TempProject {
  /** The temp directory holding both, removed by `cleanup()`. */
  root: string;
  /** The project directory, used as cwd. */
  dir: string;
  /** A throwaway HOME, so no user settings, credentials or history leak in or out. */
  home: string;
  /** Writes `.claude/settings.json` in the project. */
  writeSettings(settings: unknown): void;
  /** Writes `.mcp.json` in the project. */
  writeMcpConfig(config: unknown): void;
  /** Writes a file relative to the project and returns its absolute path. */
  writeFile(relative: string, content: string): string;
  cleanup(): void;
}

export function tempProject(): TempProject {
  const root = mkdtempSync(join(tmpdir(), "headroom-cc-"));
  const dir = join(root, "project");
  const home = join(root, "home");
  mkdirSync(dir);
  mkdirSync(home);
  const writeFile = (relative: string, content: string) => {
    const path = join(dir, relative);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    return path;
  };
  return {
    root,
    dir,
    home,
    writeFile,
    writeSettings: (settings) => writeFile(".claude/settings.json", JSON.stringify(settings, null, 2)),
    writeMcpConfig: (config) => writeFile(".mcp.json", JSON.stringify(config, null, 2)),
    cleanup: () => {
      rmSync(root, { recursive: true, force: true });
      // Claude Code keeps each command's output under $TMPDIR/claude-<uid>/<project path as a slug>/
      rmSync(join(tmpdir(), `claude-${process.getuid?.() ?? 0}`, dir.replace(/[^A-Za-z0-9]/g, "-")), { recursive: true, force: true });
    },
  };
}

export interface RunClaudeOptions {
  prompt: string;
  cwd: string;
  home: string;
  apiUrl: string;
  /** Passed as one `--allowedTools` value (space-separated tool names or patterns). */
  allowedTools?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  extraArgs?: string[];
}

export interface ClaudeRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** The parsed `--output-format json` result, when stdout is JSON. */
  json?: ClaudeResult;
  durationMs: number;
}

/** The fields of the `--output-format json` result that tests use. */
export interface ClaudeResult {
  type: string;
  subtype: string;
  is_error: boolean;
  result?: string;
  num_turns?: number;
  session_id?: string;
  [key: string]: unknown;
}

/**
 * Switches for everything that could make Claude Code reach the network (other than the fake API) or update itself.
 * Measured with strace on 2.1.197: a `-p` run connects only to ANTHROPIC_BASE_URL (HEAD / then POST /v1/messages),
 * already with CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC alone; the rest guard against newer versions.
 */
const OFFLINE_ENV: Record<string, string> = {
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
  DISABLE_AUTOUPDATER: "1",
  DISABLE_UPDATES: "1",
  DISABLE_TELEMETRY: "1",
  DISABLE_ERROR_REPORTING: "1",
  DISABLE_GROWTHBOOK: "1",
  DISABLE_INSTALLATION_CHECKS: "1",
  CLAUDE_CODE_DISABLE_FEEDBACK_SURVEY: "1",
  CLAUDE_CODE_DISABLE_TERMINAL_TITLE: "1",
  CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL: "1",
  // the fake API answers every side request with "ok"; background memory/summaries only add noise
  CLAUDE_CODE_DISABLE_AUTO_MEMORY: "1",
};

/** Runs `claude -p` once with a clean environment, and kills it (whole process group) after `timeoutMs`. */
export function runClaude(options: RunClaudeOptions): Promise<ClaudeRun> {
  const args = ["-p", options.prompt, "--output-format", "json", "--no-session-persistence"];
  if (options.allowedTools) args.push("--allowedTools", options.allowedTools);
  args.push(...(options.extraArgs ?? []));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: options.home,
    ANTHROPIC_BASE_URL: options.apiUrl,
    ANTHROPIC_API_KEY: "sk-ant-fake-key",
    ...OFFLINE_ENV,
    ...options.env,
  };
  const timeoutMs = options.timeoutMs ?? 60_000;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(claudeBinary(), args, { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    let timedOut = false;
    // detached puts Claude Code and its shells/MCP servers in one group, so a timeout kills them all
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (exitCode, signal) => {
      clearTimeout(timer);
      // MCP servers or background shells may outlive the CLI; do not leak them into the next test
      killGroup(child.pid);
      let json: ClaudeResult | undefined;
      try {
        json = JSON.parse(stdout) as ClaudeResult;
      } catch {
        json = undefined;
      }
      resolve({ exitCode, signal, timedOut, stdout, stderr, ...(json ? { json } : {}), durationMs: Date.now() - started });
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}
