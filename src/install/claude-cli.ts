import { spawn } from "node:child_process";
import { isObject, type JsonValue } from "./json-file.js";
import { shellJoin } from "./launch.js";
import { SERVER_NAME, type Transport } from "./servers.js";

/**
 * `claude mcp add|remove --scope user`: for the user scope the server goes through Claude Code's
 * own command when it is installed, since Claude Code rewrites ~/.claude.json while it runs and
 * knows where its config lives; the file is edited directly only when that is not possible.
 */
export interface RunResult {
  ok: boolean;
  /** Why not, in one line. */
  detail: string;
}

const TIMEOUT_MS = 60_000;

export function claudeAddArgs(transport: Transport, current: JsonValue | undefined): string[] {
  if (transport.kind === "http") {
    const { url, token } = transport.http;
    return ["mcp", "add", "--scope", "user", "--transport", "http", SERVER_NAME, url, ...(token ? ["--header", `Authorization: Bearer ${token}`] : [])];
  }
  // Re-adding an entry to update it would drop the environment the user gave it: carry it over.
  const env = isObject(current) && isObject(current.env) ? Object.entries(current.env).filter(([, value]) => typeof value === "string") : [];
  const envArgs = env.flatMap(([key, value]) => ["--env", `${key}=${value as string}`]);
  return ["mcp", "add", "--scope", "user", SERVER_NAME, ...envArgs, "--", transport.launch.command, ...transport.launch.args];
}

export const CLAUDE_REMOVE_ARGS = ["mcp", "remove", "--scope", "user", SERVER_NAME];

/** A command line to print: shell-quoted, bearer tokens masked. */
export function displayCommand(words: readonly string[]): string {
  return shellJoin(words.map((word) => word.replace(/(Bearer )\S+/g, "$1***")));
}

export function runClaude(claude: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve) => {
    let output = "";
    const child = spawn(claude, args, { env, stdio: ["ignore", "pipe", "pipe"], timeout: TIMEOUT_MS, windowsHide: true });
    const keep = (chunk: Buffer) => void (output = (output + chunk.toString("utf8")).slice(-4000));
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", (error) => resolve({ ok: false, detail: error.message }));
    child.on("close", (code, signal) => {
      if (code === 0) return resolve({ ok: true, detail: "" });
      const said = output.trim().split("\n").filter(Boolean).at(-1);
      const how = signal ? `stopped by ${signal}` : `exit code ${code}`;
      resolve({ ok: false, detail: said ? `${how}: ${said.trim()}` : how });
    });
  });
}
