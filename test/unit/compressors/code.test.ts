import { createHash } from "node:crypto";
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

const MARKER = /^\s*\[headroom: (\d+) lines omitted; hash=([0-9a-f]{24})\]$/;

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
    const outline = new Set(result.compressed.split("\n"));
    const topLevel = lookup!.symbols.map((s) => /\(\w+, lines (\d+)-(\d+)\)$/.exec(s)!).map((m) => Number(m[1]));
    expect(topLevel.length).toBeGreaterThan(0);
    // every symbol's first line (its signature, decorator or export) is in the outline as it was
    for (const start of topLevel) expect(outline.has(lines[start - 1]!), `line ${start}: ${lines[start - 1]}`).toBe(true);
  });

  it("gives back every elided body exactly, by symbol name, and the pieces reassemble the file", async () => {
    const original = text();
    const result = await engine.compress({ content: original, toolName: `read_file ${file}` });
    if (result.compressor === "none") {
      expect(result.compressed).toBe(original); // too small to be worth an outline
      return;
    }
    const lines = splitLines(original);
    const rebuilt: string[] = [];
    let row = 0;
    for (const line of result.compressed.split("\n")) {
      const marker = MARKER.exec(line);
      if (!marker) {
        expect(line).toBe(lines[row]);
        rebuilt.push(line);
        row++;
        continue;
      }
      const count = Number(marker[1]);
      // the innermost unit whose lines hold the elided ones
      const holders = result.omitted
        .map((o) => ({ o, m: /^(.*) \(lines (\d+)-(\d+)\)$/.exec(o.where)! }))
        .filter(({ o, m }) => o.omitted === count && Number(m[2]) <= row + 1 && Number(m[3]) >= row + count)
        .sort((a, b) => Number(a.m[3]) - Number(a.m[2]) - (Number(b.m[3]) - Number(b.m[2])));
      expect(holders.length, `marker at row ${row + 1}`).toBeGreaterThan(0);
      const symbol = holders[0]!.m;
      if (symbol[1] === "comment" || symbol[1] === "statement") {
        rebuilt.push(...lines.slice(row, row + count)); // not a symbol: read back from the page
      } else {
        const found = await engine.retrieve({ hash: result.hash!, query: `${symbol[1]}@${symbol[2]}` });
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
  it("answers a name that is not there with the symbols that are", async () => {
    const result = await engine.compress({ content: fixture("code/ratelimit.go"), toolName: "ratelimit.go" });
    const missing = await engine.retrieve({ hash: result.hash!, query: "Limiter.Reset" });
    expect(missing.symbols).toContain("Limiter.Allow (function, lines 49-66)");
    expect(missing.symbols).toContain("Limiter (container, lines 30-36)");
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
    expect(out).toBeNull();
    const result = await engine.compress({ content: broken, toolName: "read_file broken.py", maxTokens: 300 });
    expect(result.compressor).not.toBe("code");
  });
});
