import { isAbsolute, join, resolve } from "node:path";
import { isInside } from "../folders.js";
import type { HookSettings } from "./settings.js";
import { isRecord } from "../records.js";

/** The session's folder of saved outputs, and whether a path lies in it. */
type SavedFolder = { folder: string; holds(path: string): boolean } | undefined;

/**
 * Claude Code's PostToolUse event → what to compress and how to put the result back. Pure: no
 * files, no engine; the hook command does the reading and compressing. Only shapes known from
 * Claude Code (see fixtures/claude-code/) are touched; anything else passes through.
 */
export interface HookEvent {
  hook_event_name?: unknown;
  transcript_path?: unknown;
  session_id?: unknown;
  cwd?: unknown;
  /** PostToolUseFailure: what the model reads, "Exit code N\n" and the output, cut. */
  error?: unknown;
  tool_name?: unknown;
  tool_input?: unknown;
  tool_response?: unknown;
}

/**
 * One text to compress: given inline, or in the file Claude Code saved a large output to.
 * `unwrap`: the text may be a JSON object holding the output as its only field (an MCP server's
 * structured result, serialised): then that field is what gets compressed.
 */
export type Piece = ({ text: string } | { file: string; within: string } | { taskOutput: TaskOutput }) & { unwrap?: boolean };

/**
 * The whole output of a failed Bash command: Claude Code writes it to a file in `folder`, named by
 * a task id the event does not carry; the file is the one that starts with `head`.
 */
export interface TaskOutput {
  folder: string;
  head: string;
}

export interface Plan {
  /** The tool's name as the model knows it (for the header line). */
  tool: string;
  /** A hint for content detection: the tool and what it ran or read. */
  toolName: string;
  pieces: Piece[];
  /** Claude Code saves a longer replacement to a file and shows the model a 2 KB preview of it. */
  maxChars: number;
  /** A failed command: the compressed output is added as context next to Claude Code's cut one. */
  failed?: boolean;
  /** The hook's answer, given each piece's replacement (undefined: that piece stays as it was); undefined: no answer, Claude Code keeps the output. */
  answer(replacements: ReadonlyArray<string | undefined>): HookAnswer | undefined;
}

export interface HookAnswer {
  hookSpecificOutput:
    | { hookEventName: "PostToolUse"; updatedToolOutput?: unknown; updatedMCPToolOutput?: unknown }
    | { hookEventName: "PostToolUseFailure"; additionalContext: string };
}

/** Where Claude Code keeps its scratch files: `$TMPDIR/claude-<uid>`. */
export interface HookPlace {
  claudeTemp: string;
}

/** headroom's own tools: compressing what headroom_retrieve returns would undo the retrieval. */
const OWN_TOOLS = /^(compress_tool_result|headroom_retrieve|headroom_stats|memory_(save|search|list|delete))$/;

export function planCompression(event: HookEvent, settings: HookSettings, place?: HookPlace): Plan | undefined {
  if (!settings.enabled || typeof event.tool_name !== "string") return undefined;
  const tool = event.tool_name;
  const input = isRecord(event.tool_input) ? event.tool_input : {};
  if (event.hook_event_name === "PostToolUseFailure") return tool === "Bash" && settings.tools.bash && place ? planBashFailure(event, input, place) : undefined;
  if (event.hook_event_name !== "PostToolUse") return undefined;
  const response = event.tool_response;
  const savedBy = savedOutputsFolder(event.transcript_path);
  if (tool === "Bash") return settings.tools.bash ? planBash(input, response, settings.minChars, savedBy) : undefined;
  if (tool === "Grep") return settings.tools.grep ? planGrep(input, response, settings.minChars) : undefined;
  if (tool.startsWith("mcp__")) return settings.tools.mcp ? planMcp(tool, response, settings.minChars, savedBy) : undefined;
  return undefined;
}

/**
 * Where Claude Code saves this session's large outputs: `<transcript without .jsonl>/tool-results/`.
 * A file is read only from there: an MCP result is text its server chose, and one that imitates
 * Claude Code's "saved to PATH" note must not make the hook read any other file into the model's
 * context.
 */
function savedOutputsFolder(transcript: unknown): SavedFolder {
  if (typeof transcript !== "string" || !isAbsolute(transcript) || !transcript.endsWith(".jsonl")) return undefined;
  const folder = join(transcript.slice(0, -".jsonl".length), "tool-results");
  return { folder, holds: (path) => resolve(path) !== folder && isInside(resolve(path), folder) };
}

/** Claude Code's limits on what the model reads inline (2.1.x; measured, see fixtures/claude-code/README.md). */
const TOOL_OUTPUT_MAX_CHARS = 30_000;
const MCP_OUTPUT_MAX_CHARS = 50_000;

/** What Claude Code hands over instead of an MCP result over MAX_MCP_OUTPUT_TOKENS. */
const MCP_SAVED_NOTE = /^Error: result \([\d,]+ characters\) exceeds maximum allowed tokens\. Output has been saved to (\/.+?)\.?\n/;

/** The model can ask for an untouched output by running the command with HEADROOM_OFF=1. */
const OPT_OUT = /(^|[\s;&|(])HEADROOM_OFF=1\b/;

function planBash(input: Record<string, unknown>, response: unknown, minChars: number, savedBy: SavedFolder): Plan | undefined {
  if (!isRecord(response) || response.isImage === true) return undefined;
  const command = typeof input.command === "string" ? input.command : "";
  if (OPT_OUT.test(command)) return undefined;
  const persisted = typeof response.persistedOutputPath === "string" ? response.persistedOutputPath : undefined;
  if (persisted && !savedBy?.holds(persisted)) return undefined;
  const fields = ["stdout", "stderr"] as const;
  const pieces: Piece[] = [];
  const pieceOf: Partial<Record<(typeof fields)[number], number>> = {};
  for (const field of fields) {
    const value = response[field];
    if (field === "stdout" && persisted) {
      pieceOf.stdout = pieces.push({ file: persisted, within: savedBy!.folder }) - 1;
    } else if (typeof value === "string" && value.length >= minChars) {
      pieceOf[field] = pieces.push({ text: value }) - 1;
    }
  }
  if (pieces.length === 0) return undefined;
  return {
    tool: "Bash",
    toolName: command ? `Bash: ${command}` : "Bash",
    pieces,
    maxChars: TOOL_OUTPUT_MAX_CHARS,
    answer(replacements) {
      const updated: Record<string, unknown> = { ...response };
      let changed = false;
      for (const field of fields) {
        const at = pieceOf[field];
        const replacement = at === undefined ? undefined : replacements[at];
        if (replacement === undefined) continue;
        updated[field] = replacement;
        changed = true;
      }
      // Claude Code shows the model a 2 KB preview of a persisted output unless these go; they
      // may only go when stdout now holds the whole output, compressed
      if (persisted) {
        if (replacements[pieceOf.stdout!] === undefined) return undefined;
        delete updated.persistedOutputPath;
        delete updated.persistedOutputSize;
      }
      return changed ? { hookSpecificOutput: { hookEventName: "PostToolUse", updatedToolOutput: updated } } : undefined;
    },
  };
}

/** Claude Code's mark where it cut a failed command's output down to 10,000 characters. */
const CUT_MARK = /\n\.\.\. \[[\d,]+ characters truncated\] \.\.\.\n/;
/** Characters of the output's start that identify its file. */
const HEAD_CHARS = 200;

/**
 * A failed Bash command: Claude Code runs no PostToolUse hook and shows the model the exit code
 * and at most 10,000 characters of the output — a failing test run loses what matters in the
 * middle. Its answer cannot be replaced, but context can be added: the whole output, read from
 * the file Claude Code keeps for the command, compressed. Only when the output was cut.
 */
function planBashFailure(event: HookEvent, input: Record<string, unknown>, place: HookPlace): Plan | undefined {
  const error = event.error;
  const command = typeof input.command === "string" ? input.command : "";
  if (typeof error !== "string" || !CUT_MARK.test(error) || OPT_OUT.test(command)) return undefined;
  if (typeof event.cwd !== "string" || typeof event.session_id !== "string" || !/^[\w-]+$/.test(event.session_id)) return undefined;
  const head = error.slice(error.indexOf("\n") + 1).trimStart().slice(0, HEAD_CHARS);
  if (head.length < HEAD_CHARS) return undefined;
  const folder = join(place.claudeTemp, event.cwd.replace(/[^A-Za-z0-9]/g, "-"), event.session_id, "tasks");
  return {
    tool: "Bash",
    toolName: command ? `Bash: ${command}` : "Bash",
    pieces: [{ taskOutput: { folder, head } }],
    maxChars: TOOL_OUTPUT_MAX_CHARS,
    failed: true,
    answer([replacement]) {
      return replacement === undefined ? undefined : { hookSpecificOutput: { hookEventName: "PostToolUseFailure", additionalContext: replacement } };
    },
  };
}

function planGrep(input: Record<string, unknown>, response: unknown, minChars: number): Plan | undefined {
  if (!isRecord(response) || response.mode !== "content" || typeof response.content !== "string" || response.content.length < minChars) return undefined;
  const pattern = typeof input.pattern === "string" ? ` ${input.pattern}` : "";
  return {
    tool: "Grep",
    toolName: `Grep${pattern}`,
    pieces: [{ text: response.content }],
    maxChars: TOOL_OUTPUT_MAX_CHARS,
    answer([replacement]) {
      return replacement === undefined ? undefined : { hookSpecificOutput: { hookEventName: "PostToolUse", updatedToolOutput: { ...response, content: replacement } } };
    },
  };
}

/**
 * Another MCP server's result. Claude Code hands it over as a string (2.1.x: the text, or the
 * structured result serialised, e.g. `{"content":"…"}`), or — when it was over its own token
 * limit — as a note saying where it saved the result; the saved file is read instead. An array
 * of content blocks (other versions) has each long text block compressed on its own; images and
 * other blocks stay as they are.
 */
function planMcp(tool: string, response: unknown, minChars: number, savedBy: SavedFolder): Plan | undefined {
  const [, server = "", name = ""] = tool.split("__");
  if (OWN_TOOLS.test(name) || /headroom/i.test(server)) return undefined;
  const hint = `${tool} ${name}`;
  if (typeof response === "string") {
    const note = MCP_SAVED_NOTE.exec(response)?.[1];
    const saved = note && savedBy?.holds(note) ? note : undefined;
    if (!saved && response.length < minChars) return undefined;
    const piece: Piece = saved ? { file: saved, within: savedBy!.folder, unwrap: true } : { text: response, unwrap: true };
    return { tool, toolName: hint, pieces: [piece], maxChars: MCP_OUTPUT_MAX_CHARS, answer: ([r]) => (r === undefined ? undefined : mcpAnswer(r)) };
  }
  const blocks = Array.isArray(response) ? response : undefined;
  if (!blocks) return undefined;
  const pieces: Piece[] = [];
  const blockOfPiece: number[] = [];
  blocks.forEach((block: unknown, index) => {
    if (isRecord(block) && block.type === "text" && typeof block.text === "string" && block.text.length >= minChars) {
      pieces.push({ text: block.text });
      blockOfPiece.push(index);
    }
  });
  if (pieces.length === 0) return undefined;
  return {
    tool,
    toolName: hint,
    pieces,
    maxChars: MCP_OUTPUT_MAX_CHARS,
    answer(replacements) {
      if (replacements.every((r) => r === undefined)) return undefined;
      const updated = blocks.slice();
      replacements.forEach((r, i) => {
        if (r !== undefined) updated[blockOfPiece[i]!] = { ...(blocks[blockOfPiece[i]!] as object), text: r };
      });
      return mcpAnswer(updated);
    },
  };
}

function mcpAnswer(updated: unknown): HookAnswer {
  return { hookSpecificOutput: { hookEventName: "PostToolUse", updatedMCPToolOutput: updated } };
}
