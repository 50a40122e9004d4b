import { omissionMarker } from "../ccr/marker.js";
import { bm25Scores } from "../relevance/bm25.js";
import { exactAnchors } from "../relevance/terms.js";
import { splitLines } from "./lines.js";
import { inTurns } from "./turns.js";
import type { Compressor, CompressionJob, CompressorOutput, ContentSample, OmissionRecord } from "./types.js";

/**
 * Search results: `grep -rn`, `rg -n`, `git grep -n`, with `--column`, with `-A/-B/-C` context
 * lines (`path-12-text`, `--` separators) or `rg --heading` groups. Matches are grouped by file;
 * every file keeps its best match, then the most relevant matches (query, exact ids, error words,
 * definitions) are added in turns across files while the budget lasts, with a little context.
 * Lines are kept verbatim; each file says how many of its matches were left out.
 *
 * A path is taken from match lines (`path:12:`) only, and context lines are recognised by a known
 * path followed by `-12-`, so `logs/2026-11-20.log` or `C:\src\a.ts` stay one path.
 */
/**
 * `path:12:` or `path:12:3:`; a path has no spaces and has a letter, a dot or a slash (not
 * `10:00:05`), and does not end in an ISO date and hour (not `2026-11-20T10:00:05`).
 */
const MATCH = /^(?=[^:\s]*[A-Za-z./\\])(\S+?)(?<!\d-\d\d[T_]\d\d):(\d+):(?:(\d+):)?/;
const CONTEXT = /^(?=[^\s]*[A-Za-z./\\])\S+?-\d+-/;
const HEADING_LINE = /^(\d+)([:-])/;
const ERROR_WORDS = /\b(?:error|errors|exception|fail|failed|failure|fatal|panic|todo|fixme|bug|deprecated)\b/i;
const DEFINITION = /\b(?:function|class|interface|type|def|fn|func|struct|enum|trait|impl|const|let|var|export)\s+[A-Za-z_$]/;
const DETECT_LINES = 100;
const CONTEXT_RADIUS = 1;
const FILE_NOTE_CHARS = 32;

interface Entry {
  index: number;
  line: number;
  isMatch: boolean;
}

interface FileGroup {
  path: string;
  entries: Entry[];
  /** The `rg --heading` line naming the file, if the results are grouped that way. */
  headingIndex?: number;
}

export const searchCompressor: Compressor = {
  name: "search",
  contentType: "search",

  detect(sample: ContentSample): number {
    const lines = splitLines(sample.text.slice(0, 20_000)).slice(0, DETECT_LINES).filter((l) => l.trim() !== "" && l !== "--");
    if (lines.length < 3) return 0;
    const matches = lines.filter((l) => MATCH.test(l)).length;
    const context = lines.filter((l) => !MATCH.test(l) && CONTEXT.test(l)).length;
    const ratio = (matches + context) / lines.length;
    return ratio >= 0.5 && matches >= lines.length * 0.15 ? Math.min(0.97, 0.6 + ratio * 0.37) : 0;
  },

  compress(job: CompressionJob): CompressorOutput | null {
    const text = job.sample.text;
    const lines = splitLines(text);
    const { files, other } = parseResults(lines);
    if (files.length === 0) return null;
    if (job.originalTokens <= job.budgetTokens) return { text, omitted: [] };
    const budgetChars = (job.budgetTokens * text.length) / Math.max(1, job.originalTokens);

    const scores = scoreLines(lines, job.query);
    const kept = new Uint8Array(lines.length);
    let used = 0;
    const fileOf = new Int32Array(lines.length).fill(-1);
    files.forEach((f, k) => f.entries.forEach((e) => (fileOf[e.index] = k)));
    const fileShown = new Uint8Array(files.length);
    const keep = (i: number, force: boolean) => {
      if (kept[i]) return true;
      // the first line shown of a file also brings its `[+N more matches in this file]` note
      const cost = lines[i]!.length + 1 + (fileOf[i]! >= 0 && !fileShown[fileOf[i]!] ? FILE_NOTE_CHARS : 0);
      if (!force && used + cost > budgetChars) return false;
      kept[i] = 1;
      used += cost;
      if (fileOf[i]! >= 0) fileShown[fileOf[i]!] = 1;
      return true;
    };

    // each file's matches, best first (ties: earlier first)
    const ranked = files.map((f) => f.entries.filter((e) => e.isMatch).sort((a, b) => scores[b.index]! - scores[a.index]! || a.index - b.index));
    const fileOrder = files.map((_, k) => k).sort((a, b) => scores[ranked[b]![0]!.index]! - scores[ranked[a]![0]!.index]! || a - b);
    // exact query anchors always; then matches relevant to the query, in turns across files;
    // then every file's best match; then more, in turns, while the budget lasts
    const exact = lines.flatMap((_, i) => (scores[i]! >= EXACT ? [i] : []));
    // an "id" that many lines contain (a path, say) identifies nothing: those compete like the rest
    for (const i of exact) keep(i, exact.length <= Math.max(MAX_IDENTIFIED, lines.length * 0.05));
    const byFileThenRank = fileOrder.flatMap((k) => ranked[k]!.map((entry) => ({ k, entry })));
    const takeInTurns = (pick: (e: Entry) => boolean) => {
      for (const { entry } of inTurns(byFileThenRank.filter(({ entry }) => pick(entry)), ({ k }) => k)) {
        if (used >= budgetChars) break;
        keep(entry.index, false);
      }
    };
    if (job.query?.trim()) takeInTurns((e) => scores[e.index]! >= QUERY_RELEVANT);
    takeInTurns(() => true);
    // a line of context around kept matches, while room is left
    for (const group of files) {
      group.entries.forEach((e, k) => {
        if (!kept[e.index] || !e.isMatch) return;
        for (let d = 1; d <= CONTEXT_RADIUS; d++) {
          for (const n of [group.entries[k - d], group.entries[k + d]]) if (n && !n.isMatch && Math.abs(n.line - e.line) <= d) keep(n.index, false);
        }
      });
    }
    for (const i of other) keep(i, false);
    for (const f of files) if (f.headingIndex !== undefined && f.entries.some((e) => kept[e.index])) kept[f.headingIndex] = 1;
    return render(lines, files, other, kept, job.hash);
  },
};

function parseResults(lines: readonly string[]): { files: FileGroup[]; other: number[] } {
  const byPath = new Map<string, FileGroup>();
  const files: FileGroup[] = [];
  const other: number[] = [];
  const group = (path: string) => {
    let g = byPath.get(path);
    if (!g) {
      g = { path, entries: [] };
      byPath.set(path, g);
      files.push(g);
    }
    return g;
  };
  // pass 1: paths from match lines
  const known: string[] = [];
  for (const line of lines) {
    const m = MATCH.exec(line);
    if (m && !byPath.has(m[1]!)) {
      group(m[1]!);
      known.push(m[1]!);
    }
  }
  known.sort((a, b) => b.length - a.length);
  let heading: FileGroup | undefined;
  lines.forEach((line, index) => {
    if (line === "--" || line.trim() === "") return;
    const m = MATCH.exec(line);
    if (m && byPath.has(m[1]!)) {
      group(m[1]!).entries.push({ index, line: Number(m[2]), isMatch: true });
      return;
    }
    const contextPath = known.find((p) => line.startsWith(`${p}-`) && /^-\d+-/.test(line.slice(p.length)));
    if (contextPath) {
      group(contextPath).entries.push({ index, line: Number(/^-(\d+)-/.exec(line.slice(contextPath.length))![1]), isMatch: false });
      return;
    }
    const h = HEADING_LINE.exec(line);
    if (h && heading) {
      heading.entries.push({ index, line: Number(h[1]), isMatch: h[2] === ":" });
      return;
    }
    if (HEADING_LINE.test(lines[index + 1] ?? "")) {
      heading = group(line); // rg --heading: a path alone on its line, then `12:text` lines
      heading.headingIndex = index;
      return;
    }
    other.push(index);
  });
  return { files: files.filter((f) => f.entries.some((e) => e.isMatch)), other };
}

const EXACT = 100;
const QUERY_RELEVANT = 10;
const MAX_IDENTIFIED = 20;

function scoreLines(lines: readonly string[], query: string | undefined): Float64Array {
  const scores = new Float64Array(lines.length);
  lines.forEach((line, i) => {
    if (ERROR_WORDS.test(line)) scores[i]! += 1;
    if (DEFINITION.test(line)) scores[i]! += 0.5;
  });
  if (query?.trim()) {
    const bm25 = bm25Scores(lines, query);
    let max = 0;
    for (const s of bm25) if (s > max) max = s;
    if (max > 0) bm25.forEach((s, i) => s > 0 && (scores[i]! += QUERY_RELEVANT + (3 * s) / max));
    const anchors = exactAnchors(query);
    lines.forEach((line, i) => {
      const lower = line.toLowerCase();
      if (anchors.some((a) => lower.includes(a))) scores[i]! += EXACT;
    });
  }
  return scores;
}

/**
 * Kept lines in their original order. Under a file with omitted matches, a short note says how
 * many; one marker at the end gives the totals per file and the handle.
 */
function render(lines: readonly string[], files: readonly FileGroup[], other: readonly number[], kept: Uint8Array, hash: string): CompressorOutput {
  const out: string[] = [];
  const noteAfter = new Map<number, string>();
  const perFile: Array<[string, number]> = [];
  let totalMatches = 0;
  let filesWithoutLines = 0;
  for (const f of files) {
    const matches = f.entries.filter((e) => e.isMatch);
    totalMatches += matches.length;
    const missing = matches.filter((e) => !kept[e.index]).length;
    if (missing === 0) continue;
    perFile.push([f.path, missing]);
    const last = [...f.entries].reverse().find((e) => kept[e.index]);
    if (last) noteAfter.set(last.index, `[+${missing} more ${missing === 1 ? "match" : "matches"} in this file]`);
    else filesWithoutLines++;
  }
  let previousKept = -2;
  for (let i = 0; i < lines.length; i++) {
    if (!kept[i]) continue;
    if (previousKept >= 0 && i > previousKept + 1 && lines[i - 1] === "--") out.push("--");
    out.push(lines[i]!);
    const note = noteAfter.get(i);
    if (note) out.push(note);
    previousKept = i;
  }
  const omitted: OmissionRecord[] = [];
  const omittedMatches = perFile.reduce((sum, [, n]) => sum + n, 0);
  if (omittedMatches > 0) {
    const categories = [...perFile].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const where = filesWithoutLines > 0 ? `${perFile.length} files, ${filesWithoutLines} of them not shown at all` : `${perFile.length} files`;
    omitted.push({ where, unit: "matches", omitted: omittedMatches, total: totalMatches, categories: Object.fromEntries(categories) });
    out.push(omissionMarker({ hash, unit: "matches", omitted: omittedMatches, total: totalMatches, where, categories }));
  }
  const otherOmitted = other.filter((i) => !kept[i]).length;
  if (otherOmitted > 0) {
    omitted.push({ where: "lines that are not matches", unit: "lines", omitted: otherOmitted, total: other.length, categories: {} });
    out.push(omissionMarker({ hash, unit: "lines", omitted: otherOmitted, total: other.length, where: "lines that are not matches" }));
  }
  return { text: out.join("\n"), omitted };
}
