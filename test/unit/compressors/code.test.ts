import { createHash } from "node:crypto";
import { INLINE_MARKER_PATTERN } from "../../../src/ccr/marker.js";
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { createCodeCompressor } from "../../../src/compressors/code/index.js";
import { grammarsDir, GrammarLoader } from "../../../src/compressors/code/grammars.js";
import { languageById, languageFromHint, LANGUAGES } from "../../../src/compressors/code/languages.js";
import { splitLines } from "../../../src/compressors/lines.js";
import type { Compressor } from "../../../src/compressors/types.js";
import type { Engine } from "../../../src/engine/engine.js";
import { createSample } from "../../../src/router/sample.js";
import type { TokenCounter } from "../../../src/tokens/counter.js";
import { fixture } from "../../helpers/data.js";
import { memoryEngine } from "../../helpers/engine.js";
import { loadedCounter } from "../../helpers/tokens.js";

let tokens: TokenCounter;
let engine: Engine;
let code: Compressor;
beforeAll(async () => {
  tokens = await loadedCounter();
  engine = (await memoryEngine(tokens)).engine;
  code = createCodeCompressor();
});

/** One real-looking file per language; see fixtures/README.md for where each comes from. */
const FILES: Array<[file: string, language: string]> = [
  ["shlex.py", "python"],
  ["keyv-index.js", "javascript"],
  ["zod-util.ts", "typescript"],
  ["UserTable.tsx", "tsx"],
  ["ratelimit.go", "go"],
  ["rust-error-codes.rs", "rust"],
  ["InvoiceService.java", "java"],
  ["ringbuf.c", "c"],
  ["sqlite3-statement.cc", "cpp"],
  ["Find-VisualStudio.cs", "csharp"],
  ["order_importer.rb", "ruby"],
  ["datastore-entity.php", "php"],
  ["deploy.sh", "bash"],
];

const MARKER = INLINE_MARKER_PATTERN;

describe("grammars", () => {
  it("are pinned in the manifest, intact, and load with the web-tree-sitter we ship", async () => {
    const manifest = JSON.parse(readFileSync(`${grammarsDir()}manifest.json`, "utf8")) as {
      webTreeSitter: string;
      grammars: Array<{ language: string; file: string; sha256: string; version: string }>;
    };
    const shipped = (JSON.parse(readFileSync(new URL("../../../node_modules/web-tree-sitter/package.json", import.meta.url), "utf8")) as { version: string }).version;
    expect(manifest.webTreeSitter).toBe(shipped);
    expect(manifest.grammars.map((g) => g.language).sort()).toEqual(LANGUAGES.map((l) => l.id).sort());
    const loader = new GrammarLoader();
    for (const g of manifest.grammars) {
      const bytes = readFileSync(`${grammarsDir()}${g.file}`);
      expect(createHash("sha256").update(bytes).digest("hex"), g.file).toBe(g.sha256);
      const parser = await loader.parser(languageById(g.language)!);
      expect(parser.parse("x")).toBeTruthy();
    }
  });

  it("picks a language from a path in the tool name", () => {
    expect(languageFromHint("read_file src/app/main.go")?.id).toBe("go");
    expect(languageFromHint("Read(components/Table.tsx)")?.id).toBe("tsx");
    expect(languageFromHint("kubectl")).toBeUndefined();
  });
});

describe.each(FILES)("code outline of %s", (file, language) => {
  const text = () => fixture(`code/${file}`);

  it(`is detected as ${language}, keeps every signature verbatim and elides bodies`, async () => {
    for (const hint of [file, undefined]) {
      const out = await code.compress({ sample: createSample(text(), hint), hash: "0".repeat(24), budgetTokens: 1000, originalTokens: tokens.measure(text()).tokens, countTokens: (s) => tokens.measure(s).tokens });
      expect(out?.language, `hint ${hint}`).toBe(language);
      expect(out!.omitted.length).toBeGreaterThan(0);
    }
    const result = await engine.compress({ content: text(), toolName: `read_file ${file}` });
    expect(result.content_type).toBe("code");
    const lookup = await code.lookup!(text(), "no_such_symbol_anywhere", language);
    const lines = splitLines(text());
    // kept lines as they were, once a marker at their end is taken off
    const outline = new Set(result.compressed.split("\n").map((l) => l.replace(MARKER, "").replace(/ …$/, "")));
    const topLevel = lookup!.symbols.map((s) => /\(\w+, lines (\d+)-(\d+)\)$/.exec(s)!).map((m) => Number(m[1]));
    expect(topLevel.length).toBeGreaterThan(0);
    // every symbol's first line (its signature, decorator or export) is in the outline as it was
    for (const start of topLevel) expect(outline.has(lines[start - 1]!), `line ${start}: ${lines[start - 1]}`).toBe(true);
  });

  it("gives back every elided body exactly, by symbol name and by line range, and the pieces reassemble the file", async () => {
    const original = text();
    const result = await engine.compress({ content: original, toolName: `read_file ${file}` });
    if (result.compressor === "none") {
      expect(result.compressed).toBe(original); // too small to be worth an outline
      return;
    }
    const lines = splitLines(original);
    const lookup = await code.lookup!(original, "no_such_symbol_anywhere", language);
    const [header, ...outline] = result.compressed.split("\n");
    // the hash is in the header and nowhere else
    expect(header).toMatch(new RegExp(`^\\[headroom: outline of [\\d,]+ lines of ${language}; .*hash=${result.hash}`));
    expect(outline.join("\n")).not.toContain(result.hash!);
    const rebuilt: string[] = [];
    let row = 0;
    for (const outlineLine of outline) {
      let line = outlineLine;
      const marker = MARKER.exec(line);
      // a kept line with a marker at its end: the line as it was, then what the marker stands for
      const kept = marker ? line.slice(0, marker.index) : line;
      if (kept.trim() !== "" || !marker) {
        if (kept !== lines[row] && kept.endsWith(" …") && kept.slice(0, -2) === lines[row]) {
          // a doc comment cut short: its rest comes back with the definition below it, by name
          rebuilt.push(lines[row]!);
          row++;
          const comment = result.omitted.map((o) => /^comment \(lines (\d+)-(\d+)\)$/.exec(o.where)).find((m) => m && Number(m[1]) <= row && Number(m[2]) > row)!;
          expect(comment, `doc comment tail at row ${row + 1}`).toBeTruthy();
          const end = Number(comment[2]);
          const below = lookup!.symbols.map((s) => /^(.*) \(\w+, lines (\d+)-(\d+)\)$/.exec(s)!).find((m) => Number(m[2]) === Number(comment[1]))!;
          expect(below, `the definition under the comment at row ${comment[1]}`).toBeTruthy();
          const found = await engine.retrieve({ hash: result.hash!, query: `${below[1]}@${below[2]}` });
          expect(found.start_line).toBe(Number(comment[1]));
          const tail = lines.slice(row, end);
          expect(found.content.split("\n").slice(row - Number(comment[1]) + 1, end - Number(comment[1]) + 1)).toEqual(tail);
          rebuilt.push(...tail);
          row = end;
        } else {
          expect(kept).toBe(lines[row]);
          rebuilt.push(kept);
          row++;
        }
        if (!marker) continue;
        line = line.slice(marker.index);
      }
      const [from, to] = [Number(marker[1]), Number(marker[2])];
      const count = to - from + 1;
      expect(from).toBe(row + 1);
      const byLines = await engine.retrieve({ hash: result.hash!, lines: `${from}-${to}` });
      expect(byLines.content).toBe(lines.slice(from - 1, to).join("\n"));
      // the innermost unit whose lines hold the elided ones
      const holders = result.omitted
        .map((o) => ({ o, m: /^(.*) \(lines (\d+)-(\d+)\)$/.exec(o.where)! }))
        .filter(({ o, m }) => o.omitted === count && Number(m[2]) <= from && Number(m[3]) >= to)
        .sort((a, b) => Number(a.m[3]) - Number(a.m[2]) - (Number(b.m[3]) - Number(b.m[2])));
      expect(holders.length, `marker at row ${from}`).toBeGreaterThan(0);
      const symbol = holders[0]!.m;
      if (symbol[1] === "comment" || symbol[1] === "statement") {
        rebuilt.push(...byLines.content.split("\n"));
      } else {
        // by name and any line of the body, as a model reads it off the marker
        const found = await engine.retrieve({ hash: result.hash!, query: `${symbol[1]}@${from}` });
        expect(found.mode, symbol[1]).toBe("symbol");
        const start = found.start_line!;
        expect(found.content).toBe(lines.slice(start - 1, found.end_line!).join("\n"));
        rebuilt.push(...found.content.split("\n").slice(row - (start - 1), row - (start - 1) + count));
      }
      row += count;
    }
    expect(rebuilt.join("\n")).toBe(lines.join("\n"));
  });
});

describe("code compressor, edge cases", () => {
  it("cuts a doc comment to a bare … only above a function that gives it back by name", async () => {
    const go = ["// Kind is the kind of a value. Kinds are small integers so that", "// they fit in one byte on disk, next to the value they describe.", "type Kind int", "", "// Pad pads a value. It is used by everything that writes values", "// to the disk in their fixed-width form.", "func pad(x int) int {", ...Array.from({ length: 40 }, (_, i) => `\tx = x + ${i} // step`), "\treturn x", "}"].join("\n");
    const out = await engine.compress({ content: go, toolName: "read_file kind.go" });
    const lines = out.compressed.split("\n");
    // a type without a symbol of its own: the line range, as for any comment
    expect(lines).toContain("// Kind is the kind of a value. Kinds are small integers so that … L2-2");
    expect(lines).toContain("// Pad pads a value. It is used by everything that writes values …");
    const pad = await engine.retrieve({ hash: out.hash!, query: "pad" });
    expect(pad.content.split("\n").slice(0, 3)).toEqual(go.split("\n").slice(4, 7));
    const ts = ["// ==========================", "// Section: helpers", "// ==========================", "export function helper(a: number): number {", ...Array.from({ length: 120 }, (_, i) => `  a = a * ${i} + 1;`), "  return a;", "}"].join("\n");
    // a banner heads a section: it documents nothing
    expect((await engine.compress({ content: ts, toolName: "read_file t.ts" })).compressed.split("\n")).toContain("// Section: helpers … L3-3");
    // numbered lines: a marker under a blank line stands on its own line
    const numbered = ["def f(a):", "", ...Array.from({ length: 60 }, (_, i) => `    a = a + ${i}`), "    return a"].map((l, i) => `${String(i + 1).padStart(6)}\t${l}`).join("\n");
    expect((await engine.compress({ content: numbered, toolName: "cat -n blank.py" })).compressed.split("\n").slice(1, 4)).toEqual(["     1\tdef f(a):", "     2\t", "    … L3-63"]);
  });

  it("answers a name that is not there with the symbols that are", async () => {
    const result = await engine.compress({ content: fixture("code/ratelimit.go"), toolName: "ratelimit.go" });
    const missing = await engine.retrieve({ hash: result.hash!, query: "Limiter.Reset" });
    // a definition's lines start at its doc comment, which comes back with it
    expect(missing.symbols).toContain("Limiter.Allow (function, lines 48-66)");
    expect(missing.symbols).toContain("Limiter (container, lines 29-36)");
    expect(missing.note).toMatch(/no symbol is named "Limiter.Reset"/);
    const bare = await engine.retrieve({ hash: result.hash!, query: "Forget" });
    expect(bare.symbol).toBe("Limiter.Forget");
  });

  it("reads files with line-number prefixes and returns their lines as they were", async () => {
    const numbered = splitLines(fixture("code/shlex.py")).map((line, i) => `${String(i + 1).padStart(6)}→${line}`).join("\n");
    const result = await engine.compress({ content: numbered });
    expect(result.content_type).toBe("code");
    expect(result.compressed).toContain("     1→");
    const found = await engine.retrieve({ hash: result.hash!, query: "shlex.read_token" });
    expect(found.content.split("\n")[0]).toMatch(/^\s+\d+→\s+def read_token\(self\):$/);
  });

  it("falls back to text on a file that does not parse", async () => {
    const broken = Array.from({ length: 80 }, (_, i) => `def f${i}(:\n    return ((( ]] {{ ${i}\nclass :::`).join("\n");
    const out = await code.compress({ sample: createSample(broken, "broken.py"), hash: "0".repeat(24), budgetTokens: 100, originalTokens: 3000, countTokens: () => 1 });
    expect(out).toEqual({ declined: expect.stringMatching(/^no grammar parsed it cleanly: python \(\d+\.\d% of the text in syntax errors\)$/) });
    const result = await engine.compress({ content: broken, toolName: "read_file broken.py", maxTokens: 300 });
    expect(result.compressor).not.toBe("code");
    // and the route says why the code outline was not made
    expect(result.route).toMatch(/no grammar parsed it cleanly: python/);
    const requested = await engine.compress({ content: broken, contentType: "code", maxTokens: 300 });
    expect(requested.route).toMatch(/^content_type hint "code", but (?:no grammar parsed it cleanly|no language was recognised); then /);
  });

  it("keeps a signature that shares its line with the end of a comment, Go's const blocks, and first sentences that end mid-line", async () => {
    const js = ["/*", ...Array.from({ length: 8 }, (_, i) => ` * note ${i}: the helper does step ${i}.`), " */ function helper(a, b) {", ...Array.from({ length: 6 }, (_, i) => `  const x${i} = a * ${i} + b;`), "  return a + b;", "}", "", "export function main() {", ...Array.from({ length: 30 }, (_, i) => `  helper(${i}, ${i + 1});`), "}"].join("\n");
    const out = await engine.compress({ content: js, toolName: "read_file helper.js" });
    expect(out.compressor).toBe("code");
    expect(out.compressed.split("\n")).toContain(" */ function helper(a, b) { … L11-18");
    const go = ["package status", "", "// Codes of the protocol.", "const (", ...Array.from({ length: 40 }, (_, i) => `\tStatus${i} = ${100 + i}`), ")", "", "// Text returns a text for the code.", "func Text(code int) string {", ...Array.from({ length: 30 }, (_, i) => `\tif code == ${i} {\n\t\treturn "s${i}"\n\t}`), '\treturn ""', "}"].join("\n");
    const goOut = await engine.compress({ content: go, toolName: "read_file status.go" });
    expect(goOut.compressor).toBe("code");
    expect(goOut.compressed).toContain("\tStatus39 = 139");
    const doc = ["public class Tree {", "    /**", "     * Returns the ordering of its", "     * keys.  All keys inserted must be comparable, and the", "     * map rejects the others.", "     *", "     * @param k the key", "     * @return the value", "     */", "    public Object get(Object k) {", ...Array.from({ length: 120 }, (_, i) => `        int value${i} = compute(k, ${i});`), "        return null;", "    }", "}"].join("\n");
    const docOut = await engine.compress({ content: doc, toolName: "read_file Tree.java" });
    const lines = docOut.compressed.split("\n");
    expect(lines).toContain("     * keys.  All keys inserted must be comparable, and the …");
    expect(lines).not.toContain("     * map rejects the others.");
    // a line of the doc comment above a method names that method
    const byDocLine = await engine.retrieve({ hash: docOut.hash!, query: "get@3" });
    expect(byDocLine.symbol).toBe("Tree.get");
  });

  it("keeps the first sentence of doc comments and docstrings, and never puts a marker where it saves nothing", async () => {
    const java = [
      "package shop;",
      "",
      "public class Cart {",
      "    /**",
      "     * Returns the total of every line, in cents,",
      "     * after discounts.",
      "     *",
      "     * @param lines the cart's lines",
      "     * @return the total",
      "     * @throws IllegalStateException when a line has no price",
      "     */",
      "    public long total(java.util.List<long[]> lines) {",
      ...Array.from({ length: 30 }, (_, i) => `        long x${i} = lines.size() * ${i};`),
      "        return 0;",
      "    }",
      "    /** Short. */",
      "    public int size() { return 0; }",
      "}",
    ].join("\n");
    const result = await engine.compress({ content: java, toolName: "read_file Cart.java" });
    expect(result.compressor).toBe("code");
    const outline = result.compressed.split("\n");
    expect(outline).toContain("     * Returns the total of every line, in cents,");
    expect(outline).not.toContain("     * @param lines the cart's lines");
    // the rest of the comment, with its closing */, comes back with the method: a bare "…"
    expect(outline).toContain("     * after discounts. …");
    // the body and its closing brace, at the end of the signature
    expect(outline).toContain("    public long total(java.util.List<long[]> lines) { … L13-44");
    expect(outline).toContain("    /** Short. */");
    const python = ['def load(path):', '    """', "    Load the orders file and return its rows.", "", "    Rows without an id are skipped.", '    """', ...Array.from({ length: 20 }, (_, i) => `    row${i} = read(path, ${i})`), "    return rows"].join("\n");
    const py = await engine.compress({ content: python, toolName: "read_file orders.py" });
    expect(py.compressed.split("\n")).toContain("    Load the orders file and return its rows.");
  });
});
