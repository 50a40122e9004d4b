import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, describeArgsError } from "../config.js";
import { readGateway, UPSTREAM_FLAG } from "../install/gateway.js";
import { InstallError } from "../install/json-file.js";
import { BIN, findOnPath, HOOK_BIN, isInNpxCache, NPX_LAUNCH, selfLaunch, shellJoin, type Launch, type Program } from "../install/launch.js";
import { isLoopback } from "../server/loopback.js";
import type { Transport } from "../install/servers.js";
import { applySteps, describePlan, isChange, planSteps } from "../install/steps.js";
import { claudeCodeSteps, cursorSteps, serverFiles, type TargetContext } from "../install/targets.js";
import { packageRoot } from "../paths.js";

/**
 * `headroom-mcp install|uninstall claude-code|cursor`: arguments → the files each host reads →
 * one printed line per file or command. Exit 0 when done (nothing to do included), 1 when it
 * could not be done, 2 for a bad command line.
 */
export interface InstallOptions {
  action: "install" | "uninstall";
  target: "claude-code" | "cursor";
  scope: "project" | "user";
  /** The project folder, for the project scope. */
  cwd: string;
  home: string;
  env: NodeJS.ProcessEnv;
  /** Register a running HTTP server instead of a command. The token defaults to env HEADROOM_TOKEN. */
  http?: { url: string; token?: string | undefined } | undefined;
  /** Register `npx -y headroom-mcp` instead of this copy's absolute path. */
  npx?: boolean | undefined;
  dryRun?: boolean | undefined;
  /** Move the host's other MCP servers behind headroom's gateway (install), or back (uninstall). */
  gateway?: boolean | undefined;
  /** The copy to register; this one by default (tests point it elsewhere). */
  program?: Program | undefined;
}

/** What the command line gives; home and environment come from the process. */
export type InstallArgs = Omit<InstallOptions, "home" | "env" | "program">;

export const INSTALL_USAGE = `headroom-mcp install — register headroom-mcp in Claude Code or Cursor.

Usage:
  headroom-mcp install claude-code [options]   the MCP server, and the hook that compresses large
                                               Bash, Grep and MCP tool outputs
  headroom-mcp install cursor [options]        the MCP server
  headroom-mcp uninstall claude-code|cursor [options]
                                               remove what install added, and only that

Options:
  --scope project|user  project (default): .mcp.json and .claude/settings.json, or .cursor/mcp.json,
                        in the current folder. user: ~/.claude.json (through \`claude mcp add\` when
                        claude is on PATH) and ~/.claude/settings.json, or ~/.cursor/mcp.json
  --npx                 register \`npx -y headroom-mcp\` instead of this copy's path: for files
                        committed and shared by a team
  --http URL            register a running \`headroom-mcp --http\` server instead of a command
  --token TOKEN         with --http: send Authorization: Bearer TOKEN. Env HEADROOM_TOKEN
  --gateway             install: move the host's other MCP servers into an upstream file next to
                        its config (.headroom-upstreams.json, .cursor/headroom-upstreams.json,
                        ~/.claude/headroom-upstreams.json) and register headroom with
                        --upstream-config FILE, so their large results come back compressed.
                        uninstall: put them back (plain uninstall does too when headroom's entry
                        has --upstream-config). Disabled servers, and those the gateway cannot run
                        as the host does, stay where they are
  --dry-run             print what would change, and change nothing
  -h, --help            show this help

Files are backed up as FILE.headroom-backup before they change. Running install again changes
nothing; uninstall keeps every other server and hook.
`;

const TARGETS: Record<string, InstallOptions["target"]> = { "claude-code": "claude-code", claude: "claude-code", cursor: "cursor" };

/** `argv` starts with the action word: ["install", "cursor", "--scope", "user"]. Throws ConfigError (exit 2). */
export function parseInstallArgs(argv: readonly string[], cwd: string): InstallArgs | { help: true } {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: {
        scope: { type: "string" },
        http: { type: "string" },
        token: { type: "string" },
        npx: { type: "boolean" },
        "dry-run": { type: "boolean" },
        gateway: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new ConfigError(describeArgsError(error), INSTALL_USAGE);
  }
  const { values, positionals } = parsed;
  if (values.help || positionals[1] === "help") return { help: true };
  const [action, targetWord, ...extra] = positionals;
  const fail = (message: string) => new ConfigError(message, INSTALL_USAGE);
  if (action !== "install" && action !== "uninstall") throw fail(`unknown command "${action ?? ""}": install or uninstall`);
  if (targetWord === undefined) throw fail(`${action} needs the host: claude-code or cursor`);
  const target = TARGETS[targetWord];
  if (target === undefined) throw fail(`unknown host "${targetWord}": claude-code or cursor`);
  if (extra.length > 0) throw fail(`unexpected argument "${extra.join(" ")}"`);
  const scope = values.scope ?? "project";
  if (scope !== "project" && scope !== "user") throw fail(`--scope must be project or user, got "${scope}"`);
  if (values.token !== undefined && values.http === undefined) throw fail("--token goes with --http URL");
  if (values.gateway && values.http !== undefined && action === "install") {
    throw fail("--gateway registers a command that starts the gateway; for a server over --http, start it with --upstream-config FILE yourself");
  }
  const args: InstallArgs = { action, target, scope, cwd: resolve(cwd) };
  if (values.http !== undefined) args.http = { url: checkUrl(values.http, fail), token: values.token };
  if (values.npx) args.npx = true;
  if (values["dry-run"]) args.dryRun = true;
  if (values.gateway) args.gateway = true;
  return args;
}

function checkUrl(text: string, fail: (message: string) => ConfigError): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw fail(`--http needs the server's URL, e.g. http://127.0.0.1:8787/mcp; got "${text}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw fail(`--http needs an http:// or https:// URL, got "${text}"`);
  return text;
}

export interface InstallIo {
  cwd: string;
  home: string;
  env: NodeJS.ProcessEnv;
  out: (line: string) => void;
  err: (line: string) => void;
}

/** The whole command, for the dispatcher: parse, then run; returns the exit code. */
export async function runInstallCli(argv: readonly string[], io: InstallIo): Promise<number> {
  let args;
  try {
    args = parseInstallArgs(argv, io.cwd);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`headroom-mcp: ${error.message}\n\n${INSTALL_USAGE}`);
    return 2;
  }
  if ("help" in args) {
    io.out(INSTALL_USAGE);
    return 0;
  }
  return runInstall({ ...args, home: io.home, env: io.env }, io.out, io.err);
}

const HOSTS = { "claude-code": "Claude Code", cursor: "Cursor" } as const;

export async function runInstall(options: InstallOptions, out: (line: string) => void, err: (line: string) => void = out): Promise<number> {
  const program = options.program ?? { root: packageRoot(), execPath: process.execPath };
  try {
    const context = await targetContext(options, program, out);
    const planned = await planSteps(options.target === "claude-code" ? claudeCodeSteps(context) : cursorSteps(context));
    const where = `${HOSTS[options.target]} (${options.scope} scope)`;
    if (options.dryRun) {
      out(`dry run: ${options.action} for ${where} would do this, and nothing was changed:`);
      describePlan(planned, out);
      return 0;
    }
    await applySteps(planned, options.env, out);
    if (!planned.some(({ plan }) => isChange(plan))) {
      out(options.action === "install" ? `nothing to do: headroom-mcp is already installed for ${where}` : `nothing to do: headroom-mcp is not installed for ${where}`);
      return 0;
    }
    if (options.action === "install") nextSteps(options, program, out);
    else out(`Restart ${HOSTS[options.target]} for the change to take effect.`);
    return 0;
  } catch (error) {
    if (!(error instanceof InstallError)) throw error;
    err(`headroom-mcp: ${error.message}`);
    return 1;
  }
}

async function targetContext(options: InstallOptions, program: Program, note: (line: string) => void): Promise<TargetContext> {
  const { action, scope, cwd, home, env } = options;
  const context: TargetContext = { action, scope, cwd, home, env };
  if (options.http) context.knownUrl = options.http.url;
  if (options.target === "claude-code" && scope === "user") {
    const claude = findOnPath("claude", env);
    if (claude) context.claude = claude;
  }
  const files = serverFiles(options.target, context);
  // An --http install registers a URL, which has no arguments to carry --upstream-config.
  const gateway = options.http && action === "install" ? undefined : await readGateway(action, options.gateway === true, files.host, files.upstreams, cwd);
  if (gateway) {
    if (options.gateway || action === "uninstall") context.gateway = gateway;
    if (context.claude && context.gateway) note(`note: ${files.host} is edited directly, not through \`claude mcp\`, since several servers change at once; quit Claude Code first, or it may write its old list back`);
  }
  if (action === "uninstall") return context;
  const launch = { ...launchFor(options, program, note) };
  if (gateway) {
    launch.args = [...launch.args, UPSTREAM_FLAG, gateway.upstreams];
    if (!options.gateway) note(`note: headroom is installed as a gateway (${UPSTREAM_FLAG} ${gateway.upstreams}) and stays one; \`uninstall --gateway\` puts its servers back`);
    else if (scope === "project") note(`note: headroom's entry names ${gateway.upstreams} by absolute path, and that file holds the moved servers' env and headers: both are for this machine, not for committing`);
  }
  const token = options.http?.token ?? (env.HEADROOM_TOKEN || undefined);
  context.transport = options.http ? { kind: "http", http: { url: options.http.url, token } } : ({ kind: "stdio", launch } satisfies Transport);
  const hookLaunch = options.npx ? NPX_LAUNCH : selfLaunch(program, options.env, HOOK_BIN);
  if (options.http && !isLoopbackUrl(options.http.url)) {
    // the hook keeps originals in this machine's store, where a remote server's headroom_retrieve cannot find them
    note(`note: no hook: ${options.http.url} is another machine, and the hashes the hook hands out would not resolve there`);
  } else {
    context.hookCommand = shellJoin([hookLaunch.command, ...hookLaunch.args, "hook", "post-tool-use"]);
  }
  if (token && options.http && scope === "project") {
    note(`note: the bearer token goes into a project file that is often committed: keep it out of version control, or use --scope user`);
  }
  return context;
}

function launchFor(options: InstallOptions, program: Program, note: (line: string) => void): Launch {
  if (options.npx) return NPX_LAUNCH;
  const bin = join(program.root, BIN);
  if (!existsSync(bin)) throw new InstallError(`${bin} does not exist: build this copy first (npm run build), or install with --npx`);
  if (isInNpxCache(bin)) {
    note(`note: this copy runs from npm's npx cache (${program.root}), which npm may clean; \`npm i -g headroom-mcp\` and installing again gives a lasting path, or use --npx`);
  } else if (options.scope === "project" && !options.http) {
    note(`note: the project files will name this machine's copy (${program.root}); to commit them for a team, install with --npx`);
  }
  return selfLaunch(program, options.env);
}

function nextSteps(options: InstallOptions, program: Program, out: (line: string) => void): void {
  const launch = options.npx ? NPX_LAUNCH : selfLaunch(program, options.env);
  const stats = shellJoin([launch.command, ...launch.args, "stats"]);
  out("");
  out("Next steps:");
  if (options.gateway) {
    out(`  the servers moved behind headroom show up as its tools, named SERVER__TOOL; \`uninstall ${options.target} --gateway\` puts them back`);
  }
  if (options.target === "claude-code") {
    const approve = options.scope === "project" ? " (it asks once to approve the servers in .mcp.json)" : "";
    out(`  restart Claude Code${approve}; /mcp then lists headroom`);
    out(`  ${stats} shows what was saved; HEADROOM_OFF=1 in the environment turns the hook off`);
  } else {
    out("  restart Cursor (or reload MCP servers in Settings → MCP); headroom then lists its tools");
    out(`  ${stats} shows what was saved`);
  }
  const guide = join(program.root, "docs", "agents.md");
  if (!existsSync(guide)) return;
  out(`  the guide below is also in ${guide}`);
  out("");
  out(readFileSync(guide, "utf8").trimEnd());
}

function isLoopbackUrl(url: string): boolean {
  try {
    return isLoopback(new URL(url).hostname.replace(/^\[|\]$/g, ""));
  } catch {
    return false;
  }
}
