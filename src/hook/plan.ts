import type { HookSettings } from "./settings.js";

/**
 * Claude Code's PostToolUse event → what to compress and how to put the result back. Pure: no
 * files, no engine; the hook command does the reading and compressing. Only shapes known from
 * Claude Code (see fixtures/claude-code/) are touched; anything else passes through.
 */
export interface HookEvent {
  hook_event_name?: unknown;
  tool_name?: unknown;
  tool_input?: unknown;
  tool_response?: unknown;
}

/** One text to compress: given inline, or in the file Claude Code saved a large output to. */
export type Piece = { text: string } | { file: string };

export interface Plan {
  /** The tool's name as the model knows it (for the header line). */
  tool: string;
  /** A hint for content detection: the tool and what it ran or read. */
  toolName: string;
  pieces: Piece[];
  /** The hook's answer, given each piece's replacement (undefined: that piece stays as it was); undefined: no answer, Claude Code keeps the output. */
  answer(replacements: ReadonlyArray<string | undefined>): HookAnswer | undefined;
}

export interface HookAnswer {
  hookSpecificOutput: { hookEventName: "PostToolUse"; updatedToolOutput?: unknown; updatedMCPToolOutput?: unknown };
}

/** headroom's own tools: compressing what headroom_retrieve returns would undo the retrieval. */
const OWN_TOOLS = /^(compress_tool_result|headroom_retrieve|headroom_stats|memory_(save|search|list|delete))$/;

export function planCompression(event: HookEvent, settings: HookSettings): Plan | undefined {
  if (!settings.enabled || event.hook_event_name !== "PostToolUse" || typeof event.tool_name !== "string") return undefined;
  const tool = event.tool_name;
  const input = isRecord(event.tool_input) ? event.tool_input : {};
  const response = event.tool_response;
  if (tool === "Bash") return settings.tools.bash ? planBash(input, response, settings.minChars) : undefined;
  if (tool === "Grep") return settings.tools.grep ? planGrep(input, response, settings.minChars) : undefined;
  if (tool.startsWith("mcp__")) return settings.tools.mcp ? planMcp(tool, response, settings.minChars) : undefined;
  return undefined;
}

/** The model can ask for an untouched output by running the command with HEADROOM_OFF=1. */
const OPT_OUT = /(^|[\s;&|(])HEADROOM_OFF=1\b/;

function planBash(input: Record<string, unknown>, response: unknown, minChars: number): Plan | undefined {
  if (!isRecord(response) || response.isImage === true) return undefined;
  const command = typeof input.command === "string" ? input.command : "";
  if (OPT_OUT.test(command)) return undefined;
  const persisted = typeof response.persistedOutputPath === "string" ? response.persistedOutputPath : undefined;
  const fields = ["stdout", "stderr"] as const;
  const pieces: Piece[] = [];
  const pieceOf: Partial<Record<(typeof fields)[number], number>> = {};
  for (const field of fields) {
    const value = response[field];
    if (field === "stdout" && persisted) {
      pieceOf.stdout = pieces.push({ file: persisted }) - 1;
    } else if (typeof value === "string" && value.length >= minChars) {
      pieceOf[field] = pieces.push({ text: value }) - 1;
    }
  }
  if (pieces.length === 0) return undefined;
  return {
    tool: "Bash",
    toolName: command ? `Bash: ${command}` : "Bash",
    pieces,
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

function planGrep(input: Record<string, unknown>, response: unknown, minChars: number): Plan | undefined {
  if (!isRecord(response) || response.mode !== "content" || typeof response.content !== "string" || response.content.length < minChars) return undefined;
  const pattern = typeof input.pattern === "string" ? ` ${input.pattern}` : "";
  return {
    tool: "Grep",
    toolName: `Grep${pattern}`,
    pieces: [{ text: response.content }],
    answer([replacement]) {
      return replacement === undefined ? undefined : { hookSpecificOutput: { hookEventName: "PostToolUse", updatedToolOutput: { ...response, content: replacement } } };
    },
  };
}

/**
 * Another MCP server's result: a string, an array of content blocks, or an object holding such
 * an array under `content`. Each long text block is compressed on its own; images and other
 * blocks stay as they are.
 */
function planMcp(tool: string, response: unknown, minChars: number): Plan | undefined {
  const [, server = "", name = ""] = tool.split("__");
  if (OWN_TOOLS.test(name) || /headroom/i.test(server)) return undefined;
  const hint = `${tool} ${name}`;
  if (typeof response === "string") {
    if (response.length < minChars) return undefined;
    return { tool, toolName: hint, pieces: [{ text: response }], answer: ([r]) => (r === undefined ? undefined : mcpAnswer(r)) };
  }
  const blocks = Array.isArray(response) ? response : isRecord(response) && Array.isArray(response.content) ? response.content : undefined;
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
    answer(replacements) {
      if (replacements.every((r) => r === undefined)) return undefined;
      const updated = blocks.map((block: unknown) => block);
      replacements.forEach((r, i) => {
        if (r !== undefined) updated[blockOfPiece[i]!] = { ...(blocks[blockOfPiece[i]!] as object), text: r };
      });
      return mcpAnswer(Array.isArray(response) ? updated : { ...(response as object), content: updated });
    },
  };
}

function mcpAnswer(updated: unknown): HookAnswer {
  return { hookSpecificOutput: { hookEventName: "PostToolUse", updatedMCPToolOutput: updated } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
