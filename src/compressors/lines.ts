import { omissionMarker } from "../ccr/marker.js";
import type { OmissionRecord } from "./types.js";

/**
 * Renders the kept lines of a line-oriented text in order, verbatim, and one marker per run of
 * omitted lines with its line range and a count by category. Shared by every line-based
 * compressor so their markers read the same.
 */
export interface LineSelection {
  lines: readonly string[];
  kept: Uint8Array;
  hash: string;
  /** Category of an omitted line for the marker (e.g. its template); default by blank/text. */
  categoryOf?: ((index: number) => string) | undefined;
  /** Prefix kept lines with their 1-based line number (`  67  text`). */
  numbered?: boolean;
}

export function renderLineSelection(selection: LineSelection): { text: string; omitted: OmissionRecord[] } {
  const { lines, kept, hash, categoryOf, numbered } = selection;
  const width = String(lines.length).length;
  const out: string[] = [];
  const omitted: OmissionRecord[] = [];
  let i = 0;
  while (i < lines.length) {
    if (kept[i]) {
      out.push(numbered ? `${String(i + 1).padStart(width)}  ${lines[i]}` : lines[i]!);
      i++;
      continue;
    }
    const start = i;
    const counts = new Map<string, number>();
    while (i < lines.length && !kept[i]) {
      const category = categoryOf ? categoryOf(i) : lines[i]!.trim() === "" ? "blank" : "text";
      counts.set(category, (counts.get(category) ?? 0) + 1);
      i++;
    }
    const count = i - start;
    const where = count === 1 ? `line ${start + 1}` : `lines ${start + 1}-${i}`;
    const categories = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    omitted.push({ where, unit: "lines", omitted: count, total: lines.length, categories: Object.fromEntries(categories) });
    out.push(omissionMarker({ hash, unit: "lines", omitted: count, total: lines.length, where, categories }));
  }
  return { text: out.join("\n"), omitted };
}

/** A marker costs about this many characters; omitting fewer is a loss. */
const MARKER_CHARS = 160;

/**
 * Keeps the lines of short gaps that cost less than the marker that would replace them, except
 * gaps holding a line the compressor left out on purpose (`excluded`, e.g. a repeat).
 */
export function fillCheapGaps(lines: readonly string[], kept: Uint8Array, excluded?: Uint8Array): void {
  let i = 0;
  while (i < lines.length) {
    if (kept[i]) {
      i++;
      continue;
    }
    const start = i;
    let chars = 0;
    let locked = false;
    while (i < lines.length && !kept[i]) {
      locked ||= excluded?.[i] === 1;
      chars += lines[i++]!.length + 1;
    }
    if (chars <= MARKER_CHARS && !locked) kept.fill(1, start, i);
  }
}

/** Splits text into lines; a final newline does not make an extra empty line. */
export function splitLines(text: string): string[] {
  return (text.endsWith("\n") ? text.slice(0, -1) : text).split("\n");
}
