import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { HeadroomError } from "../engine/errors.js";
import type { Logger } from "../log.js";

/**
 * Tool results carry `structuredContent` for clients that read it, and the same data as text
 * for those that do not. The main text (compressed output, retrieved original) goes in its own
 * block, unescaped, so the model reads it as it is; the other fields follow as compact JSON.
 */
export function toolResult<T extends Record<string, unknown>>(structured: T, mainField?: keyof T & string): CallToolResult {
  if (mainField === undefined) {
    return { structuredContent: structured, content: [{ type: "text", text: JSON.stringify(structured) }] };
  }
  const { [mainField]: main, ...rest } = structured;
  return {
    structuredContent: structured,
    content: [
      { type: "text", text: String(main) },
      { type: "text", text: JSON.stringify(rest) },
    ],
  };
}

/** Typed errors become an actionable `isError` result; anything else is logged and reported plainly. */
export function toolError(error: unknown, logger: Logger, context: string): CallToolResult {
  if (error instanceof HeadroomError) {
    return { isError: true, content: [{ type: "text", text: `${error.code}: ${error.message}` }] };
  }
  logger.error(`${context} failed`, error);
  const message = error instanceof Error ? error.message : String(error);
  return {
    isError: true,
    content: [{ type: "text", text: `internal_error: ${context} failed (${message}). Nothing was lost; use the original output as it is. Details are in the server's log.` }],
  };
}
