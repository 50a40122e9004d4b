import { dirname, join } from "node:path";
import { CLAUDE_REMOVE_ARGS, claudeAddArgs } from "./claude-cli.js";
import { addUpstreams, dropUpstreams, moveBack, moveOut, type GatewayContext } from "./gateway.js";
import { dropHooks, putHooks } from "./hooks.js";
import { isObject, type JsonObject } from "./json-file.js";
import { dropServer, putServer, SERVER_NAME, serverEntry, type Transport } from "./servers.js";
import type { ClaudeStep, FileStep, Step } from "./steps.js";

/**
 * Which files each host reads, and what goes in them. Claude Code: the server in .mcp.json
 * (project) or ~/.claude.json (user), the hook in .claude/settings.json or ~/.claude/settings.json.
 * Cursor: the server in .cursor/mcp.json or ~/.cursor/mcp.json; it has no hook to install.
 */
export interface TargetContext {
  action: "install" | "uninstall";
  scope: "project" | "user";
  cwd: string;
  home: string;
  env: NodeJS.ProcessEnv;
  /** What to register; install only. */
  transport?: Transport;
  /** The hook's shell command; install only. */
  hookCommand?: string;
  /** A URL the user says is headroom-mcp's (`--http`), for telling our entry from another. */
  knownUrl?: string;
  /** The `claude` executable, when it is on PATH. */
  claude?: string;
  /** Servers to move behind headroom's gateway, or back (`--gateway`, or an entry with --upstream-config). */
  gateway?: GatewayContext;
}

/**
 * The file that lists the host's MCP servers, and where `--gateway` keeps the servers it moves
 * behind headroom: next to it (for Claude Code's user scope, in ~/.claude/ beside settings.json).
 */
export function serverFiles(target: "claude-code" | "cursor", context: Pick<TargetContext, "scope" | "cwd" | "home" | "env">): { host: string; upstreams: string } {
  if (target === "cursor") {
    const dir = join(context.scope === "project" ? context.cwd : context.home, ".cursor");
    return { host: join(dir, "mcp.json"), upstreams: join(dir, UPSTREAMS_FILE) };
  }
  if (context.scope === "project") return { host: join(context.cwd, ".mcp.json"), upstreams: join(context.cwd, `.${UPSTREAMS_FILE}`) };
  const files = claudeUserFiles(context.home, context.env);
  return { host: files.config, upstreams: join(dirname(files.settings), UPSTREAMS_FILE) };
}

export const UPSTREAMS_FILE = "headroom-upstreams.json";

/** Claude Code's user files move with CLAUDE_CONFIG_DIR: .claude.json and settings.json both go inside it. */
export function claudeUserFiles(home: string, env: NodeJS.ProcessEnv): { config: string; settings: string } {
  const dir = env.CLAUDE_CONFIG_DIR;
  if (dir) return { config: join(dir, ".claude.json"), settings: join(dir, "settings.json") };
  return { config: join(home, ".claude.json"), settings: join(home, ".claude", "settings.json") };
}

function serverStep(context: TargetContext, path: string, withType: boolean, deleteIfEmpty: boolean, pruneDir?: string): FileStep {
  const { transport, knownUrl } = context;
  const edit = context.action === "install" ? (doc: JsonObject) => putServer(doc, serverEntry(transport!, withType), path) : (doc: JsonObject) => dropServer(doc, path, knownUrl);
  return { kind: "file", path, edit, deleteIfEmpty, ...(pruneDir ? { pruneDir } : {}) };
}

/**
 * The server step, or with a gateway the two files it touches: on install the upstream file is
 * written before the host's loses its servers, on uninstall the host's gets them back before the
 * upstream file goes, so a run cut short leaves every server in at least one of the two.
 */
function serverSteps(context: TargetContext, path: string, withType: boolean, deleteIfEmpty: boolean, pruneDir?: string): FileStep[] {
  const { gateway } = context;
  if (gateway === undefined) return [serverStep(context, path, withType, deleteIfEmpty, pruneDir)];
  const upstreams = gateway.upstreams;
  const prune = pruneDir && dirname(upstreams) === pruneDir ? { pruneDir } : {};
  if (gateway.action === "install") {
    // It may hold the servers' tokens: readable by its owner only.
    const upstream: FileStep = { kind: "file", path: upstreams, edit: (doc) => addUpstreams(doc, upstreams, gateway.move, path), deleteIfEmpty: false, createMode: 0o600 };
    const host: FileStep = { kind: "file", path, edit: (doc) => moveOut(doc, path, serverEntry(context.transport!, withType), upstreams), deleteIfEmpty };
    return [upstream, host];
  }
  const host: FileStep = { kind: "file", path, edit: (doc) => moveBack(doc, path, gateway, context.knownUrl), deleteIfEmpty, ...(pruneDir ? { pruneDir } : {}) };
  return [host, { kind: "file", path: upstreams, edit: (doc) => dropUpstreams(doc, upstreams, gateway), deleteIfEmpty: true, ...prune }];
}

/** Uninstall always looks for our hooks; install adds them unless there is no hook to register. */
function hookSteps(context: TargetContext, path: string, pruneDir?: string): FileStep[] {
  return context.action === "install" && context.hookCommand === undefined ? [] : [hookStep(context, path, pruneDir)];
}

function hookStep(context: TargetContext, path: string, pruneDir?: string): FileStep {
  const edit = context.action === "install" ? (doc: JsonObject) => putHooks(doc, context.hookCommand!, path) : (doc: JsonObject) => dropHooks(doc, path);
  return { kind: "file", path, edit, deleteIfEmpty: true, ...(pruneDir ? { pruneDir } : {}) };
}

export function claudeCodeSteps(context: TargetContext): Step[] {
  if (context.scope === "project") {
    const dir = join(context.cwd, ".claude");
    return [...serverSteps(context, serverFiles("claude-code", context).host, true, true), ...hookSteps(context, join(dir, "settings.json"), dir)];
  }
  const files = claudeUserFiles(context.home, context.env);
  // ~/.claude.json is Claude Code's own state (account, projects): never deleted, even if emptied.
  // With a gateway, several entries change at once: the file is edited directly, not through `claude mcp`.
  if (context.gateway) return [...serverSteps(context, files.config, true, false), ...hookSteps(context, files.settings)];
  const server = serverStep(context, files.config, true, false);
  return [context.claude ? claudeStep(context, context.claude, server) : server, ...hookSteps(context, files.settings)];
}

function claudeStep(context: TargetContext, claude: string, file: FileStep): ClaudeStep {
  const commands = (doc: JsonObject) => {
    if (context.action === "uninstall") return [CLAUDE_REMOVE_ARGS];
    // `claude mcp add` refuses a name that exists: an older entry of ours is removed first.
    const current = isObject(doc.mcpServers) ? doc.mcpServers[SERVER_NAME] : undefined;
    const add = claudeAddArgs(context.transport!, current);
    return current === undefined ? [add] : [CLAUDE_REMOVE_ARGS, add];
  };
  return { kind: "claude", claude, file, commands };
}

export function cursorSteps(context: TargetContext): Step[] {
  const { host } = serverFiles("cursor", context);
  return serverSteps(context, host, false, true, dirname(host));
}
