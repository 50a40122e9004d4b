import { bm25Scores, rankByScore } from "../../relevance/bm25.js";
import { exactAnchors } from "../../relevance/terms.js";
import { fillCheapGaps, renderLineSelection, splitLines } from "../lines.js";
import { inTurns } from "../turns.js";
import type { Compressor, CompressionJob, CompressorOutput, ContentSample } from "../types.js";
import { classifyLine, isContinuation, isRunnerLine, LineKind, startsSection } from "./classify.js";
import { splitHeader, withoutTimestamp } from "./header.js";
import { WILDCARD } from "./mask.js";
import { parseLog, type ParsedLog } from "./parse.js";

/**
 * Logs and build/test output. Lines are clustered into templates (shown once each with their
 * count and a sample of their values); then, in order of importance and while the budget lasts,
 * lines are kept verbatim with their line numbers: first and last lines and runner summaries
 * always, failures with their assertion details and stack traces, errors, query matches,
 * warnings, lines of rare templates, one example of every template. Each run of omitted lines
 * becomes a marker counting its lines by template.
 */
const MIN_LINES = 20;
/** This many failure, summary or compiler-diagnostic lines among the first lines make it build or test output. */
const STRONG_DIAGNOSTICS = 3;
const COMPILER_DIAGNOSTIC = /^\S+?:\d+(?::\d+)?: (?:fatal )?(?:error|warning):|^\S+\(\d+,\d+\): (?:error|warning) /;
// CSI sequences (colours, cursor moves) and OSC sequences (hyperlinks, titles)
// eslint-disable-next-line no-control-regex
const ANSI_ESCAPE = /\u001b(?:\[[0-9;?]*[ -\/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\))/g;
/** Stack frames kept with an error before the rest of them wait for the budget. */
const FORCED_FRAMES = 12;
const HEAD_LINES = 2;
const TAIL_LINES = 3;
const FAILURE_BLOCK_LINES = 30;
/** TAP's YAML diagnostics (`  ---` … `  ...`) after a `not ok` may run longer: error, expected, actual, stack. */
const YAML_FAILURE_BLOCK_LINES = 60;
const YAML_BLOCK_START = /^\s*---\s*$/;
const TEMPLATE_TABLE_SHARE = 0.3;
const DETECT_SAMPLE_LINES = 200;
/** Summary and failure lines are kept beyond the budget, up to this many of each. */
const FORCED_CAP = 100;
/** One line of each error template is kept beyond the budget, up to this many templates. */
const FORCED_ERROR_TEMPLATES = 400;
/** Query matches may use this share of the budget on top of it. */
const QUERY_ALLOWANCE = 0.25;
const GAP_MARKER_CHARS = 150;
const SAMPLES = 2;

export const logsCompressor: Compressor = {
  name: "logs",
  contentType: "logs",

  detect(sample: ContentSample): number {
    const lines = firstLines(sample.text, DETECT_SAMPLE_LINES).map(withoutColour);
    if (lines.length < 5) return 0;
    let signals = 0;
    let diagnostics = 0;
    for (const line of lines) {
      if (line.trim() === "" || MARKDOWN_TABLE_ROW.test(line)) continue;
      const kind = classifyLine(line);
      if (kind === LineKind.Failure || kind === LineKind.Summary || COMPILER_DIAGNOSTIC.test(line)) diagnostics++;
      if (splitHeader(line).header !== "" || kind !== LineKind.Plain || isContinuation(line) || isRunnerLine(line)) signals++;
    }
    const ratio = signals / Math.max(1, lines.filter((l) => l.trim() !== "").length);
    // compiler and runner diagnostics say what this is even among quoted source lines and carets
    // (javac's `A.java:12: warning: [rawtypes] …` with the line it points at)
    if (diagnostics >= STRONG_DIAGNOSTICS) return 0.9;
    return ratio >= 0.25 ? Math.min(0.95, 0.5 + ratio * 0.45) : 0;
  },

  compress(job: CompressionJob): CompressorOutput | null {
    // colour codes cost tokens and hide a line's kind: they are removed, and the result says so
    const text = withoutColour(job.sample.text);
    const coloured = text !== job.sample.text;
    const lines = splitLines(text);
    if (lines.length < MIN_LINES) return null;
    if (job.originalTokens <= job.budgetTokens) return { text, omitted: [] };
    const charsPerToken = text.length / Math.max(1, job.originalTokens);
    const parsed = parseLog(lines);
    const totalChars = job.budgetTokens * charsPerToken;
    const tableChars = Math.min(totalChars * TEMPLATE_TABLE_SHARE, templateTable(parsed, lines.length, new Uint8Array(lines.length), Infinity).text.length);
    const { kept, beyondBudget } = chooseLines(lines, parsed, totalChars - tableChars, job.query);
    fillCheapGaps(lines, kept);
    const table = templateTable(parsed, lines.length, kept, tableChars);
    // a line whose template the table does not list is counted as `other` (its marker can still fetch it)
    const categoryOf = (i: number) => (table.listed.has(parsed.clusterOf[i]!) ? `T${parsed.clusterOf[i]! + 1}` : "other");
    const body = renderLineSelection({ lines, kept, hash: job.hash, numbered: true, categoryOf });
    // the query's lines came on top of what the result keeps without it: say so
    const notes: string[] = [];
    if (beyondBudget > 0) notes.push(`[headroom: the query's matches took the budget past its limit (${beyondBudget} lines kept for it)]`);
    if (coloured) notes.push("[headroom: colour codes removed; the original keeps them]");
    const output = () => `${table.text}${notes.map((n) => `\n${n}`).join("")}\n${body.text}`;
    let result = output();
    // failures, errors and summaries are kept whatever they cost: say when that passed the budget
    if (job.countTokens(result) > job.budgetTokens * 1.1) {
      notes.unshift(`[headroom: every failure, error and summary is kept, which took the result past the ${job.budgetTokens}-token budget]`);
      result = output();
    }
    return { text: result, omitted: body.omitted };
  },
};

/** `| file | what it is |`: a table in prose, not a code frame (`  4 | x`) of a compiler error. */
const MARKDOWN_TABLE_ROW = /^\s*\|.*\|\s*$/;

function withoutColour(text: string): string {
  return text.includes("\u001b") ? text.replace(ANSI_ESCAPE, "") : text;
}

function firstLines(text: string, count: number): string[] {
  const out: string[] = [];
  let at = 0;
  while (out.length < count && at <= text.length) {
    const next = text.indexOf("\n", at);
    out.push(text.slice(at, next === -1 ? text.length : next));
    if (next === -1) break;
    at = next + 1;
  }
  return out;
}

/**
 * `T3 ×1221  PacketResponder <*> for block <*> terminating  (e.g. 1 | 3886…; 0 | 6952…)`, most frequent
 * first, for the templates that repeat and have omitted lines (the others are all there to read,
 * and a template of one line says no more than its marker's `other`).
 */
function templateTable(parsed: ParsedLog, lineCount: number, kept: Uint8Array, maxChars: number): { text: string; listed: Set<number> } {
  // up to two different samples of each template's values
  const samples = new Map<number, string[]>();
  const hasOmitted = new Set<number>();
  parsed.clusterOf.forEach((c, i) => {
    if (!kept[i]) hasOmitted.add(c);
    const list = samples.get(c) ?? [];
    if (list.length < SAMPLES) {
      const sample = abbreviate(variablesOf(parsed, i).join(" | "));
      if (sample !== "" && !list.includes(sample)) list.push(sample);
      samples.set(c, list);
    }
  });
  const order = [...hasOmitted].filter((id) => parsed.clusters[id]!.size > 1).sort((a, b) => parsed.clusters[b]!.size - parsed.clusters[a]!.size || a - b);
  const rows: string[] = [];
  let used = 0;
  let shown = 0;
  for (const id of order) {
    const cluster = parsed.clusters[id]!;
    const list = samples.get(id) ?? [];
    const example = list.length === 0 ? "" : `  (e.g. ${list.join("; ")})`;
    const pattern = cluster.template.length === 0 ? "(blank lines)" : cluster.template.join(" ");
    const row = `  T${id + 1} ×${cluster.size}  ${pattern}${example}`;
    if (shown > 0 && used + row.length > maxChars) break;
    rows.push(row);
    used += row.length + 1;
    shown++;
  }
  const hiddenLines = order.slice(shown).reduce((sum, id) => sum + parsed.clusters[id]!.size, 0);
  const more = shown < order.length ? `\n  … ${order.length - shown} rarer templates (${hiddenLines} lines)` : "";
  const text = `[headroom: ${lineCount} log lines in ${parsed.clusters.length} templates; lines kept verbatim are numbered, runs of others are counted by template]\n${rows.join("\n")}${more}`;
  return { text, listed: new Set(order.slice(0, shown)) };
}

/**
 * What line `i` has where its template has `<*>`: the line's own token there, as it was written
 * (`test_square[0]`, not the `0` masked inside it).
 */
function variablesOf(parsed: ParsedLog, i: number): string[] {
  const template = parsed.clusters[parsed.clusterOf[i]!]!.template;
  const tokens = parsed.tokens[i]!;
  const values = parsed.values[i]!;
  const out: string[] = [];
  let next = 0;
  tokens.forEach((token, p) => {
    const parts: string[] = [];
    const original = token.includes(WILDCARD)
      ? token.split(WILDCARD).reduce((text, piece, k) => {
          if (k === 0) return piece;
          const value = values[next++] ?? WILDCARD;
          parts.push(value);
          return `${text}${value}${piece}`;
        }, "")
      : token;
    // a whole variable: the token as written; a variable inside a constant (`blk_<*>`): its values
    if (template[p] === WILDCARD) out.push(original);
    else if (template[p]!.includes(WILDCARD)) out.push(...parts);
  });
  return out;
}

function abbreviate(sample: string): string {
  return sample.length > 48 ? `${sample.slice(0, 45)}…` : sample;
}

function chooseLines(lines: readonly string[], parsed: ParsedLog, budgetChars: number, query: string | undefined): { kept: Uint8Array; beyondBudget: number } {
  let beyondBudget = 0;
  const n = lines.length;
  const kept = new Uint8Array(n);
  const gutter = String(n).length + 2;
  let used = 0;
  // a line away from other kept lines also costs the marker that its new gap needs
  const cost = (i: number) => lines[i]!.length + gutter + 1 + (kept[i - 1] || kept[i + 1] ? 0 : GAP_MARKER_CHARS);
  const keep = (i: number, force: boolean): boolean => {
    if (i < 0 || i >= n) return false;
    if (kept[i]) return true;
    if (!force && used + cost(i) > budgetChars) return false;
    kept[i] = 1;
    used += cost(i);
    return true;
  };
  const keepBlock = (from: number, to: number, force: boolean) => {
    for (let j = Math.max(0, from); j <= Math.min(n - 1, to); j++) if (!keep(j, force)) return;
  };

  const kinds = lines.map(classifyLine);
  // Test and build output is read for its failures, errors and summaries; its passing tests and
  // progress lines are what the template table counts. Such output is not filled up to the budget
  // with examples of routine templates, and its failures keep their whole block.
  const runnerOutput = isRunnerOutput(lines, kinds);
  for (let i = 0; i < Math.min(HEAD_LINES, n); i++) keep(i, true);
  for (let i = Math.max(0, n - TAIL_LINES); i < n; i++) keep(i, true);
  const summaries = kinds.flatMap((kind, i) => (kind === LineKind.Summary ? [i] : []));
  summaries.forEach((i, k) => keep(i, k < FORCED_CAP));

  // failures with the lines that explain them (assertion diff, code frame, stack trace)
  const failures = kinds.flatMap((kind, i) => (kind === LineKind.Failure ? [i] : []));
  // a runner that prints each failure twice (inline and again at the end) shows its block once:
  // the same failure line followed by the same first line of detail is the same failure
  const blocksShown = new Set<string>();
  for (const [k, i] of roundRobinByTemplate(failures, parsed, lines).entries()) {
    if (!keep(i, k < FORCED_CAP)) continue;
    const end = failureBlockEnd(lines, kinds, i, YAML_BLOCK_START.test(lines[i + 1] ?? "") ? YAML_FAILURE_BLOCK_LINES : FAILURE_BLOCK_LINES);
    const head = lines.slice(i, Math.min(end, i + 2) + 1).map((l) => l.trim()).join("\n");
    const force = runnerOutput && k < FORCED_CAP && !blocksShown.has(head);
    blocksShown.add(head);
    // the line before explains a failure (`In function 'f':`), unless it is the line of another test
    if (!startsSection(lines[i - 1] ?? "")) keep(i - 1, force);
    keepBlock(i + 1, end, force);
  }

  // every error template at least once, with the count of its lines in the table
  const errors = kinds.flatMap((kind, i) => (kind === LineKind.Error ? [i] : []));
  const templatesShown = new Set<number>();
  for (const i of errors) {
    const template = parsed.clusterOf[i]!;
    if (templatesShown.has(template) || templatesShown.size >= FORCED_ERROR_TEMPLATES) continue;
    templatesShown.add(template);
    if (!keep(i, true)) continue;
    // the first frames are forced in test and build output; the rest wait for the budget
    const frames = continuationEnd(lines, i);
    keepBlock(i + 1, Math.min(frames, i + FORCED_FRAMES), runnerOutput);
    keepBlock(i + 1, frames, false);
  }
  // then every error that says something other than the rest (not only other ids or numbers),
  // then the others, new messages first, while the budget lasts
  const distinctWording = firstOfEachWording(errors, parsed);
  for (const i of errors) if (distinctWording.has(i) && keep(i, false)) keepBlock(i + 1, continuationEnd(lines, i), false);
  for (const i of roundRobinByTemplate(errors, parsed, lines)) {
    if (keep(i, false)) keepBlock(i + 1, continuationEnd(lines, i), false);
  }

  // A query only adds: everything kept so far is what the result keeps without one. Its matches
  // come next, from what the budget has left plus a small allowance of their own.
  if (query?.trim()) {
    const base = budgetChars;
    const usedBefore = used;
    const keptBefore = kept.reduce((sum, k) => sum + k, 0);
    budgetChars = Math.max(base, used) + base * QUERY_ALLOWANCE;
    const anchors = exactAnchors(query);
    let anchored = 0;
    lines.forEach((line, i) => {
      const lower = line.toLowerCase();
      if (anchors.some((a) => lower.includes(a))) {
        anchored++;
        keep(i, false);
      }
    });
    // a query that names something exact and found it wants those lines, not every line that
    // shares a word with it (`test_square[137]` is not `test_square[0]`…`[38]`)
    if (anchored === 0) for (const i of rankByScore(bm25Scores(lines, query)).slice(0, 200)) keep(i, false);
    if (used > Math.max(base, usedBefore)) beyondBudget = kept.reduce((sum, k) => sum + k, 0) - keptBefore;
    budgetChars = base;
  }

  const warnings = kinds.flatMap((kind, i) => (kind === LineKind.Warning ? [i] : []));
  if (runnerOutput) {
    // one warning of each template, with its context; the table counts the rest
    const shown = new Set<number>();
    for (const i of warnings) {
      if (shown.has(parsed.clusterOf[i]!)) continue;
      shown.add(parsed.clusterOf[i]!);
      if (keep(i, false)) keepBlock(i + 1, continuationEnd(lines, i), false);
    }
    return { kept, beyondBudget };
  }
  for (const i of roundRobinByTemplate(warnings, parsed, lines)) keep(i, false);

  // rare templates are anomalies in themselves; then one example of every template
  const firstOfTemplate = new Map<number, number>();
  parsed.clusterOf.forEach((c, i) => {
    if (!firstOfTemplate.has(c)) firstOfTemplate.set(c, i);
  });
  const bySize = [...firstOfTemplate].sort((a, b) => parsed.clusters[a[0]]!.size - parsed.clusters[b[0]]!.size || a[1] - b[1]);
  for (const [, i] of bySize) keep(i, false);

  // a line of context either side of kept errors, while room is left
  for (const i of errors) {
    if (!kept[i]) continue;
    keep(i - 1, false);
    keep(i + 1, false);
  }
  return { kept, beyondBudget };
}

/** Output of a test runner or build: it has a runner summary, or a fifth of its lines are runner lines. */
function isRunnerOutput(lines: readonly string[], kinds: readonly LineKind[]): boolean {
  if (kinds.includes(LineKind.Summary)) return true;
  let runnerLines = 0;
  for (const line of lines) if (isRunnerLine(line)) runnerLines++;
  return runnerLines * 5 >= lines.length;
}

/** A failure block runs until a blank-line pair, a new section, or `limit` lines. */
function failureBlockEnd(lines: readonly string[], kinds: readonly LineKind[], start: number, limit = FAILURE_BLOCK_LINES): number {
  let end = start;
  let blanks = 0;
  for (let j = start + 1; j < Math.min(lines.length, start + limit); j++) {
    const line = lines[j]!;
    if (line.trim() === "") {
      if (++blanks >= 2) break;
      continue;
    }
    if (kinds[j] === LineKind.Summary || (startsSection(line) && kinds[j] !== LineKind.Failure)) break;
    blanks = 0;
    end = j;
  }
  return end;
}

/** Stack frames and code frames directly after an error line. */
function continuationEnd(lines: readonly string[], start: number): number {
  let end = start;
  for (let j = start + 1; j < Math.min(lines.length, start + FAILURE_BLOCK_LINES) && isContinuation(lines[j]!); j++) end = j;
  return end;
}

/**
 * Variety before volume: in turns across templates, and within a template, lines with a message
 * not seen yet before repeats of the same message.
 */
function roundRobinByTemplate(indices: readonly number[], parsed: ParsedLog, lines: readonly string[]): number[] {
  const novel = firstOfEachMessage(indices, lines);
  const ordered = [...indices.filter((i) => novel.has(i)), ...indices.filter((i) => !novel.has(i))];
  return inTurns(ordered, (i) => parsed.clusterOf[i]!);
}

/** The first line of each wording among `indices`: the message with its numbers, ids and paths masked (as parsing masked it). */
function firstOfEachWording(indices: readonly number[], parsed: ParsedLog): Set<number> {
  const seen = new Set<string>();
  const first = new Set<number>();
  for (const i of indices) {
    const key = parsed.tokens[i]!.join(" ");
    if (!seen.has(key)) {
      seen.add(key);
      first.add(i);
    }
  }
  return first;
}

/** The first line of each distinct message (the same line but for its timestamp) among `indices`. */
function firstOfEachMessage(indices: readonly number[], lines: readonly string[]): Set<number> {
  const seen = new Set<string>();
  const first = new Set<number>();
  for (const i of indices) {
    const key = withoutTimestamp(lines[i]!);
    if (!seen.has(key)) {
      seen.add(key);
      first.add(i);
    }
  }
  return first;
}
