import type { Node, Tree } from "web-tree-sitter";
import { INLINE_MARKER_PATTERN, omissionMarker, outlineHeader } from "../../ccr/marker.js";
import { splitLines } from "../lines.js";
import type { Compressor, CompressionJob, CompressorOutput, ContentSample, Declined, OmissionRecord, SymbolLookup } from "../types.js";
import { GrammarLoader } from "./grammars.js";
import { languageById, languageFromHint, languagesFromContent, type LanguageSpec } from "./languages.js";
import { planOutline, type CodeSymbol, type Elision } from "./outline.js";

/**
 * Source code: parsed with tree-sitter (WASM), shown as an outline — imports, declarations,
 * signatures, decorators, first lines of doc comments, constants — with function bodies elided
 * behind markers that name the symbol and its lines. `headroom_retrieve` with the symbol's name
 * returns its exact text. Language from a path in the hint, else from the content; a parse with
 * errors, or an unknown language, falls back to the text compressor.
 */
const MAX_ERROR_SHARE = 0.02;
/** How far above a definition a `name@line` may point and still mean it (its doc comment). */
const DOC_COMMENT_REACH = 40;
/** `   12→code`, `12: code`, `12\tcode`, `  12 | code` (cat -n, read_file tools, editors). */
const LINE_NUMBER = /^\s*\d+(?:→|\t|: | \| ?)/;

export function createCodeCompressor(loader = new GrammarLoader()): Compressor {
  /** The tree, or the share of the text in syntax errors when that is too much to trust. */
  const parse = async (text: string, language: LanguageSpec): Promise<{ tree: Tree } | { errors: number }> => {
    const parser = await loader.parser(language);
    const tree = parser.parse(text) ?? undefined;
    if (!tree) return { errors: 1 };
    const errors = errorShare(tree.rootNode, text);
    if (errors > MAX_ERROR_SHARE) {
      tree.delete();
      return { errors };
    }
    return { tree };
  };

  return {
    name: "code",
    contentType: "code",

    detect(sample: ContentSample): number {
      if (languageFromHint(sample.toolName)) return 0.9;
      const votes = languagesFromContent(stripLineNumbers(splitLines(sample.text.slice(0, 20_000)).slice(0, 150)).lines);
      return votes.length === 0 ? 0 : Math.min(0.85, 0.45 + 0.03 * votes[0]!.hits);
    },

    async compress(job: CompressionJob): Promise<CompressorOutput | Declined> {
      const original = splitLines(job.sample.text);
      const { lines, numbered } = stripLineNumbers(original);
      const code = lines.join("\n");
      const failures: string[] = [];
      for (const language of candidates(job.sample.toolName, lines)) {
        const parsed = await parse(code, language);
        if ("errors" in parsed) {
          failures.push(`${language.id} (${(parsed.errors * 100).toFixed(1)}% of the text in syntax errors)`);
          continue;
        }
        const plan = planOutline(parsed.tree.rootNode);
        parsed.tree.delete();
        if (plan.elisions.length === 0) return { text: job.sample.text, omitted: [], language: language.id };
        return { ...render(original, plan.elisions, job.hash, numbered, language.id), language: language.id };
      }
      // a truncated or mixed file: say which grammars were tried, so the route explains the fallback
      return { declined: failures.length > 0 ? `no grammar parsed it cleanly: ${failures.join(", ")}` : "no language was recognised" };
    },

    async lookup(original: string, query: string, languageId: string | undefined): Promise<SymbolLookup | undefined> {
      const language = languageId ? languageById(languageId) : undefined;
      if (!language) return undefined;
      const lines = splitLines(original);
      const parsed = await parse(stripLineNumbers(lines).lines.join("\n"), language);
      if ("errors" in parsed) return undefined;
      const { symbols } = planOutline(parsed.tree.rootNode);
      parsed.tree.delete();
      // `name@line` picks one of several symbols with that name (overloads, accessors): the one
      // that starts on that line, else the innermost one that holds it
      const at = /^(.+)@(\d+)$/.exec(query.trim());
      const asked = at ? at[1]! : query.trim();
      const line = at ? Number(at[2]) : undefined;
      const normal = (name: string) => name.replace(/::|#/g, ".");
      const atLine = (list: CodeSymbol[]): CodeSymbol[] => {
        if (line === undefined) return list;
        const starting = list.filter((s) => s.startRow + 1 === line);
        if (starting.length > 0) return starting;
        const holding = list.filter((s) => s.startRow + 1 <= line && line <= s.endRow + 1).sort((a, b) => a.endRow - a.startRow - (b.endRow - b.startRow));
        if (holding.length > 0) return holding.slice(0, 1);
        // a line of the doc comment just above a definition names that definition
        const below = list.filter((s) => s.startRow + 1 > line && s.startRow + 1 - line <= DOC_COMMENT_REACH).sort((a, b) => a.startRow - b.startRow);
        return below.slice(0, 1);
      };
      const exact = atLine(symbols.filter((s) => s.name === asked || normal(s.name) === normal(asked)));
      // a query that is neither a symbol's exact name nor shaped like one is a text search
      if (exact.length === 0 && !/^[\w$.:#~<>!?-]+$/.test(asked)) return undefined;
      const found = exact.length > 0 ? exact : atLine(symbols.filter((s) => normal(s.name).endsWith(`.${normal(asked)}`)));
      return {
        matches: found.map((s) => ({ name: s.name, startLine: s.startRow + 1, endLine: s.endRow + 1, text: lines.slice(s.startRow, s.endRow + 1).join("\n") })),
        symbols: symbols.map(describe),
      };
    },
  };
}

function describe(symbol: CodeSymbol): string {
  return `${symbol.name} (${symbol.kind}, lines ${symbol.startRow + 1}-${symbol.endRow + 1})`;
}

/** The hinted language alone, else the content's best guesses (TypeScript also tried as TSX). */
function candidates(hint: string | undefined, lines: readonly string[]): LanguageSpec[] {
  const hinted = languageFromHint(hint);
  if (hinted) return [hinted];
  const guesses = languagesFromContent(lines).slice(0, 3).map((v) => v.language);
  // JavaScript, TypeScript and TSX look alike line by line: the parse decides
  const family = guesses[0]?.id === "javascript" ? ["javascript", "typescript", "tsx"] : guesses[0]?.id === "typescript" ? ["typescript", "tsx", "javascript"] : [];
  const ordered = [...family.map((id) => languageById(id)!), ...guesses];
  return ordered.filter((l, i) => ordered.indexOf(l) === i);
}

function stripLineNumbers(lines: readonly string[]): { lines: string[]; numbered: boolean } {
  const sample = lines.slice(0, 50).filter((l) => l.trim() !== "");
  const numbered = sample.length >= 3 && sample.filter((l) => LINE_NUMBER.test(l)).length >= sample.length * 0.8;
  return { lines: numbered ? lines.map((l) => l.replace(LINE_NUMBER, "")) : [...lines], numbered };
}

/** Share of the text inside ERROR or MISSING nodes. */
function errorShare(root: Node, text: string): number {
  if (!root.hasError) return 0;
  let chars = 0;
  let coveredTo = -1;
  // an ERROR node inside another is text already counted
  for (const node of root.descendantsOfType("ERROR")) {
    if (!node || node.endIndex <= coveredTo) continue;
    chars += node.endIndex - Math.max(node.startIndex, coveredTo);
    coveredTo = node.endIndex;
  }
  return Math.max(chars, 1) / Math.max(1, text.length);
}

function render(
  lines: readonly string[],
  elisions: ReadonlyArray<Elision>,
  hash: string,
  numbered: boolean,
  language: string,
): { text: string; omitted: OmissionRecord[] } {
  const out: string[] = [];
  const omitted: OmissionRecord[] = [];
  let row = 0;
  let elided = 0;
  const textOf = (row: number) => (numbered ? lines[row]!.replace(LINE_NUMBER, "") : lines[row]!);
  for (const e of elisions) {
    if (e.startRow < row) continue;
    for (; row < e.startRow; row++) out.push(lines[row]!);
    const count = e.endRow - e.startRow + 1;
    // indented like the first elided line that has text (a blank first line has no indentation)
    let first = e.startRow;
    while (first < e.endRow && textOf(first).trim() === "") first++;
    const indent = /^\s*/.exec(textOf(first))![0];
    omitted.push({ where: e.label, unit: "lines", omitted: count, total: e.unitRows, categories: {} });
    // at the end of the signature or comment line above, which says what this is (the header
    // carries the hash); on a line of its own under a blank line or another marker
    const marker = omissionMarker({ hash, unit: "lines", omitted: count, total: e.unitRows, lines: [e.startRow + 1, e.endRow + 1], documents: e.documents });
    const above = out.length > 0 ? out[out.length - 1]! : "";
    // a numbered blank line (`    12→`) is blank too
    const aboveText = numbered ? above.replace(LINE_NUMBER, "") : above;
    if (aboveText.trim() !== "" && !INLINE_MARKER_PATTERN.test(above)) out[out.length - 1] = `${above} ${marker}`;
    else out.push(indent + marker);
    elided += count;
    row = e.endRow + 1;
  }
  for (; row < lines.length; row++) out.push(lines[row]!);
  return { text: `${outlineHeader({ hash, language, lines: lines.length, elided })}\n${out.join("\n")}`, omitted };
}
