import { bm25Scores, rankByScore } from "../relevance/bm25.js";
import { exactAnchors } from "../relevance/terms.js";
import { fillCheapGaps, renderLineSelection, splitLines } from "./lines.js";
import type { Compressor, CompressionJob, CompressorOutput } from "./types.js";

/**
 * Plain text (docs, web pages, prose) and whatever no other compressor claims. Keeps the
 * beginning and the end; from the middle, in order: lines matching the query, headings, error
 * and warning lines, then lines that carry anchors (numbers, links, `code`). Repeated lines and
 * paragraphs are shown once. Lines are never edited or merged; every gap gets a marker with its
 * line range and what it held (text, blank, repeated).
 */
const HEAD_SHARE = 0.3;
const TAIL_SHARE = 0.15;
const SIGNAL = /\b(?:error|errors|exception|fail|failed|failure|fatal|panic|traceback|critical|warn|warning|denied|refused|timeout|important|note|deprecated|breaking)\b/i;
const HEADING = /^(?:#{1,6}\s|={3,}\s*$|-{3,}\s*$|[A-Z][A-Z0-9 _-]{3,}:?$|\d+(?:\.\d+)*\.?\s+[A-Z])/;
const ANCHOR = /\d|https?:\/\/|`[^`]+`|\[[^\]]+\]\(/;
const MIN_REPEATED_CHARS = 12;
const GAP_MARKER_CHARS = 150;

export const textCompressor: Compressor = {
  name: "text",
  contentType: "text",

  detect(): number {
    return 0.1; // the last resort: claims anything, with the lowest confidence
  },

  compress(job: CompressionJob): CompressorOutput {
    const text = job.sample.text;
    const lines = splitLines(text);
    if (job.originalTokens <= job.budgetTokens || lines.length < 8) return { text, omitted: [] };
    const budgetChars = (job.budgetTokens * text.length) / Math.max(1, job.originalTokens);
    const repeated = repeatedLines(lines);

    const kept = new Uint8Array(lines.length);
    let used = 0;
    const keep = (i: number): boolean => {
      if (kept[i] || repeated[i]) return kept[i] === 1;
      // a line away from other kept lines also costs the marker of the gap it opens
      const cost = lines[i]!.length + 1 + (kept[i - 1] || kept[i + 1] ? 0 : GAP_MARKER_CHARS);
      if (used + cost > budgetChars) return false;
      kept[i] = 1;
      used += cost;
      return true;
    };
    for (let i = 0; i < lines.length && used < budgetChars * HEAD_SHARE; i++) keep(i);
    const tailBudget = used + budgetChars * TAIL_SHARE;
    for (let i = firstOfTail(lines, budgetChars * TAIL_SHARE); i < lines.length && used < tailBudget; i++) keep(i);
    for (const i of rankMiddle(lines, job.query)) keep(i);

    fillCheapGaps(lines, kept, repeated);
    return renderLineSelection({
      lines,
      kept,
      hash: job.hash,
      categoryOf: (i) => (repeated[i] ? "repeated" : lines[i]!.trim() === "" ? "blank" : "text"),
    });
  },
};

function firstOfTail(lines: readonly string[], chars: number): number {
  let used = 0;
  let i = lines.length;
  while (i > 0 && used + lines[i - 1]!.length + 1 <= chars) used += lines[--i]!.length + 1;
  return i;
}

/**
 * Marks every repeat of a line seen before with the same next line (ignoring surrounding white space), and every line of a
 * paragraph that repeats an earlier paragraph as a whole. Short lines (`}`, `---`) do not count.
 */
function repeatedLines(lines: readonly string[]): Uint8Array {
  const repeated = new Uint8Array(lines.length);
  const seenLines = new Set<string>();
  const seenParagraphs = new Set<string>();
  let start = 0;
  for (let i = 0; i <= lines.length; i++) {
    if (i < lines.length && lines[i]!.trim() !== "") continue;
    const paragraph = lines.slice(start, i).join("\n").trim();
    if (paragraph.length >= MIN_REPEATED_CHARS && seenParagraphs.has(paragraph)) repeated.fill(1, start, i);
    seenParagraphs.add(paragraph);
    start = i + 1;
  }
  // a line is a repeat with what follows it: `Traceback (most recent call last):` before a new
  // stack is the header of a new block, not a repeat, and is never dropped as one
  lines.forEach((line, i) => {
    const norm = line.trim();
    if (norm.length < MIN_REPEATED_CHARS) return;
    const key = `${norm}\n${(lines[i + 1] ?? "").trim()}`;
    if (seenLines.has(key)) repeated[i] = 1;
    seenLines.add(key);
  });
  return repeated;
}

/** Query anchors and BM25 matches first, then headings (the document's map), error lines, and lines with anchors. */
function rankMiddle(lines: readonly string[], query: string | undefined): number[] {
  const order: number[] = [];
  if (query?.trim()) {
    const anchors = exactAnchors(query);
    lines.forEach((line, i) => {
      const lower = line.toLowerCase();
      if (anchors.some((a) => lower.includes(a))) order.push(i);
    });
    order.push(...rankByScore(bm25Scores(lines, query)).slice(0, 200));
  }
  for (const pattern of [HEADING, SIGNAL, ANCHOR]) {
    lines.forEach((line, i) => {
      if (pattern.test(line.trim())) order.push(i);
    });
  }
  return order;
}
