import { omissionMarker } from "../ccr/marker.js";
import { exactAnchors, terms } from "../relevance/terms.js";
import { splitLines } from "./lines.js";
import type { Compressor, CompressionJob, CompressorOutput, ContentSample, OmissionRecord } from "./types.js";

/**
 * Unified diffs (`git diff`, `diff -u`, patches with renames, mode changes and binary files).
 * File headers, hunk headers and every changed line are kept; runs of unchanged context longer
 * than a few lines are trimmed to two lines either side of the changes. When even that is over
 * the budget, files are shown whole in order of relevance (query, error and security words,
 * size) and the rest are reduced to their headers with a count of their hunks and lines.
 */
const KEEP_CONTEXT = 2;
const MIN_TRIMMED_RUN = 4;
const FILE_MARKER_CHARS = 160;
const DESCRIBING_HEADER = /^(?:new file mode|deleted file mode|rename from|rename to|copy from|copy to|similarity index|dissimilarity index|old mode|new mode|Binary files|GIT binary patch)/;
const FILE_START = /^diff --git |^diff -[^\n]*\s|^Index: |^--- (?!-)/;
const HUNK = /^@@@? -\d+(?:,\d+)? \+\d+(?:,\d+)? @@@?/;
const IMPORTANT = /\b(?:error|fail|fix|bug|security|auth|password|secret|token|todo|fixme|deprecated|breaking)\b/i;

interface Hunk {
  start: number;
  end: number; // exclusive
  added: number;
  removed: number;
}

interface FileDiff {
  start: number;
  headerEnd: number; // exclusive: lines before the first hunk
  end: number; // exclusive
  path: string;
  hunks: Hunk[];
}

export const diffCompressor: Compressor = {
  name: "diff",
  contentType: "diff",

  detect(sample: ContentSample): number {
    const head = splitLines(sample.text.slice(0, 50_000)).slice(0, 500);
    const headers = head.filter((l) => /^diff --git |^--- \S|^\+\+\+ \S/.test(l)).length;
    const hunks = head.filter((l) => HUNK.test(l)).length;
    if (hunks === 0 || headers === 0) return 0;
    return Math.min(0.99, 0.7 + 0.05 * headers + 0.05 * hunks);
  },

  compress(job: CompressionJob): CompressorOutput | null {
    const text = job.sample.text;
    const lines = splitLines(text);
    const files = parseDiff(lines);
    if (files.length === 0) return null;
    if (job.originalTokens <= job.budgetTokens) return { text, omitted: [] };
    const budgetChars = (job.budgetTokens * text.length) / Math.max(1, job.originalTokens);

    const kept = new Uint8Array(lines.length);
    const omitted: OmissionRecord[] = [];
    // every file keeps its first header line and what kind of change it is (new, deleted,
    // renamed, binary, mode); until it is shown, it also costs the marker that summarises it
    for (const f of files) {
      kept[f.start] = 1;
      for (let i = f.start + 1; i < f.headerEnd; i++) if (DESCRIBING_HEADER.test(lines[i]!)) kept[i] = 1;
    }
    let used = sumChars(lines, kept) + files.length * FILE_MARKER_CHARS;

    // then whole files (changed lines + a little context), most relevant first
    const queryTerms = job.query ? new Set([...terms(job.query), ...exactAnchors(job.query)]) : new Set<string>();
    const order = files
      .map((f, k) => ({ k, score: relevance(lines, f, queryTerms), size: fileChars(lines, f) }))
      .sort((a, b) => b.score - a.score || a.size - b.size || a.k - b.k);
    const shown = new Set<number>();
    for (const { k } of order) {
      const f = files[k]!;
      const body = [...range(f.start, f.headerEnd), ...f.hunks.map((h) => h.start), ...bodyLines(lines, f)].filter((i) => !kept[i]);
      const cost = body.reduce((sum, i) => sum + lines[i]!.length + 1, 0);
      if (used + cost - FILE_MARKER_CHARS > budgetChars) continue;
      for (const i of body) kept[i] = 1;
      used += cost - FILE_MARKER_CHARS;
      shown.add(k);
    }

    const out: string[] = [];
    files.forEach((f, k) => {
      for (let i = f.start; i < f.end; i++) {
        if (!kept[i]) {
          // a trimmed run of context inside a shown file
          if (!shown.has(k)) continue;
          let j = i;
          while (j < f.end && !kept[j]) j++;
          const record = { where: `${f.path} lines ${i + 1}-${j}`, unit: "lines", omitted: j - i, total: f.end - f.start, categories: { "unchanged context": j - i } };
          omitted.push(record);
          out.push(omissionMarker({ hash: job.hash, unit: "lines", omitted: j - i, total: f.end - f.start, where: f.path, categories: [["unchanged context", j - i]] }));
          i = j - 1;
          continue;
        }
        out.push(lines[i]!);
      }
      if (!shown.has(k)) {
        const added = f.hunks.reduce((sum, h) => sum + h.added, 0);
        const removed = f.hunks.reduce((sum, h) => sum + h.removed, 0);
        const total = f.end - f.start;
        const hidden = total - range(f.start, f.end).filter((i) => kept[i]).length;
        if (hidden > 0) {
          const headers = hidden - (f.end - f.headerEnd);
          const categories = ([["added", added], ["removed", removed], ["unchanged", f.end - f.headerEnd - f.hunks.length - added - removed], ["hunk headers", f.hunks.length], ["file headers", headers]] as Array<[string, number]>).filter(([, n]) => n > 0);
          omitted.push({ where: f.path, unit: "lines", omitted: hidden, total, categories: Object.fromEntries(categories) });
          out.push(omissionMarker({ hash: job.hash, unit: "lines", omitted: hidden, total, where: f.path, categories }));
        }
      }
    });
    // text before the first file (commit message, `git show` header) is kept as is
    const preamble = lines.slice(0, files[0]!.start);
    return { text: [...preamble, ...out].join("\n"), omitted };
  },
};

function parseDiff(lines: readonly string[]): FileDiff[] {
  const files: FileDiff[] = [];
  let i = 0;
  while (i < lines.length) {
    if (!FILE_START.test(lines[i]!) || (lines[i]!.startsWith("--- ") && !(lines[i + 1] ?? "").startsWith("+++ "))) {
      i++;
      continue;
    }
    const start = i;
    let path = pathOf(lines[i]!);
    i++;
    // extended headers until the first hunk or the next file
    while (i < lines.length && !HUNK.test(lines[i]!) && !(FILE_START.test(lines[i]!) && !lines[i]!.startsWith("--- "))) {
      if (lines[i]!.startsWith("+++ ")) path = lines[i]!.slice(4).replace(/^b\//, "").split("\t")[0]!;
      i++;
    }
    const headerEnd = i;
    const hunks: Hunk[] = [];
    while (i < lines.length && HUNK.test(lines[i]!)) {
      const hunk: Hunk = { start: i, end: i + 1, added: 0, removed: 0 };
      // the header's line counts say exactly where the hunk ends (`--- x` may be a removed line)
      const counts = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/.exec(lines[i]!);
      let oldLeft = counts ? Number(counts[1] ?? 1) : Infinity;
      let newLeft = counts ? Number(counts[2] ?? 1) : Infinity;
      i++;
      while (i < lines.length && (oldLeft > 0 || newLeft > 0 || lines[i]!.startsWith("\\"))) {
        const line = lines[i]!;
        if (!/^[ +\-\\]/.test(line) || (!counts && (FILE_START.test(line) || HUNK.test(line)))) break;
        if (line.startsWith("+")) {
          hunk.added++;
          newLeft--;
        } else if (line.startsWith("-")) {
          hunk.removed++;
          oldLeft--;
        } else if (line.startsWith(" ")) {
          oldLeft--;
          newLeft--;
        }
        i++;
      }
      hunk.end = i;
      hunks.push(hunk);
      // blank lines between hunks of some tools
      while (i < lines.length && lines[i] === "" && i + 1 < lines.length && HUNK.test(lines[i + 1]!)) i++;
    }
    files.push({ start, headerEnd, end: i, path, hunks });
  }
  return files;
}

function pathOf(line: string): string {
  const git = /^diff --git a\/(.+?) b\/(.+)$/.exec(line);
  if (git) return git[2]!;
  if (line.startsWith("Index: ")) return line.slice(7);
  if (line.startsWith("--- ")) return line.slice(4).replace(/^a\//, "").split("\t")[0]!;
  return line.split(/\s+/).pop() ?? line;
}

/** Changed lines, and the unchanged lines within KEEP_CONTEXT of a change (whole runs when short). */
function bodyLines(lines: readonly string[], f: FileDiff): number[] {
  const out: number[] = [];
  const isChange = (i: number) => /^[+\-\\]/.test(lines[i]!);
  for (const h of f.hunks) {
    let i = h.start + 1;
    while (i < h.end) {
      if (isChange(i)) {
        out.push(i++);
        continue;
      }
      let j = i;
      while (j < h.end && !isChange(j)) j++;
      const head = i > h.start + 1 ? KEEP_CONTEXT : 0; // this run follows a change
      const tail = j < h.end ? KEEP_CONTEXT : 0; // this run precedes a change
      for (let k = i; k < j; k++) if (j - i - head - tail < MIN_TRIMMED_RUN || k < i + head || k >= j - tail) out.push(k);
      i = j;
    }
  }
  return out;
}

/** Query terms in the path or the changed lines count most; a change touching errors or security, a little. */
function relevance(lines: readonly string[], f: FileDiff, queryTerms: ReadonlySet<string>): number {
  let score = 0;
  let important = false;
  const path = f.path.toLowerCase();
  for (const t of queryTerms) if (path.includes(t)) score += 5;
  for (let i = f.headerEnd; i < f.end; i++) {
    const line = lines[i]!;
    if (line[0] !== "+" && line[0] !== "-") continue;
    important ||= IMPORTANT.test(line);
    if (queryTerms.size > 0) {
      const lower = line.toLowerCase();
      for (const t of queryTerms) if (lower.includes(t)) score += 1;
    }
  }
  return score + (important ? 0.5 : 0);
}

function fileChars(lines: readonly string[], f: FileDiff): number {
  let chars = 0;
  for (let i = f.start; i < f.end; i++) chars += lines[i]!.length + 1;
  return chars;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, k) => from + k);
}

function sumChars(lines: readonly string[], kept: Uint8Array): number {
  let chars = 0;
  kept.forEach((k, i) => {
    if (k) chars += lines[i]!.length + 1;
  });
  return chars;
}
