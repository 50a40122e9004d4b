/**
 * The one marker builder. Every lossy step in every compressor calls `omissionMarker`, so a model
 * (or a regex) always finds the same shape: what was left out, how much, by category, and the
 * handle to get it back.
 */
export interface Omission {
  hash: string;
  /** Plural unit name: "items", "lines", "keys", "numbers", "strings", "symbols". */
  unit: string;
  omitted: number;
  total: number;
  /** Where inside the document, e.g. `$.items`; omitted for whole-document omissions. */
  where?: string | undefined;
  /** Counts of omitted units by category, most frequent first, e.g. [["status=ok", 970]]. */
  categories?: ReadonlyArray<readonly [string, number]> | undefined;
  /** Facts about the omitted units that hold for all of them (e.g. min/max of numbers). */
  facts?: string | undefined;
  /**
   * The inline form of a code outline, whose header carries the hash once: `… L120-159`, the
   * 1-based lines of the original that `headroom_retrieve` with `lines` gives back (7 tokens
   * where a marker with the hash took 25).
   */
  lines?: readonly [number, number] | undefined;
  /**
   * With `lines`: the rest of a doc comment whose definition follows; a bare `…` (1 token), as
   * retrieving the definition by name gives its doc comment back too.
   */
  documents?: boolean | undefined;
}

const MAX_CATEGORIES_SHOWN = 6;

export function omissionMarker(o: Omission): string {
  if (o.lines) return o.documents ? "…" : `… L${o.lines[0]}-${o.lines[1]}`;
  const at = o.where ? ` at ${o.where}` : "";
  const details: string[] = [];
  if (o.categories && o.categories.length > 0) {
    const shown = o.categories.slice(0, MAX_CATEGORIES_SHOWN).map(([label, n]) => `${n} ${label}`);
    const rest = o.categories.slice(MAX_CATEGORIES_SHOWN).reduce((sum, [, n]) => sum + n, 0);
    if (rest > 0) shown.push(`${rest} other`);
    details.push(shown.join(", "));
  }
  if (o.facts) details.push(o.facts);
  const detail = details.length > 0 ? ` (${details.join("; ")})` : "";
  return `[headroom: ${o.omitted} of ${o.total} ${o.unit} omitted${at}${detail}; headroom_retrieve hash=${o.hash}]`;
}

/**
 * `… L120-159`: a code-outline marker, with the lines it stands for; at the end of the kept line
 * above them (`public int size() { … L120-159`), or on a line of its own.
 */
export const INLINE_MARKER_PATTERN = /(?:^\s*| )… L(\d+)-(\d+)$/;

/**
 * The first line of a code outline: the one place its hash appears, and how to read the inline
 * markers under it.
 */
export function outlineHeader(o: { hash: string; language: string; lines: number; elided: number }): string {
  return `[headroom: outline of ${groupDigits(o.lines)} lines of ${o.language}; "… La-b" stands for its lines a to b (${groupDigits(o.elided)} in all), a doc comment cut short with "…" goes on in the definition below it: headroom_retrieve hash=${o.hash} with query=<symbol name> or lines="a-b" gives them back exactly]`;
}

/** Finds every handle in a text; used by tests and by clients that want to redeem markers. */
export const MARKER_HASH_PATTERN = /hash=([0-9a-f]{24})\b/g;

/**
 * The line above an output that headroom compressed before the model saw it (the hook, the
 * gateway, a tool wrapped by the library): the model did not ask for compression, so it is told
 * what happened and how to get the whole of it back. `noun`: what the host calls it ("output" for
 * Claude Code's tools, "result" for an MCP tool's).
 */
export function compressedHeader(o: {
  tool: string;
  hash: string;
  originalChars: number;
  compressedChars: number;
  failed?: boolean | undefined;
  noun?: "output" | "result" | undefined;
}): string {
  const noun = o.noun ?? "output";
  const sizes = `${groupDigits(o.originalChars)} characters, compressed to ${groupDigits(o.compressedChars)}`;
  // only a shell command can be re-run with the variable in front of it
  const rerun = o.tool === "Bash" ? ", or re-run with HEADROOM_OFF=1" : "";
  const back = `headroom_retrieve hash=${o.hash} (with query= for just the lines you need)${rerun}`;
  if (o.failed) return `[headroom: the command failed and Claude Code showed only part of its output; here is all of it (${sizes}); any part: ${back}]`;
  return `[headroom: ${o.tool} ${noun} compressed from ${groupDigits(o.originalChars)} to ${groupDigits(o.compressedChars)} characters; the whole ${noun}: ${back}]`;
}

/** 1234567 → "1,234,567". (toLocaleString would load ICU's number formatting: ~35 ms in a fresh process.) */
export function groupDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
