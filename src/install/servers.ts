import { InstallError, isObject, kindOf, type JsonObject, type JsonValue } from "./json-file.js";
import { mentionsHeadroom, shellJoin, type Launch } from "./launch.js";

/**
 * The `mcpServers.headroom` entry, as Claude Code (.mcp.json, ~/.claude.json) and Cursor
 * (.cursor/mcp.json) both spell it: a stdio command, or the URL of a running HTTP server.
 */
export const SERVER_NAME = "headroom";

export interface HttpTarget {
  url: string;
  token?: string | undefined;
}

export type Transport = { kind: "stdio"; launch: Launch } | { kind: "http"; http: HttpTarget };

/** Claude Code writes `type` (its own `claude mcp add` does); Cursor's documented form has none. */
export function serverEntry(transport: Transport, withType: boolean): JsonObject {
  if (transport.kind === "stdio") {
    const { command, args } = transport.launch;
    return withType ? { type: "stdio", command, args } : { command, args };
  }
  const { url, token } = transport.http;
  const entry: JsonObject = withType ? { type: "http", url } : { url };
  if (token) entry.headers = { Authorization: `Bearer ${token}` };
  return entry;
}

/** The keys install owns in the entry: set from the new entry or removed. Others (`env`…) are the user's and stay. */
const OWNED = ["type", "command", "args", "url", "headers"];
/** Meaningful only for a stdio server; dropped when the entry becomes an HTTP one. */
const STDIO_ONLY = ["env", "cwd"];

export function isHeadroomServer(entry: JsonValue, knownUrl?: string): boolean {
  if (!isObject(entry)) return false;
  const words = [entry.command, ...(Array.isArray(entry.args) ? entry.args : [])].filter((word): word is string => typeof word === "string");
  if (words.some(mentionsHeadroom)) return true;
  // A URL says less than a command line: ours when the user names it (--http), or when it says headroom.
  return typeof entry.url === "string" && (entry.url === knownUrl || /headroom/i.test(entry.url));
}

export function describeServer(entry: JsonValue): string {
  if (!isObject(entry)) return kindOf(entry);
  if (typeof entry.url === "string") return entry.url;
  const words = [entry.command, ...(Array.isArray(entry.args) ? entry.args : [])];
  return shellJoin(words.map((word) => (typeof word === "string" ? word : JSON.stringify(word))));
}

/** `doc.mcpServers`, made when `create` and missing; refuses one that is not an object. */
export function servers(doc: JsonObject, path: string, create: boolean): JsonObject | undefined {
  const found = doc.mcpServers;
  if (found === undefined) return create ? (doc.mcpServers = {}) : undefined;
  if (!isObject(found)) throw new InstallError(`${path}: "mcpServers" is ${kindOf(found)}, not an object; fix it by hand, then run this again. Nothing was changed.`);
  return found;
}

/** Sets our entry in `doc`; returns what happened, in words. */
export function putServer(doc: JsonObject, wanted: JsonObject, path: string): string {
  const all = servers(doc, path, true)!;
  const current = all[SERVER_NAME];
  if (current === undefined) {
    all[SERVER_NAME] = wanted;
    return `added mcpServers.${SERVER_NAME}`;
  }
  if (!isObject(current) || !isHeadroomServer(current, typeof wanted.url === "string" ? wanted.url : undefined)) {
    throw new InstallError(
      `${path}: mcpServers.${SERVER_NAME} is another server (${describeServer(current)}), not headroom-mcp; rename or remove it, then run this again. Nothing was changed.`,
    );
  }
  if (sameServer(current, wanted)) return `mcpServers.${SERVER_NAME} already set`;
  // Rebuilt key by key so the entry keeps its place among the others and the user's extra keys.
  const merged: JsonObject = {};
  const http = typeof wanted.url === "string";
  for (const [key, value] of Object.entries(current)) {
    if (key in wanted) merged[key] = wanted[key]!;
    else if (!OWNED.includes(key) && !(http && STDIO_ONLY.includes(key))) merged[key] = value;
  }
  for (const [key, value] of Object.entries(wanted)) if (!(key in merged)) merged[key] = value;
  all[SERVER_NAME] = merged;
  return `updated mcpServers.${SERVER_NAME} (was ${describeServer(current)})`;
}

/** Equal in every key install owns; what else the entry holds is the user's business. */
export function sameServer(current: JsonValue, wanted: JsonObject): boolean {
  if (!isObject(current)) return false;
  return OWNED.every((key) => JSON.stringify(current[key]) === JSON.stringify(wanted[key]));
}

/** Removes our entry (and `mcpServers` if that leaves it empty); a server of the same name that is not ours stays. */
export function dropServer(doc: JsonObject, path: string, knownUrl?: string): string {
  const all = servers(doc, path, false);
  const current = all?.[SERVER_NAME];
  if (all === undefined || current === undefined) return `no mcpServers.${SERVER_NAME}`;
  if (!isHeadroomServer(current, knownUrl)) {
    const hint = isObject(current) && typeof current.url === "string" ? "; if it is headroom-mcp over HTTP, add --http with its URL" : "";
    return `mcpServers.${SERVER_NAME} is another server (${describeServer(current)}), not headroom-mcp: left as is${hint}`;
  }
  delete all[SERVER_NAME];
  if (Object.keys(all).length === 0) delete doc.mcpServers;
  return `removed mcpServers.${SERVER_NAME}`;
}
