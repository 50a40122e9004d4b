import { bm25Scores, rankByScore } from "../relevance/bm25.js";
import { exactAnchors } from "../relevance/terms.js";
import { fillCheapGaps, renderLineSelection } from "./lines.js";
import type { Compressor, CompressionJob, CompressorOutput } from "./types.js";

/**
 * Plain-text fallback: whatever no other compressor claims. Keeps the beginning and the end,
 * and from the middle the lines that carry signal (errors, warnings, headings, query matches),
 * each shown once; every gap gets a marker with its line range. Lines are never edited or merged.
 */
const HEAD_SHARE = 0.35;
const TAIL_SHARE = 0.2;
const SIGNAL = /\b(error|errors|exception|fail|failed|failure|fatal|panic|traceback|critical|warn|warning|denied|refused|timeout)\b/i;
const HEADING = /^(#{1,6}\s|={3,}|-{3,}|[A-Z][A-Z0-9 _-]{3,}:?$)/;

export const textCompressor: Compressor = {
  name: "text",
  contentType: "text",

  detect(): number {
    return 0.1; // the last resort: claims anything, with the lowest confidence
  },

  compress(job: CompressionJob): CompressorOutput {
    const text = job.sample.text;
    const lines = text.split("\n");
    const tokens = job.originalTokens;
    if (tokens <= job.budgetTokens || lines.length < 8) return { text, omitted: [] };
    const budgetChars = (job.budgetTokens * text.length) / Math.max(1, tokens);

    const kept = new Uint8Array(lines.length);
    let used = 0;
    const keep = (i: number): boolean => {
      const cost = lines[i]!.length + 1;
      if (used + cost > budgetChars) return false;
      kept[i] = 1;
      used += cost;
      return true;
    };
    for (let i = 0; i < lines.length && used < budgetChars * HEAD_SHARE; i++) if (!keep(i)) break;
    const tailStart = Math.max(0, lines.length - 1 - countFromEnd(lines, budgetChars * TAIL_SHARE));
    for (let i = tailStart; i < lines.length; i++) if (!kept[i]) keep(i);

    const seen = new Set<string>();
    const signalLines = rankSignalLines(lines, job.query);
    for (const i of signalLines) {
      if (kept[i]) continue;
      const norm = lines[i]!.trim();
      if (seen.has(norm)) continue;
      seen.add(norm);
      keep(i);
    }
    fillCheapGaps(lines, kept);
    return renderLineSelection({ lines, kept, hash: job.hash });
  },
};

function countFromEnd(lines: readonly string[], chars: number): number {
  let used = 0;
  let count = 0;
  for (let i = lines.length - 1; i >= 0 && used + lines[i]!.length + 1 <= chars; i--) {
    used += lines[i]!.length + 1;
    count++;
  }
  return count;
}

/** Query anchors first, then BM25-relevant lines, then error/warning lines, then headings. */
function rankSignalLines(lines: readonly string[], query: string | undefined): number[] {
  const order: number[] = [];
  if (query?.trim()) {
    const anchors = exactAnchors(query);
    lines.forEach((line, i) => {
      const lower = line.toLowerCase();
      if (anchors.some((a) => lower.includes(a))) order.push(i);
    });
    order.push(...rankByScore(bm25Scores(lines, query)).slice(0, 200));
  }
  lines.forEach((line, i) => {
    if (SIGNAL.test(line)) order.push(i);
  });
  lines.forEach((line, i) => {
    if (HEADING.test(line.trim())) order.push(i);
  });
  return order;
}
