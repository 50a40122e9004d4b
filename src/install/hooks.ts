import { InstallError, isObject, kindOf, type JsonObject, type JsonValue } from "./json-file.js";
import { mentionsHeadroom } from "./launch.js";

/**
 * The Claude Code hooks that compress large tool outputs before the model reads them, in a
 * settings.json: hooks.<event>[] holds matcher groups, each with its own hooks[]. Ours is one
 * inner entry per event; everything around it belongs to the user and is kept as it was.
 * PostToolUse replaces large outputs; PostToolUseFailure (Claude Code runs no PostToolUse hook
 * for a failed command) adds the whole output of a failed Bash command, compressed.
 */
export const HOOK_EVENTS = [
  { event: "PostToolUse", matcher: "Bash|Grep|mcp__.*" },
  { event: "PostToolUseFailure", matcher: "Bash" },
] as const;
export const HOOK_TIMEOUT_S = 10;

export function hookEntry(command: string): JsonObject {
  return { type: "command", command, timeout: HOOK_TIMEOUT_S };
}

/** Any version of our hook: a command that runs headroom-mcp's `hook` subcommand. */
export function isHeadroomHook(entry: JsonValue): boolean {
  return isObject(entry) && typeof entry.command === "string" && / hook( |$)/.test(entry.command) && mentionsHeadroom(entry.command);
}

function hookTable(settings: JsonObject, path: string, create: boolean): JsonObject | undefined {
  const found = settings.hooks;
  if (found === undefined) return create ? (settings.hooks = {}) : undefined;
  if (!isObject(found)) throw new InstallError(`${path}: "hooks" is ${kindOf(found)}, not an object; fix it by hand, then run this again. Nothing was changed.`);
  return found;
}

function groupsOf(table: JsonObject, event: string, path: string): JsonValue[] | undefined {
  const groups = table[event];
  if (groups === undefined) return undefined;
  if (!Array.isArray(groups)) throw new InstallError(`${path}: "hooks.${event}" is ${kindOf(groups)}, not an array; fix it by hand, then run this again. Nothing was changed.`);
  return groups;
}

/**
 * Sets our hook. An older one is updated where it is (its group takes our matcher when it holds
 * nothing else), copies beyond the first are removed, and a new one joins a group that already
 * has our matcher, else a group of its own at the end.
 */
export function putHooks(settings: JsonObject, command: string, path: string): string {
  return HOOK_EVENTS.map(({ event, matcher }) => putHook(settings, command, path, event, matcher)).join("; ");
}

function putHook(settings: JsonObject, command: string, path: string, event: string, matcher: string): string {
  const table = hookTable(settings, path, true)!;
  const groups = groupsOf(table, event, path) ?? (table[event] = []);
  const wanted = hookEntry(command);
  const before = JSON.stringify(groups);
  const hadOurs = groups.some((group) => isObject(group) && Array.isArray(group.hooks) && group.hooks.some(isHeadroomHook));
  let placed = false;
  for (const group of groups) {
    if (!isObject(group) || !Array.isArray(group.hooks)) continue;
    const inner = group.hooks;
    for (let i = 0; i < inner.length; i++) {
      if (!isHeadroomHook(inner[i]!)) continue;
      const alone = inner.every(isHeadroomHook);
      if (!placed && (group.matcher === matcher || alone)) {
        if (alone) group.matcher = matcher;
        inner[i] = wanted;
        placed = true;
      } else {
        inner.splice(i--, 1);
      }
    }
  }
  removeEmptied(groups, before);
  if (!placed) {
    const home = groups.find((group) => isObject(group) && group.matcher === matcher && Array.isArray(group.hooks));
    if (home) (home as { hooks: JsonValue[] }).hooks.push(wanted);
    else groups.push({ matcher, hooks: [wanted] });
  }
  if (JSON.stringify(groups) === before) return `${event} hook already set`;
  return hadOurs ? `updated the ${event} hook` : `added the ${event} hook`;
}

/** Removes every hook of ours, in every event, and the groups and tables that leaves empty. */
export function dropHooks(settings: JsonObject, path: string): string {
  const table = hookTable(settings, path, false);
  let removed = 0;
  for (const event of Object.keys(table ?? {})) {
    const groups = groupsOf(table!, event, path)!;
    const before = JSON.stringify(groups);
    for (const group of groups) {
      if (!isObject(group) || !Array.isArray(group.hooks)) continue;
      const kept = group.hooks.filter((entry) => !isHeadroomHook(entry));
      removed += group.hooks.length - kept.length;
      group.hooks = kept;
    }
    removeEmptied(groups, before);
    if (groups.length === 0 && before !== "[]") delete table![event];
  }
  if (table && Object.keys(table).length === 0 && removed > 0) delete settings.hooks;
  return removed === 0 ? "no headroom-mcp hook" : `removed the headroom-mcp hook${removed > 1 ? `s (${removed})` : ""}`;
}

/** Drops the groups whose hooks we just emptied (a group the user left empty is theirs to keep). */
function removeEmptied(groups: JsonValue[], before: string): void {
  const emptyBefore = (JSON.parse(before) as JsonValue[]).map((group) => isObject(group) && Array.isArray(group.hooks) && group.hooks.length === 0);
  for (let i = groups.length - 1; i >= 0; i--) {
    const group = groups[i];
    if (isObject(group) && Array.isArray(group.hooks) && group.hooks.length === 0 && !emptyBefore[i]) groups.splice(i, 1);
  }
}
