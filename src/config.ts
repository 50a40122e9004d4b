import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { StoreLocation } from "./ccr/backend.js";
import { LOG_LEVELS, type LogLevel } from "./log.js";
import { isLoopback } from "./server/loopback.js";

/**
 * Flags and HEADROOM_* environment variables → one validated Config. Flags win over the
 * environment. Any problem is a ConfigError whose message says how to fix it.
 */
export interface Config {
  command: "serve" | "help" | "version" | "memory-help" | "memory-export" | "memory-import";
  /** The JSON Lines file to read, for `memory import`. */
  importFile?: string;
  store: StoreLocation;
  ttlMs: number;
  storeMaxBytes: number;
  maxInputBytes: number;
  logLevel: LogLevel;
  /** Serve over HTTP instead of stdio. */
  http?: HttpConfig;
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

export class ConfigError extends Error {
  override name = "ConfigError";
  /** Set when the command line itself was wrong: the usage to show after the message. */
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
  }
}

export const USAGE = `headroom-mcp — an MCP server that compresses large tool outputs and keeps the originals retrievable.

Usage:
  headroom-mcp [options]                   serve MCP over stdio (what MCP hosts run)
  headroom-mcp --http [options]            serve MCP over HTTP
  headroom-mcp memory export [options]     write every memory to stdout as JSON Lines
  headroom-mcp memory import FILE [options] read memories from a JSON Lines export (idempotent)

Options:
  --store PATH|URL      where originals, memories and stats live: a SQLite file (or a directory
                        for store.sqlite in it), redis://HOST:PORT for a store shared by many
                        machines, or "memory" for a store that ends with the process.
                        Env HEADROOM_STORE. Default: $XDG_DATA_HOME/headroom-mcp/store.sqlite,
                        else ~/.local/share/headroom-mcp/store.sqlite
  --ttl DURATION        how long an unused original is kept, e.g. 90m, 24h, 7d (each retrieval
                        restarts the clock). Env HEADROOM_TTL. Default 24h
  --store-max-mb N      size cap of the store; least recently used originals are evicted beyond
                        it. Env HEADROOM_STORE_MAX_MB. Default 1024
  --max-input-mb N      largest content accepted by compress_tool_result. Env
                        HEADROOM_MAX_INPUT_MB. Default 50
  --log-level LEVEL     silent | error | warn | info | debug (to stderr). Env HEADROOM_LOG_LEVEL.
                        Default info
  --http                serve over HTTP: Streamable HTTP at /mcp, legacy SSE at /sse + /messages,
                        GET /health. Env HEADROOM_HTTP=1
  --host HOST           address to bind (default 127.0.0.1). Anything but loopback needs --token.
                        Env HEADROOM_HOST
  --port N              port (default 8787; 0 picks a free one). Env HEADROOM_PORT
  --token TOKEN         require Authorization: Bearer TOKEN on every request, GET /health
                        included. Env HEADROOM_TOKEN
  --public-health       answer GET /health without the token (for probes and load balancers).
                        Env HEADROOM_PUBLIC_HEALTH=1
  --allow-origin LIST   comma-separated browser origins allowed besides loopback ones.
                        Env HEADROOM_ALLOWED_ORIGINS
  --session-idle DURATION
                        close an HTTP session when nothing has been open on it for this long (a
                        client listening on its stream is not idle); its client starts a new one.
                        Env HEADROOM_SESSION_IDLE. Default 30m
  --max-sessions N      most HTTP sessions at once; a new one beyond it closes the one idle
                        longest. Env HEADROOM_MAX_SESSIONS. Default 1000
  --request-timeout DURATION
                        time a client has to send a whole request, headers and body; a slower
                        one gets 408. Env HEADROOM_REQUEST_TIMEOUT. Default 30s
  -h, --help            show this help
  -v, --version         print the version
`;

export const MEMORY_USAGE = `headroom-mcp memory — the memories saved with memory_save, outside a conversation.

Usage:
  headroom-mcp memory export [--store PATH]        write every memory to stdout as JSON Lines
  headroom-mcp memory import FILE [--store PATH]   read memories from such a file (importing
                                                   the same file twice changes nothing)
`;

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

export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv, cwd = process.cwd()): Config {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: {
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
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
      },
    });
  } catch (error) {
    throw new ConfigError(describeArgsError(error), argv[0] === "memory" ? MEMORY_USAGE : USAGE);
  }
  const { values, positionals } = parsed;
  if (values.help || (positionals[0] === "help" && positionals.length === 1)) return defaults(positionals[0] === "memory" ? "memory-help" : "help", env);
  if (values.version) return defaults("version", env);
  let command: Config["command"] = "serve";
  let importFile: string | undefined;
  const [word, sub, ...rest] = positionals;
  if (word === "memory") {
    if (sub === undefined || (sub === "help" && rest.length === 0)) command = "memory-help";
    else if (sub === "export" && rest.length === 0) command = "memory-export";
    else if (sub === "import" && rest.length === 1) {
      command = "memory-import";
      importFile = resolve(cwd, rest[0]!);
    } else if (sub === "import") throw new ConfigError(rest.length === 0 ? "memory import needs the FILE to read" : `memory import takes one FILE, got ${rest.length}`, MEMORY_USAGE);
    else if (sub === "export") throw new ConfigError(`memory export takes no argument, got "${rest.join(" ")}"`, MEMORY_USAGE);
    else throw new ConfigError(`unknown memory command "${sub}"`, MEMORY_USAGE);
  } else if (word !== undefined && !(word === "serve" && positionals.length === 1)) {
    throw new ConfigError(`unknown command "${positionals.join(" ")}"`, USAGE);
  }
  const pick = (flag: string | undefined, name: string) => flag ?? (env[name] && env[name] !== "" ? env[name] : undefined);

  const config = defaults(command, env);
  if (importFile) config.importFile = importFile;
  const store = pick(values.store, "HEADROOM_STORE");
  if (store !== undefined) config.store = parseStoreLocation(store, cwd);
  const ttl = pick(values.ttl, "HEADROOM_TTL");
  if (ttl !== undefined) config.ttlMs = parseDuration(ttl, "--ttl");
  const maxStore = pick(values["store-max-mb"], "HEADROOM_STORE_MAX_MB");
  if (maxStore !== undefined) config.storeMaxBytes = Math.round(parsePositive(maxStore, "--store-max-mb") * 1024 * 1024);
  const maxInput = pick(values["max-input-mb"], "HEADROOM_MAX_INPUT_MB");
  if (maxInput !== undefined) config.maxInputBytes = Math.round(parsePositive(maxInput, "--max-input-mb") * 1024 * 1024);
  const level = pick(values["log-level"], "HEADROOM_LOG_LEVEL");
  if (level !== undefined) {
    if (!LOG_LEVELS.includes(level as LogLevel)) throw new ConfigError(`--log-level must be one of ${LOG_LEVELS.join(", ")}, got "${level}"`);
    config.logLevel = level as LogLevel;
  }
  if (values.http || isOn(env.HEADROOM_HTTP)) config.http = httpConfig(values, pick);
  return config;
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
    maxSessions: maxSessions === undefined ? 1000 : parseCount(maxSessions, "--max-sessions"),
    requestTimeoutMs: requestTimeout === undefined ? 30_000 : parseDuration(requestTimeout, "--request-timeout"),
  };
}

function isOn(value: string | undefined): boolean {
  return value === "1" || value === "true";
}

function parseCount(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${what} must be a whole number of at least 1, got "${text}"`);
  return n;
}

/** node's parseArgs messages talk about its own syntax; say what was wrong in ours. */
function describeArgsError(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const option = /'(-[^' ]*)/.exec(message)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && option) return `unknown option ${option}`;
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && option) return /argument missing/.test(message) ? `option ${option} needs a value` : `option ${option} takes no value`;
  return message;
}

function defaults(command: Config["command"], env: NodeJS.ProcessEnv): Config {
  return {
    command,
    store: { kind: "sqlite", path: defaultStorePath(env) },
    ttlMs: 24 * 3_600_000,
    storeMaxBytes: 1024 * 1024 * 1024,
    maxInputBytes: 50 * 1024 * 1024,
    logLevel: "info",
  };
}
