import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ConfigError } from "../config-error.js";
import { isRecord } from "../records.js";

/**
 * The servers behind the gateway, described as hosts already describe them:
 * `{"mcpServers": {"github": {"command": "npx", "args": [...], "env": {...}},
 *                  "docs": {"type": "http", "url": "...", "headers": {...}}}}`,
 * plus an optional `headroom` object per server: `{"off": true}`, `"minChars"`, `"maxTokens"`,
 * `"queryArg"` (the call argument whose value is the query), and the same per tool under `"tools"`.
 */
export type UpstreamTransport =
  | { kind: "stdio"; command: string; args: string[]; env?: Record<string, string> | undefined; cwd?: string | undefined }
  | { kind: "http"; url: string; headers?: Record<string, string> | undefined };

export interface CompressionSettings {
  off?: boolean;
  minChars?: number;
  maxTokens?: number;
  /** The call argument whose value is passed as the query (e.g. a search tool's `query`). */
  queryArg?: string;
}

export interface UpstreamSpec {
  name: string;
  transport: UpstreamTransport;
  settings: CompressionSettings & { tools?: Record<string, CompressionSettings> };
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,40}$/;

export function readUpstreamConfig(file: string): UpstreamSpec[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ConfigError(`--upstream-config ${file} could not be read as JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const servers = (parsed as { mcpServers?: unknown } | null)?.mcpServers;
  if (!isRecord(servers)) throw new ConfigError(`--upstream-config ${file} has no "mcpServers" object: use the shape of a host's mcp.json`);
  return Object.entries(servers).map(([name, entry]) => upstreamOf(name, entry, `${file}: mcpServers.${name}`, dirname(file)));
}

/** `--upstream name=command arg…` (the words split as a shell would, quotes kept together). */
export function parseUpstreamFlag(text: string): UpstreamSpec {
  const at = text.indexOf("=");
  if (at <= 0) throw new ConfigError(`--upstream "${text}" must be NAME=COMMAND [ARGS…], e.g. --upstream "github=npx -y @modelcontextprotocol/server-github"`);
  const name = text.slice(0, at);
  const words = splitWords(text.slice(at + 1));
  if (words.length === 0) throw new ConfigError(`--upstream ${name}= needs a command`);
  if (/^https?:\/\//.test(words[0]!) && words.length === 1) return upstreamOf(name, { type: "http", url: words[0] }, `--upstream ${name}`, process.cwd());
  return upstreamOf(name, { command: words[0], args: words.slice(1) }, `--upstream ${name}`, process.cwd());
}

/** One entry of a config, checked; throws ConfigError saying what is wrong (install --gateway asks it which servers it can move). */
export function upstreamOf(name: string, entry: unknown, where: string, base: string): UpstreamSpec {
  if (!NAME.test(name) || name.includes("__")) throw new ConfigError(`${where}: the name must be letters, digits, - and _ (no "__"), at most 41 characters`);
  if (!isRecord(entry)) throw new ConfigError(`${where} must be an object`);
  const settings = settingsOf(entry.headroom, `${where}.headroom`);
  const type = entry.type ?? (entry.url !== undefined ? "http" : "stdio");
  if (type === "http" || type === "streamable-http") {
    if (typeof entry.url !== "string" || !/^https?:\/\//.test(entry.url)) throw new ConfigError(`${where}: "url" must be an http(s) URL`);
    return { name, transport: { kind: "http", url: entry.url, headers: stringMap(entry.headers, `${where}.headers`) }, settings };
  }
  if (type !== "stdio") throw new ConfigError(`${where}: type "${String(type)}" is not supported: use "stdio" (command) or "http" (url)`);
  if (typeof entry.command !== "string" || entry.command === "") throw new ConfigError(`${where}: "command" is required`);
  const args = entry.args ?? [];
  if (!Array.isArray(args) || !args.every((a) => typeof a === "string")) throw new ConfigError(`${where}: "args" must be an array of strings`);
  const cwd = typeof entry.cwd === "string" ? resolve(base, entry.cwd) : undefined;
  return { name, transport: { kind: "stdio", command: entry.command, args, env: stringMap(entry.env, `${where}.env`), cwd }, settings };
}

function settingsOf(value: unknown, where: string): UpstreamSpec["settings"] {
  if (value === undefined) return {};
  if (!isRecord(value)) throw new ConfigError(`${where} must be an object`);
  const one = (v: Record<string, unknown>, at: string): CompressionSettings => {
    const out: CompressionSettings = {};
    if (v.off !== undefined) out.off = flag(v.off, `${at}.off`);
    if (v.minChars !== undefined) out.minChars = count(v.minChars, `${at}.minChars`);
    if (v.maxTokens !== undefined) out.maxTokens = count(v.maxTokens, `${at}.maxTokens`);
    if (v.queryArg !== undefined) {
      if (typeof v.queryArg !== "string") throw new ConfigError(`${at}.queryArg must be the name of an argument`);
      out.queryArg = v.queryArg;
    }
    return out;
  };
  const settings: UpstreamSpec["settings"] = one(value, where);
  if (value.tools !== undefined) {
    if (!isRecord(value.tools)) throw new ConfigError(`${where}.tools must be an object of tool name → settings`);
    settings.tools = Object.fromEntries(Object.entries(value.tools).map(([tool, v]) => [tool, isRecord(v) ? one(v, `${where}.tools.${tool}`) : {}]));
  }
  return settings;
}

function flag(value: unknown, where: string): boolean {
  if (typeof value !== "boolean") throw new ConfigError(`${where} must be true or false`);
  return value;
}

function count(value: unknown, where: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) throw new ConfigError(`${where} must be a whole number of at least 1`);
  return value;
}

function stringMap(value: unknown, where: string): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value) || !Object.values(value).every((v) => typeof v === "string")) throw new ConfigError(`${where} must map names to strings`);
  return value as Record<string, string>;
}

/** Words as a POSIX shell splits them: whitespace between, '…' and "…" keep spaces, \ escapes. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < text.length) word += text[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new ConfigError(`unclosed ${quote} in "${text}"`);
  if (inWord) words.push(word);
  return words;
}
