import { beforeAll, describe, expect, it } from "vitest";
import { ExpiredHashError, InputError, TooLargeError, UnknownHashError } from "../../../src/engine/errors.js";
import { defaultBudget, Engine } from "../../../src/engine/engine.js";
import type { TokenCounter } from "../../../src/tokens/counter.js";
import { fixture, needleLogs } from "../../helpers/data.js";
import { memoryEngine } from "../../helpers/engine.js";
import { loadedCounter } from "../../helpers/tokens.js";
import { CcrStore } from "../../../src/ccr/store.js";
import { openBackend } from "../../../src/ccr/backend.js";
import { StatsRecorder } from "../../../src/stats/stats.js";
import { quietLogger } from "../../helpers/engine.js";

let tokens: TokenCounter;
beforeAll(async () => {
  tokens = await loadedCounter();
});

describe("engine: compress", () => {
  it("rejects empty and oversized content with actionable errors", async () => {
    const { engine } = await memoryEngine(tokens);
    await expect(engine.compress({ content: "" })).rejects.toBeInstanceOf(InputError);
    await expect(engine.compress({ content: "   \n" })).rejects.toThrow(/content is empty/);
    await expect(engine.compress({ content: undefined })).rejects.toThrow(/content is required/);
    const small = new Engine({ ...(await parts()), limits: { maxInputBytes: 1000 } });
    await expect(small.compress({ content: "x".repeat(2000) })).rejects.toBeInstanceOf(TooLargeError);
    await expect(small.compress({ content: "x".repeat(2000) })).rejects.toThrow(/--max-input-mb/);
  });

  it("passes small inputs through untouched", async () => {
    const { engine } = await memoryEngine(tokens);
    const input = JSON.stringify(needleLogs().slice(0, 3));
    const result = await engine.compress({ content: input });
    expect(result).toMatchObject({ compressed: input, compressor: "none", route: "below threshold" });
    expect(result.hash).toBeUndefined();
  });

  it("returns the original when compression would not save 10%", async () => {
    const { engine } = await memoryEngine(tokens);
    // unique prose with no structure: nothing to gain under a generous budget
    const prose = Array.from({ length: 60 }, (_, i) => `Paragraph ${i} explains a distinct idea number ${i * 7919} in its own words.`).join("\n");
    const result = await engine.compress({ content: prose, maxTokens: 100_000 });
    expect(result.compressed).toBe(prose);
    expect(result.hash).toBeUndefined();
  });

  it("honours a content_type hint and falls back when it is wrong", async () => {
    const { engine } = await memoryEngine(tokens);
    const log = Array.from({ length: 400 }, (_, i) => `2026-11-20 10:00:${String(i % 60).padStart(2, "0")} INFO worker-${i % 4} processed batch ${i}`).join("\n");
    const result = await engine.compress({ content: log, contentType: "json" });
    expect(result.content_type).toBe("logs");
    expect(result.route).toMatch(/detected logs/);
  });

  it("uses a default budget of 15% between 1,000 and 4,000 tokens", () => {
    expect(defaultBudget(2000)).toBe(1000);
    expect(defaultBudget(20_000)).toBe(3000);
    expect(defaultBudget(2_000_000)).toBe(4000);
  });

  it("respects max_tokens", async () => {
    const { engine } = await memoryEngine(tokens);
    const content = fixture("json/github-issues.json");
    const tight = await engine.compress({ content, maxTokens: 1200 });
    const loose = await engine.compress({ content, maxTokens: 8000 });
    expect(tight.compressed_tokens).toBeLessThanOrEqual(1200 * 1.15);
    expect(loose.compressed_tokens).toBeGreaterThan(tight.compressed_tokens);
    expect(loose.compressed_tokens).toBeLessThanOrEqual(8000 * 1.15);
  });
});

describe("engine: retrieve", () => {
  it("pages the original, queries it, and says when a query matches nothing", async () => {
    const { engine } = await memoryEngine(tokens);
    const content = fixture("json/github-issues.json");
    const { hash } = await engine.compress({ content });
    let offset: number | null = 0;
    let joined = "";
    let pages = 0;
    while (offset !== null) {
      const page = await engine.retrieve({ hash: hash!, offset, limit: 12_000 });
      expect(tokens.measure(page.content).tokens).toBeLessThanOrEqual(12_000);
      joined += page.content;
      pages = page.page!.pages;
      offset = page.page!.next_offset;
    }
    expect(joined).toBe(content);
    expect(pages).toBeGreaterThanOrEqual(Math.ceil(tokens.measure(content).tokens / 12_000));

    const hit = await engine.retrieve({ hash: hash!, query: "SIGSEGV" });
    expect(hit.mode).toBe("query");
    expect(hit.content).toMatch(/^\$\[17\]: .*SIGSEGV/);

    const miss = await engine.retrieve({ hash: hash!, query: "zzyzx" });
    expect(miss.mode).toBe("page");
    expect(miss.note).toMatch(/nothing in the original matches "zzyzx"/);
    expect(miss.content.length).toBeGreaterThan(0);
  });

  it("keeps every answer within a page of 20,000 tokens: query results, a huge symbol, a long line range", async () => {
    const { engine } = await memoryEngine(tokens);
    const items = Array.from({ length: 3000 }, (_, i) => ({ id: i, kind: "order", note: `order ${i} ${"f3a9c2".repeat(20)}` }));
    const json = JSON.stringify(items);
    const { hash } = await engine.compress({ content: json });
    const many = await engine.retrieve({ hash: hash!, query: "order", limit: 3000 });
    expect(tokens.measure(many.content).tokens).toBeLessThanOrEqual(20_000);
    expect(many.more_matches).toBeGreaterThan(0);

    const body = Array.from({ length: 4000 }, (_, i) => `        total_${i} = compute(${i}, "0x${(i * 2654435761).toString(16)}")`);
    const source = ["class Ledger:", "    def rebuild(self):", '        """Rebuild every total."""', ...body, "        return total_0", "", "    def size(self):", "        return 0", ""].join("\n");
    const outline = await engine.compress({ content: source, toolName: "read_file ledger.py" });
    const symbol = await engine.retrieve({ hash: outline.hash!, query: "Ledger.rebuild" });
    expect(symbol.mode).toBe("symbol");
    expect(tokens.measure(symbol.content).tokens).toBeLessThanOrEqual(20_000);
    expect(symbol.note).toMatch(/the rest: lines="\d+-4004"/);
    // following "the rest" page by page gives the symbol back whole
    let joined = symbol.content;
    for (let note = symbol.note; note && /the rest: lines="/.test(note); ) {
      const more = await engine.retrieve({ hash: outline.hash!, lines: /the rest: lines="(\d+-\d+)"/.exec(note)![1]! });
      expect(tokens.measure(more.content).tokens).toBeLessThanOrEqual(20_000);
      joined += `\n${more.content}`;
      note = more.note;
    }
    expect(joined).toBe(source.split("\n").slice(1, 4004).join("\n"));
  });

  it("returns exact line ranges, and says what is wrong with a range it cannot serve", async () => {
    const { engine } = await memoryEngine(tokens);
    const original = fixture("logs/vitest-run.log");
    const lines = original.replace(/\n$/, "").split("\n");
    const { hash } = await engine.compress({ content: original });
    const range = await engine.retrieve({ hash: hash!, lines: "1498-1502" });
    expect(range).toMatchObject({ mode: "lines", start_line: 1498, end_line: 1502, total_units: lines.length });
    expect(range.content).toBe(lines.slice(1497, 1502).join("\n"));
    expect((await engine.retrieve({ hash: hash!, lines: "L7" })).content).toBe(lines[6]);
    // a range running past the end stops at the last line
    expect((await engine.retrieve({ hash: hash!, lines: `${lines.length - 1}-${lines.length + 50}` })).end_line).toBe(lines.length);
    await expect(engine.retrieve({ hash: hash!, lines: "0-3" })).rejects.toThrow(/outside the original's lines 1-/);
    await expect(engine.retrieve({ hash: hash!, lines: "9-3" })).rejects.toBeInstanceOf(InputError);
    await expect(engine.retrieve({ hash: hash!, lines: "ten" })).rejects.toThrow(/a line number or a range like "120-159"/);
  });

  it("accepts a hash with its hash= prefix, rejects malformed ones, and tells unknown from expired", async () => {
    const { engine, advance } = await memoryEngine(tokens, { ttlMs: 60_000 });
    const { hash } = await engine.compress({ content: needleLogs() });
    expect((await engine.retrieve({ hash: `hash=${hash!.toUpperCase()}` })).hash).toBe(hash);
    await expect(engine.retrieve({ hash: "abc" })).rejects.toThrow(/24 hex characters/);
    await expect(engine.retrieve({ hash: "f".repeat(24) })).rejects.toBeInstanceOf(UnknownHashError);
    advance(120_000);
    await expect(engine.retrieve({ hash: hash! })).rejects.toBeInstanceOf(ExpiredHashError);
  });

  it("counts sessions in stats", async () => {
    const { engine } = await memoryEngine(tokens);
    const { hash } = await engine.compress({ content: needleLogs() });
    await engine.compress({ content: "short" });
    await engine.retrieve({ hash: hash! });
    await engine.retrieve({ hash: "0".repeat(24) }).catch(() => undefined);
    const stats = await engine.stats();
    expect(stats.session).toMatchObject({ compressions: 1, passthroughs: 1, retrievals: 1, retrieval_misses: 1 });
    expect(stats.session.by_content_type.json!.tokens_saved).toBeGreaterThan(5000);
    expect(stats.store).toMatchObject({ kind: "memory", entries: 1 });
  });
});

async function parts() {
  const backend = await openBackend({ kind: "memory" }, quietLogger);
  return {
    store: Promise.resolve(new CcrStore(backend, { ttlMs: 60_000, maxBytes: 1e9 }, quietLogger)),
    tokens,
    stats: new StatsRecorder(Promise.resolve(backend.namespace("stats")), quietLogger),
    logger: quietLogger,
  };
}
