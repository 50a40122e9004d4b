import { parseRecord } from "./records.js";

/**
 * The output inside `{"field": "…"}`, when that is all a text is; else the text itself. A tool's
 * structured result serialised as text often is just that (`{"content":"…"}`): compressed as
 * JSON, its one long string would be cut blind; unwrapped, the compressors see its lines.
 */
export function unwrapSingleField(text: string): string {
  const parsed = text.startsWith("{") ? parseRecord(text) : undefined;
  if (!parsed) return text;
  const values = Object.values(parsed);
  return values.length === 1 && typeof values[0] === "string" ? values[0] : text;
}
