import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { StoreLocation } from "./ccr/backend.js";
import { loadConfig } from "./config.js";
import { compressCallResult, type ForwardSettings } from "./gateway/forward.js";
import { createHeadroom, type Headroom } from "./headroom.js";
import { createLogger, type Logger } from "./log.js";

/**
 * Compression for an MCP server's own tools: wrap a tool's handler and its large results reach the
 * model compressed, the originals kept in the store headroom-mcp itself reads, so the model's
 * `headroom_retrieve` (from headroom-mcp installed next to that server) redeems the handles.
 */
export interface CompressionOptions extends ForwardSettings {
  /** An existing Headroom (engine + store); default: one on the user's default store (the server's), created on first use and reused per store location. */
  headroom?: Headroom | undefined;
  /** Where the default Headroom keeps originals; default: HEADROOM_STORE, else the server's default SQLite file. */
  store?: StoreLocation | undefined;
  /** How long the default Headroom keeps originals; default: HEADROOM_TTL, else 24 hours. */
  ttlMs?: number | undefined;
  /** Default: warnings and errors to stderr (stdout may be a stdio server's protocol stream). */
  logger?: Logger | undefined;
}

/** Headrooms created for callers that passed none, one per store location and time-to-live. */
const defaults = new Map<string, Headroom>();

function headroomFor(options: CompressionOptions): Headroom {
  if (options.headroom) return options.headroom;
  // the same store settings as the server reads from the environment (`stats` takes no options of its own)
  const config = loadConfig(["stats"], process.env);
  const store = options.store ?? config.store;
  const ttlMs = options.ttlMs ?? config.ttlMs;
  const key = JSON.stringify([store, ttlMs]);
  let headroom = defaults.get(key);
  if (!headroom) {
    const logger = options.logger ?? createLogger(config.logLevel);
    // a library is a guest in someone else's process: the long-lived server does the sweeping
    headroom = createHeadroom({ store, ttlMs, storeMaxBytes: config.storeMaxBytes, limits: { maxInputBytes: config.maxInputBytes }, logger, sweepAtStart: false });
    defaults.set(key, headroom);
  }
  return headroom;
}

/**
 * Flushes statistics and closes the Headrooms created by default. SQLite and memory stores let
 * the process exit without it (only the last seconds of statistics are lost); a Redis store keeps
 * the process alive until it is closed. A later call opens a new one.
 */
export async function closeDefaultHeadroom(): Promise<void> {
  const open = [...defaults.values()];
  defaults.clear();
  await Promise.all(open.map((headroom) => headroom.close()));
}

/**
 * The result with its long text blocks compressed (see compressCallResult for the rules);
 * anything that goes wrong returns it unchanged. Drops `structuredContent` when it compresses:
 * expose such a tool without an output schema.
 */
export async function compressToolResult(toolName: string, result: CallToolResult, options: CompressionOptions = {}): Promise<CallToolResult> {
  if (options.off || result.isError) return result;
  let headroom: Headroom;
  try {
    headroom = headroomFor(options);
  } catch (error) {
    (options.logger ?? createLogger("warn")).warn("could not open headroom's store; the result passes unchanged", error);
    return result;
  }
  return (await compressCallResult(headroom.engine, toolName, result, options, options.logger)).result;
}

/**
 * A tool handler whose results come back compressed, with the handler's own shape, so that
 * `server.registerTool(name, config, withCompression(name, handler))` type-checks as the handler
 * alone would. `queryFrom`: the argument whose value says what the model is looking for.
 *
 * A result that carries `structuredContent` passes unchanged: the wrapper cannot see the tool's
 * output schema, and the SDK rejects a result without structured content from a tool that has one.
 */
export function withCompression<Args extends unknown[]>(
  toolName: string,
  handler: (...args: Args) => CallToolResult | Promise<CallToolResult>,
  options: CompressionOptions & { queryFrom?: string | undefined } = {},
): (...args: Args) => Promise<CallToolResult> {
  const { queryFrom, ...settings } = options;
  return async (...args) => {
    const result = await handler(...args);
    if (result.structuredContent !== undefined) return result;
    const query = queryFrom === undefined ? settings.query : (argument(args[0], queryFrom) ?? settings.query);
    return compressToolResult(toolName, result, { ...settings, query });
  };
}

/** A tool's arguments come first; a tool without an input schema gets only the request's `extra`, which has no such field. */
function argument(args: unknown, name: string): string | undefined {
  if (typeof args !== "object" || args === null) return undefined;
  const value = (args as Record<string, unknown>)[name];
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}
