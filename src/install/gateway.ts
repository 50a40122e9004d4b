import { isAbsolute, resolve } from "node:path";
import { ConfigError } from "../config-error.js";
import { upstreamOf } from "../gateway/upstream-config.js";
import { InstallError, isObject, kindOf, readJsonObject, type JsonObject, type JsonValue } from "./json-file.js";
import { dropServer, isHeadroomServer, putServer, SERVER_NAME, servers } from "./servers.js";

/**
 * `install … --gateway`: the host's other MCP servers move into an upstream file (the host's own
 * `{"mcpServers": …}` shape, which `headroom-mcp --upstream-config FILE` reads), and headroom's
 * entry gets `--upstream-config FILE`; `uninstall` puts them back. A server moves only when the
 * gateway can run it exactly as the host did; the others stay in the host's file, and the report
 * says why. Entries move verbatim, so the way back gives the same entries.
 */
export const UPSTREAM_FLAG = "--upstream-config";

/** What the gateway reads of an entry; `disabled` is allowed when it is not true. */
const GATEWAY_KEYS = ["type", "command", "args", "env", "cwd", "url", "headers", "headroom", "disabled"];

export type GatewayContext =
  | { action: "install"; upstreams: string; host: string; move: JsonObject }
  | { action: "uninstall"; upstreams: string; host: string; restore: JsonObject; conflicts: string[]; exists: boolean };

/** The file named by an entry's `--upstream-config FILE` (or `--upstream-config=FILE`), resolved against `base`. */
export function upstreamConfigOf(entry: JsonValue | undefined, base: string): string | undefined {
  if (!isObject(entry) || !Array.isArray(entry.args)) return undefined;
  const args = entry.args;
  for (const [i, arg] of args.entries()) {
    const next = args[i + 1];
    if (arg === UPSTREAM_FLAG && typeof next === "string") return resolve(base, next);
    if (typeof arg === "string" && arg.startsWith(`${UPSTREAM_FLAG}=`)) return resolve(base, arg.slice(UPSTREAM_FLAG.length + 1));
  }
  return undefined;
}

/** Why a server stays in the host's file, or undefined when the gateway runs it just as the host does. */
export function whyItStays(name: string, entry: JsonValue): string | undefined {
  if (!isObject(entry)) return `it is ${kindOf(entry)}`;
  if (entry.disabled === true) return "disabled";
  const extra = Object.keys(entry).filter((key) => !GATEWAY_KEYS.includes(key));
  if (extra.length > 0) return `the gateway does not read ${extra.map((key) => `"${key}"`).join(", ")}`;
  if (typeof entry.cwd === "string" && !isAbsolute(entry.cwd)) return "a relative cwd";
  // Claude Code's ${VAR} and Cursor's ${env:VAR}: the host fills them in, the gateway would not.
  if (JSON.stringify(entry).includes("${")) return "${…} is filled in by the host only";
  try {
    upstreamOf(name, entry, "the gateway says", "/");
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return undefined;
}

/** The host's servers that can go behind headroom, and those that stay (with why). Headroom's own entries never move. */
export function sortServers(doc: JsonObject, path: string): { move: JsonObject; stay: [string, string][] } {
  const move: JsonObject = {};
  const stay: [string, string][] = [];
  for (const [name, entry] of Object.entries(servers(doc, path, false) ?? {})) {
    if (name === SERVER_NAME || isHeadroomServer(entry)) continue;
    const why = whyItStays(name, entry);
    if (why === undefined) move[name] = entry;
    else stay.push([name, why]);
  }
  return { move, stay };
}

function count(names: readonly string[]): string {
  return `${names.length} server${names.length === 1 ? "" : "s"}`;
}

/**
 * Reads what the gateway steps need before anything is planned: headroom's current entry (does it
 * name an upstream file already?), the servers to move, or those to put back. Undefined: no
 * gateway step (install without --gateway, or an uninstall of a plain entry).
 */
export async function readGateway(action: "install" | "uninstall", requested: boolean, host: string, defaultUpstreams: string, base: string): Promise<GatewayContext | undefined> {
  const doc = (await readJsonObject(host)).value;
  const current = servers(doc, host, false)?.[SERVER_NAME];
  const named = current !== undefined && isHeadroomServer(current) ? upstreamConfigOf(current, base) : undefined;
  if (!requested && named === undefined) return undefined;
  // A file headroom already reads stays the one it reads.
  const upstreams = named ?? defaultUpstreams;
  if (action === "install") return { action, upstreams, host, move: sortServers(doc, host).move };
  const file = await readJsonObject(upstreams);
  const restore = servers(file.value, upstreams, false) ?? {};
  const inHost = servers(doc, host, false) ?? {};
  const conflicts = Object.keys(restore).filter((name) => name in inHost && JSON.stringify(inHost[name]) !== JSON.stringify(restore[name]));
  return { action, upstreams, host, restore, conflicts, exists: file.existed };
}

/** Install, host file: the movable servers out, headroom in with `--upstream-config`. */
export function moveOut(doc: JsonObject, path: string, wanted: JsonObject, upstreams: string): string {
  const { move, stay } = sortServers(doc, path);
  const all = servers(doc, path, false);
  for (const name of Object.keys(move)) delete all![name];
  const put = putServer(doc, wanted, path);
  const names = Object.keys(move);
  const said = names.length > 0 ? [`moved ${count(names)} behind headroom: ${names.join(", ")} (now in ${upstreams})`] : [];
  said.push(put);
  if (stay.length > 0) said.push(`left ${stay.map(([name, why]) => `${name} (${why})`).join(", ")}`);
  return said.join("; ");
}

/** Install, upstream file: the moved servers in; a different server of the same name there stops the run. */
export function addUpstreams(doc: JsonObject, path: string, move: JsonObject, host: string): string {
  const all = servers(doc, path, true)!;
  const added: string[] = [];
  for (const [name, entry] of Object.entries(move)) {
    if (all[name] !== undefined) {
      if (JSON.stringify(all[name]) === JSON.stringify(entry)) continue;
      throw new InstallError(`${path} already has a server "${name}", and ${host} has another one of that name; rename or remove one, then run this again. Nothing was changed.`);
    }
    all[name] = entry;
    added.push(name);
  }
  const total = Object.keys(all).length;
  return added.length > 0 ? `added ${added.join(", ")}` : `${count(Object.keys(all))} behind headroom${total === 0 ? " (add servers here in the host's mcpServers shape)" : ""}`;
}

/** Uninstall, host file: the servers put back (never over one the user added since), headroom's entry out. */
export function moveBack(doc: JsonObject, path: string, gateway: Extract<GatewayContext, { action: "uninstall" }>, knownUrl?: string): string {
  const said: string[] = [];
  const names = Object.keys(gateway.restore).filter((name) => !gateway.conflicts.includes(name));
  if (!gateway.exists) said.push(`${gateway.upstreams} does not exist: no servers to put back`);
  if (names.length > 0) {
    const all = servers(doc, path, true)!;
    for (const name of names) all[name] ??= gateway.restore[name]!;
    said.push(`put ${count(names)} back from ${gateway.upstreams}: ${names.join(", ")}`);
  }
  if (gateway.conflicts.length > 0) said.push(`kept your own ${gateway.conflicts.join(", ")} (the gateway's stays in ${gateway.upstreams})`);
  said.push(dropServer(doc, path, knownUrl));
  return said.join("; ");
}

/** Uninstall, upstream file: what went back comes out; emptied, the file goes. */
export function dropUpstreams(doc: JsonObject, path: string, gateway: Extract<GatewayContext, { action: "uninstall" }>): string {
  const all = servers(doc, path, false);
  if (all === undefined) return "no servers in it";
  const names = Object.keys(gateway.restore).filter((name) => !gateway.conflicts.includes(name));
  for (const name of names) delete all[name];
  if (Object.keys(all).length === 0) delete doc.mcpServers;
  const kept = gateway.conflicts.length > 0 ? `; kept ${gateway.conflicts.join(", ")}: ${gateway.host} has its own` : "";
  return `${names.length > 0 ? `put ${names.join(", ")} back in ${gateway.host}` : "no servers to put back"}${kept}`;
}
