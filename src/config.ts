import { homedir } from "node:os";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { StoreLocation } from "./ccr/backend.js";
import { LOG_LEVELS, type LogLevel } from "./log.js";
import type { EmbeddingsConfig } from "./memory/embeddings.js";
import { CONTENT_TYPES, type ContentType } from "./compressors/types.js";
import { ConfigError } from "./config-error.js";
import { parseUpstreamFlag, readUpstreamConfig, type UpstreamSpec } from "./gateway/upstream-config.js";
import { COMPRESS_USAGE, MEMORY_USAGE, RETRIEVE_USAGE, RUN_USAGE, USAGE } from "./usage.js";
import { isLoopback } from "./server/loopback.js";

/**
 * Flags and HEADROOM_* environment variables → one validated Config. Flags win over the
 * environment. Any problem is a ConfigError whose message says how to fix it.
 */
export type Command =
  | "serve"
  | "help"
  | "version"
  | "memory-help"
  | "memory-export"
  | "memory-import"
  | "compress"
  | "retrieve"
  | "stats"
  | "run"
  | "hook";

export { ConfigError };

export interface Config {
  command: Command;
  /** The JSON Lines file to read, for `memory import`. */
  importFile?: string;
  /** What `compress`, `retrieve`, `stats`, `run` and `hook` were asked to do. */
  request?: CliRequest;
  /** For `help`: the usage to print. */
  usage?: string;
  /** Folders `compress_tool_result` may read a `path` from besides the client's roots (or the working directory). */
  allowDirs: string[];
  /** Servers behind the gateway: their tools are offered namespaced, their results compressed. */
  upstreams: UpstreamSpec[];
  upstreamTimeouts: { connectMs: number; callMs: number };
  store: StoreLocation;
  ttlMs: number;
  storeMaxBytes: number;
  maxInputBytes: number;
  logLevel: LogLevel;
  /** Serve over HTTP instead of stdio. */
  http?: HttpConfig;
  /** An OpenAI-compatible embeddings endpoint for semantic memory search; none unless configured. */
  embeddings?: EmbeddingsConfig;
}

export interface CliRequest {
  /** compress: the file to read; undefined or "-" is stdin. */
  file?: string;
  /** retrieve: the handle. */
  hash?: string;
  /** run: the command and its arguments. */
  argv?: string[];
  /** hook: the event (post-tool-use). */
  event?: string;
  contentType?: ContentType;
  query?: string;
  maxTokens?: number;
  offset?: number;
  limit?: number;
  /** retrieve: a line range (`120-159`). */
  lines?: string;
  toolName?: string;
  /** Print the whole result as JSON instead of the text alone. */
  json: boolean;
}

export interface HttpConfig {
  host: string;
  port: number;
  token: string | undefined;
  allowedOrigins: string[];
  /** Answer GET /health without the token. */
  publicHealth: boolean;
  sessionIdleMs: number;
  maxSessions: number;
  /** Time a client has to send one whole request, headers and body. */
  requestTimeoutMs: number;
}


const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/i;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(text: string, what: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) throw new ConfigError(`${what} "${text}" is not a duration: use a number with ms, s, m, h or d (e.g. 24h); a bare number is seconds`);
  const ms = Number(match[1]) * UNIT_MS[(match[2] ?? "s").toLowerCase()]!;
  if (!(ms >= 1000)) throw new ConfigError(`${what} must be at least 1s`);
  return ms;
}

function parsePositive(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`${what} must be a positive number, got "${text}"`);
  return n;
}

export function defaultStorePath(env: NodeJS.ProcessEnv): string {
  const dataHome = env.XDG_DATA_HOME && isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : join(homedir(), ".local", "share");
  return join(dataHome, "headroom-mcp", "store.sqlite");
}

export function parseStoreLocation(value: string, cwd: string): StoreLocation {
  if (value === "memory" || value === ":memory:") return { kind: "memory" };
  if (value.startsWith("sqlite://")) return { kind: "sqlite", path: resolve(cwd, value.slice("sqlite://".length)) };
  if (/^rediss?:\/\//i.test(value)) return { kind: "redis", url: value };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new ConfigError(`store URL "${value}" is not supported: use a SQLite file path, sqlite://PATH, redis://HOST:PORT, or "memory"`);
  }
  const path = resolve(cwd, value);
  return { kind: "sqlite", path: /\.(sqlite3?|db)$/i.test(path) ? path : join(path, "store.sqlite") };
}

/** The options every command takes (where the store is, how loud to be). */
const STORE_OPTIONS = ["store", "ttl", "store-max-mb", "max-input-mb", "log-level"] as const;
const HTTP_OPTIONS = ["http", "host", "port", "token", "allow-origin", "public-health", "session-idle", "max-sessions", "request-timeout"] as const;

/** The options each command accepts besides the store options; anything else is an error. */
const COMMAND_OPTIONS: Record<string, readonly string[]> = {
  serve: [...HTTP_OPTIONS, "allow-dir", "upstream-config", "upstream", "upstream-timeout", "embeddings", "embeddings-model", "embeddings-key"],
  memory: [],
  compress: ["type", "query", "max-tokens", "tool", "json"],
  retrieve: ["query", "lines", "offset", "limit", "json"],
  stats: ["json"],
  run: ["type", "query", "max-tokens", "json"],
  hook: [],
};

const OPTIONS = {
  store: { type: "string" },
  ttl: { type: "string" },
  "store-max-mb": { type: "string" },
  "max-input-mb": { type: "string" },
  "log-level": { type: "string" },
  http: { type: "boolean" },
  host: { type: "string" },
  port: { type: "string" },
  token: { type: "string" },
  "allow-origin": { type: "string" },
  "public-health": { type: "boolean" },
  "session-idle": { type: "string" },
  "max-sessions": { type: "string" },
  "request-timeout": { type: "string" },
  "allow-dir": { type: "string", multiple: true },
  "upstream-config": { type: "string" },
  upstream: { type: "string", multiple: true },
  "upstream-timeout": { type: "string" },
  embeddings: { type: "string" },
  "embeddings-model": { type: "string" },
  "embeddings-key": { type: "string" },
  type: { type: "string" },
  query: { type: "string" },
  "max-tokens": { type: "string" },
  tool: { type: "string" },
  json: { type: "boolean" },
  offset: { type: "string" },
  lines: { type: "string" },
  limit: { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const;

export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv, cwd = process.cwd()): Config {
  // `run -- CMD …`: what follows `--` is the command's, not ours
  const terminator = argv.indexOf("--");
  const ours = terminator === -1 ? argv : argv.slice(0, terminator);
  const usage = usageFor(ours.find((arg) => !arg.startsWith("-")));
  let parsed;
  try {
    parsed = parseArgs({ args: [...ours], strict: true, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    throw new ConfigError(describeArgsError(error), usage);
  }
  const { values, positionals } = parsed;
  if (values.help || (positionals[0] === "help" && positionals.length === 1)) {
    return positionals[0] === "memory" ? defaults("memory-help", env) : { ...defaults("help", env), usage };
  }
  if (values.version) return defaults("version", env);
  const [word = "serve", ...rest] = positionals;
  if (terminator !== -1 && word !== "run") throw new ConfigError(`"--" is only for run (headroom-mcp run -- CMD …)`, usage);
  const accepted = COMMAND_OPTIONS[word];
  if (!accepted) throw new ConfigError(`unknown command "${positionals.join(" ")}"`, USAGE);
  for (const name of Object.keys(values)) {
    if (!(STORE_OPTIONS as readonly string[]).includes(name) && !accepted.includes(name)) {
      throw new ConfigError(`--${name} is not an option of ${word === "serve" ? "the server" : `"${word}"`}`, usage);
    }
  }
  const config = defaults("serve", env);
  Object.assign(config, commandOf(word, rest, argv, terminator, values, cwd));
  const pick = (flag: string | undefined, name: string) => flag ?? (env[name] && env[name] !== "" ? env[name] : undefined);
  const store = pick(values.store, "HEADROOM_STORE");
  if (store !== undefined) config.store = parseStoreLocation(store, cwd);
  const ttl = pick(values.ttl, "HEADROOM_TTL");
  if (ttl !== undefined) config.ttlMs = parseDuration(ttl, "--ttl");
  const maxStore = pick(values["store-max-mb"], "HEADROOM_STORE_MAX_MB");
  if (maxStore !== undefined) config.storeMaxBytes = Math.round(parsePositive(maxStore, "--store-max-mb") * 1024 * 1024);
  const maxInput = pick(values["max-input-mb"], "HEADROOM_MAX_INPUT_MB");
  if (maxInput !== undefined) config.maxInputBytes = Math.round(parsePositive(maxInput, "--max-input-mb") * 1024 * 1024);
  const level = pick(values["log-level"], "HEADROOM_LOG_LEVEL");
  // a one-shot command's stderr is a person's terminal or a host's log: only what needs attention
  if (config.command !== "serve") config.logLevel = "warn";
  if (level !== undefined) {
    if (!LOG_LEVELS.includes(level as LogLevel)) throw new ConfigError(`--log-level must be one of ${LOG_LEVELS.join(", ")}, got "${level}"`);
    config.logLevel = level as LogLevel;
  }
  if (config.command === "serve") {
    if (values.http || isOn(env.HEADROOM_HTTP)) config.http = httpConfig(values, pick);
    const dirs = values["allow-dir"] ?? (env.HEADROOM_ALLOW_DIRS ? env.HEADROOM_ALLOW_DIRS.split(delimiter).filter(Boolean) : []);
    config.allowDirs = dirs.map((dir) => resolve(cwd, dir));
    const upstreamFile = pick(values["upstream-config"], "HEADROOM_UPSTREAM_CONFIG");
    config.upstreams = [...(upstreamFile ? readUpstreamConfig(resolve(cwd, upstreamFile)) : []), ...(values.upstream ?? []).map(parseUpstreamFlag)];
    const names = new Set<string>();
    for (const { name } of config.upstreams) {
      if (names.has(name)) throw new ConfigError(`two upstream servers are named "${name}": names must be unique`);
      names.add(name);
    }
    const timeout = pick(values["upstream-timeout"], "HEADROOM_UPSTREAM_TIMEOUT");
    if (timeout !== undefined) config.upstreamTimeouts = { ...config.upstreamTimeouts, callMs: parseDuration(timeout, "--upstream-timeout") };
    const embeddings = pick(values.embeddings, "HEADROOM_EMBEDDINGS_URL");
    const model = pick(values["embeddings-model"], "HEADROOM_EMBEDDINGS_MODEL");
    const apiKey = pick(values["embeddings-key"], "HEADROOM_EMBEDDINGS_KEY");
    if (embeddings !== undefined) config.embeddings = { url: parseEmbeddingsUrl(embeddings), model: model ?? DEFAULT_EMBEDDINGS_MODEL, ...(apiKey ? { apiKey } : {}) };
    else if (model !== undefined || apiKey !== undefined) throw new ConfigError("--embeddings-model and --embeddings-key go with --embeddings URL (or HEADROOM_EMBEDDINGS_URL), the endpoint to send them to");
  }
  return config;
}

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>["values"];

/** The command word and its positionals → the command and what it was asked to do. */
function commandOf(word: string, rest: string[], argv: readonly string[], terminator: number, values: Values, cwd: string): Pick<Config, "command" | "importFile" | "request"> {
  const json = values.json ?? false;
  switch (word) {
    case "serve":
      if (rest.length > 0) throw new ConfigError(`unknown command "${["serve", ...rest].join(" ")}"`, USAGE);
      return { command: "serve" };
    case "memory":
      return memoryCommand(rest, cwd);
    case "compress": {
      if (rest.length > 1) throw new ConfigError(`compress reads one FILE (or - for stdin), got ${rest.length}`, COMPRESS_USAGE);
      const file = rest[0] === undefined || rest[0] === "-" ? undefined : resolve(cwd, rest[0]);
      const contentType = values.type === undefined ? undefined : parseContentType(values.type);
      return { command: "compress", request: { ...(file ? { file } : {}), ...budgetAndQuery(values), ...(contentType ? { contentType } : {}), ...(values.tool ? { toolName: values.tool } : {}), json } };
    }
    case "retrieve": {
      if (rest.length !== 1) throw new ConfigError(rest.length === 0 ? "retrieve needs the HASH from a headroom marker" : `retrieve takes one HASH, got ${rest.length}`, RETRIEVE_USAGE);
      const request: CliRequest = { hash: rest[0]!, json };
      if (values.query !== undefined) request.query = values.query;
      if (values.lines !== undefined) request.lines = values.lines;
      if (values.offset !== undefined) request.offset = parseWhole(values.offset, "--offset", 0);
      if (values.limit !== undefined) request.limit = parseWhole(values.limit, "--limit", 1);
      return { command: "retrieve", request };
    }
    case "stats":
      if (rest.length > 0) throw new ConfigError(`stats takes no argument, got "${rest.join(" ")}"`, USAGE);
      return { command: "stats", request: { json } };
    case "run": {
      if (terminator === -1) throw new ConfigError("run needs -- before the command, e.g. headroom-mcp run -- npm test", RUN_USAGE);
      if (rest.length > 0) throw new ConfigError(`put the command after --, not before: "${rest.join(" ")}"`, RUN_USAGE);
      const command = argv.slice(terminator + 1);
      if (command.length === 0) throw new ConfigError("run needs a command after --", RUN_USAGE);
      const contentType = values.type === undefined ? undefined : parseContentType(values.type);
      return { command: "run", request: { argv: command, ...budgetAndQuery(values), ...(contentType ? { contentType } : {}), json } };
    }
    case "hook": {
      const [event] = rest;
      if (event !== "post-tool-use" || rest.length > 1) throw new ConfigError(`hook takes one event, post-tool-use; got "${rest.join(" ")}"`, USAGE);
      return { command: "hook", request: { event, json: true } };
    }
  }
  throw new ConfigError(`unknown command "${word}"`, USAGE);
}

function memoryCommand(rest: string[], cwd: string): Pick<Config, "command" | "importFile"> {
  const [sub, ...args] = rest;
  if (sub === undefined || (sub === "help" && args.length === 0)) return { command: "memory-help" };
  if (sub === "export" && args.length === 0) return { command: "memory-export" };
  if (sub === "import" && args.length === 1) return { command: "memory-import", importFile: resolve(cwd, args[0]!) };
  if (sub === "import") throw new ConfigError(args.length === 0 ? "memory import needs the FILE to read" : `memory import takes one FILE, got ${args.length}`, MEMORY_USAGE);
  if (sub === "export") throw new ConfigError(`memory export takes no argument, got "${args.join(" ")}"`, MEMORY_USAGE);
  throw new ConfigError(`unknown memory command "${sub}"`, MEMORY_USAGE);
}

function budgetAndQuery(values: Values): Pick<CliRequest, "query" | "maxTokens"> {
  return {
    ...(values.query !== undefined ? { query: values.query } : {}),
    ...(values["max-tokens"] !== undefined ? { maxTokens: parseWhole(values["max-tokens"], "--max-tokens", 100) } : {}),
  };
}

function parseContentType(text: string): ContentType {
  if (!(CONTENT_TYPES as readonly string[]).includes(text)) throw new ConfigError(`--type must be one of ${CONTENT_TYPES.join(", ")}, got "${text}"`);
  return text as ContentType;
}

function parseWhole(text: string, what: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`${what} must be a whole number of at least ${min}, got "${text}"`);
  return n;
}

function usageFor(word: string | undefined): string {
  if (word === "memory") return MEMORY_USAGE;
  if (word === "compress") return COMPRESS_USAGE;
  if (word === "retrieve") return RETRIEVE_USAGE;
  if (word === "run") return RUN_USAGE;
  return USAGE;
}

/** A flag's value, else its environment variable's. */
type Setting = (flag: string | undefined, name: string) => string | undefined;

interface HttpFlags {
  host?: string | undefined;
  port?: string | undefined;
  token?: string | undefined;
  "allow-origin"?: string | undefined;
  "public-health"?: boolean | undefined;
  "session-idle"?: string | undefined;
  "max-sessions"?: string | undefined;
  "request-timeout"?: string | undefined;
}

function httpConfig(values: HttpFlags, pick: Setting): HttpConfig {
  const host = pick(values.host, "HEADROOM_HOST") ?? "127.0.0.1";
  const portText = pick(values.port, "HEADROOM_PORT") ?? "8787";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port must be a whole number from 0 to 65535, got "${portText}"`);
  const token = pick(values.token, "HEADROOM_TOKEN");
  if (!isLoopback(host) && !token) {
    throw new ConfigError(
      `--host ${host} is not a loopback address (localhost, 127.0.0.0/8 or ::1), and serving beyond this machine needs a bearer token: set --token or HEADROOM_TOKEN, or bind to 127.0.0.1`,
    );
  }
  const origins = pick(values["allow-origin"], "HEADROOM_ALLOWED_ORIGINS");
  const idle = pick(values["session-idle"], "HEADROOM_SESSION_IDLE");
  const maxSessions = pick(values["max-sessions"], "HEADROOM_MAX_SESSIONS");
  const requestTimeout = pick(values["request-timeout"], "HEADROOM_REQUEST_TIMEOUT");
  return {
    host,
    port,
    token,
    allowedOrigins: origins ? origins.split(",").map((o) => o.trim()).filter(Boolean) : [],
    publicHealth: values["public-health"] ?? isOn(pick(undefined, "HEADROOM_PUBLIC_HEALTH")),
    sessionIdleMs: idle === undefined ? 30 * 60_000 : parseDuration(idle, "--session-idle"),
    maxSessions: maxSessions === undefined ? 1000 : parseWhole(maxSessions, "--max-sessions", 1),
    requestTimeoutMs: requestTimeout === undefined ? 30_000 : parseDuration(requestTimeout, "--request-timeout"),
  };
}

function isOn(value: string | undefined): boolean {
  return value === "1" || value === "true";
}

/** node's parseArgs messages talk about its own syntax; say what was wrong in ours. */
export function describeArgsError(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const option = /'(-[^' ]*)/.exec(message)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && option) return `unknown option ${option}`;
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && option) return /argument missing/.test(message) ? `option ${option} needs a value` : `option ${option} takes no value`;
  return message;
}

/** Ollama's usual embedding model (`ollama pull nomic-embed-text`). */
const DEFAULT_EMBEDDINGS_MODEL = "nomic-embed-text";

function parseEmbeddingsUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`--embeddings "${value}" is not a URL: give the server's address, e.g. http://127.0.0.1:11434/v1 (Ollama) or http://127.0.0.1:1234/v1 (LM Studio)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new ConfigError(`--embeddings must be an http:// or https:// URL, got "${value}"`);
  return value;
}

function defaults(command: Command, env: NodeJS.ProcessEnv): Config {
  return {
    command,
    allowDirs: [],
    upstreams: [],
    upstreamTimeouts: { connectMs: 30_000, callMs: 120_000 },
    store: { kind: "sqlite", path: defaultStorePath(env) },
    ttlMs: 24 * 3_600_000,
    storeMaxBytes: 1024 * 1024 * 1024,
    maxInputBytes: 50 * 1024 * 1024,
    logLevel: "info",
  };
}
