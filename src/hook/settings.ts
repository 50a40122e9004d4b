import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_MIN_CHARS } from "../engine/stand-in.js";

/**
 * What the PostToolUse hook compresses, from the environment and a `headroom` section in Claude
 * Code's settings files (the project's local file, the project's, the user's: the first that sets
 * a value wins; the environment wins over all). Read on every call: a hook is a fresh process.
 */
export interface HookSettings {
  /** False when HEADROOM_OFF=1 or `"enabled": false`: every output passes through. */
  enabled: boolean;
  /** Outputs shorter than this many characters pass through untouched (no tokenizer, no store). */
  minChars: number;
  /** Token budget of a compressed output; undefined: the engine's default (15%, 1,000–4,000). */
  maxTokens: number | undefined;
  /** Per-tool switches. */
  tools: { bash: boolean; grep: boolean; mcp: boolean };
}

export const DEFAULT_HOOK_SETTINGS: HookSettings = { enabled: true, minChars: DEFAULT_MIN_CHARS, maxTokens: undefined, tools: { bash: true, grep: true, mcp: true } };

/** The JSON form: every field optional. */
interface HookSection {
  enabled?: unknown;
  minChars?: unknown;
  maxTokens?: unknown;
  tools?: { bash?: unknown; grep?: unknown; mcp?: unknown };
}

/** Claude Code's settings files, most specific first (the user's under CLAUDE_CONFIG_DIR when it is set). */
export function settingsFiles(projectDir: string | undefined, home: string, env: NodeJS.ProcessEnv): string[] {
  const project = projectDir ? [join(projectDir, ".claude", "settings.local.json"), join(projectDir, ".claude", "settings.json")] : [];
  return [...project, join(env.CLAUDE_CONFIG_DIR || join(home, ".claude"), "settings.json")];
}

export function loadHookSettings(env: NodeJS.ProcessEnv, files: readonly string[]): HookSettings {
  const sections = files.map(readSection).filter((s): s is HookSection => s !== undefined);
  const first = <T>(read: (s: HookSection) => T | undefined): T | undefined => {
    for (const s of sections) {
      const value = read(s);
      if (value !== undefined) return value;
    }
    return undefined;
  };
  const tools = { ...DEFAULT_HOOK_SETTINGS.tools };
  for (const tool of Object.keys(tools) as (keyof HookSettings["tools"])[]) {
    tools[tool] = first((s) => asBoolean(s.tools?.[tool])) ?? tools[tool];
  }
  const envTools = env.HEADROOM_HOOK_TOOLS?.trim() ? env.HEADROOM_HOOK_TOOLS.split(",").map((t) => t.trim().toLowerCase()) : undefined;
  if (envTools) for (const tool of Object.keys(tools) as (keyof HookSettings["tools"])[]) tools[tool] = envTools.includes(tool);
  return {
    enabled: env.HEADROOM_OFF === "1" ? false : (first((s) => asBoolean(s.enabled)) ?? true),
    minChars: asCount(env.HEADROOM_HOOK_MIN_CHARS) ?? first((s) => asCount(s.minChars)) ?? DEFAULT_HOOK_SETTINGS.minChars,
    maxTokens: asCount(env.HEADROOM_HOOK_MAX_TOKENS) ?? first((s) => asCount(s.maxTokens)),
    tools,
  };
}

/** The `headroom` object of one settings file; a missing or unreadable file has none. */
function readSection(file: string): HookSection | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
  const section = (parsed as { headroom?: unknown } | null)?.headroom;
  return section && typeof section === "object" ? (section as HookSection) : undefined;
}

function asBoolean(value: unknown): boolean | undefined {
  return typeof value === "boolean" ? value : undefined;
}

function asCount(value: unknown): number | undefined {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof n === "number" && Number.isInteger(n) && n > 0 ? n : undefined;
}
