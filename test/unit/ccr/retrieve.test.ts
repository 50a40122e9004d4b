import { beforeAll, describe, expect, it } from "vitest";
import { pageOf, queryOriginal } from "../../../src/ccr/retrieve.js";
import type { TokenCounter } from "../../../src/tokens/counter.js";
import { loadedCounter } from "../../helpers/tokens.js";
import { omissionMarker, MARKER_HASH_PATTERN } from "../../../src/ccr/marker.js";
import { contentHash } from "../../../src/ccr/hash.js";

let tokens: TokenCounter;
let measure: (text: string) => number;
beforeAll(async () => {
  tokens = await loadedCounter();
  measure = (text) => tokens.measure(text).tokens;
});

describe("paging an original", () => {
  const text = Array.from({ length: 1000 }, (_, i) => `line ${i} ${"x".repeat(50)}`).join("\n");

  it("cuts pages at line breaks, covers the text exactly once, numbers pages, and keeps each within the token limit", () => {
    let offset = 0;
    let joined = "";
    const seen: number[] = [];
    for (;;) {
      const page = pageOf(text, offset, 3_000, measure);
      expect(measure(page.content)).toBeLessThanOrEqual(3_000);
      joined += page.content;
      seen.push(page.page);
      expect(page.pages).toBe(seen.length > 0 ? page.pages : 0);
      if (page.next_offset === null) break;
      expect(text[page.next_offset - 1]).toBe("\n");
      offset = page.next_offset;
    }
    expect(joined).toBe(text);
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => i + 1));
  });

  it("cuts minified text where the tokens run out when there is no line break", () => {
    const minified = JSON.stringify(Array.from({ length: 3000 }, (_, i) => ({ id: i, sku: `A-${i * 7}` })));
    const page = pageOf(minified, 0, 5_000, measure);
    expect(measure(page.content)).toBeLessThanOrEqual(5_000);
    expect(measure(page.content)).toBeGreaterThan(4_000);
    expect(page.pages).toBe(Math.ceil(measure(minified) / measure(page.content)));
  });

  it("bounds hex-heavy pages by tokens, where a page of characters would run over a host's cap", () => {
    // 60,000 characters of hashes are far more than 20,000 tokens
    const hex = Array.from({ length: 1500 }, (_, i) => `${i.toString(16).padStart(8, "0")} ${[...Array(32)].map((_, k) => ((i * 31 + k * 7) % 16).toString(16)).join("")}`).join("\n");
    expect(measure(hex.slice(0, 60_000))).toBeGreaterThan(20_000);
    for (let offset: number | null = 0; offset !== null; ) {
      const page = pageOf(hex, offset, 20_000, measure);
      expect(measure(page.content)).toBeLessThanOrEqual(20_000);
      offset = page.next_offset;
    }
  });
});

describe("querying an original", () => {
  const doc = JSON.stringify({
    total: 3,
    items: [
      { id: "a1", name: "alpha service", status: "ok" },
      { id: "b2", name: "beta service", status: "failed", error: "disk full on node-7" },
      { id: "c3", name: "gamma worker", status: "ok" },
    ],
  });

  it("returns JSON items by path, exact matches first, then BM25", () => {
    expect(queryOriginal(doc, "$.items[1]", 10, 1e6, measure).matches[0]).toEqual({ location: "$.items[1]", text: JSON.stringify({ id: "b2", name: "beta service", status: "failed", error: "disk full on node-7" }), exact: true });
    const r = queryOriginal(doc, "node-7", 10, 1e6, measure);
    expect(r.matches.map((m) => m.location)).toEqual(["$.items[1]"]);
    const ranked = queryOriginal(doc, "service disk", 10, 1e6, measure);
    expect(ranked.matches[0]!.location).toBe("$.items[1]");
    expect(ranked.matches.map((m) => m.location)).toContain("$.items[0]");
    expect(ranked.unit).toBe("items");
  });

  it("returns matching lines with line numbers for text", () => {
    const log = "start\nGET /a 200\nGET /b 500 upstream timeout\nGET /c 200\nend";
    const r = queryOriginal(log, "timeout", 10, 1e6, measure);
    expect(r.matches).toEqual([{ location: "3", text: "GET /b 500 upstream timeout", exact: true }]);
    expect(r.total_units).toBe(5);
  });

  it("answers a JSON path with that value alone, in either path form", () => {
    const deps = JSON.stringify({ dependencies: { "@types/node": { version: "20.1.0" }, vitest: { version: "3.2.7" } } });
    for (const path of ['$.dependencies["@types/node"]', '$.dependencies["vitest"]', "$.dependencies.vitest"]) {
      expect(queryOriginal(deps, path, 10, 1e6, measure).matches, path).toHaveLength(1);
    }
  });

  it("never starts a page between the two halves of a surrogate pair", () => {
    const text = `😀${"word ".repeat(50)}`;
    expect(pageOf(text, 1, 1000, measure).content.startsWith("😀")).toBe(true);
  });

  it("returns only the exact matches when a query names something exact and finds it", () => {
    const log = Array.from({ length: 300 }, (_, i) => `test_sample.py::test_square[${i}] PASSED`).join("\n");
    const r = queryOriginal(log, "test_square[137]", 50, 1e6, measure);
    expect(r.matches.map((m) => m.text)).toEqual(["test_sample.py::test_square[137] PASSED"]);
    // words still rank every line that shares them
    expect(queryOriginal(log, "square passed", 50, 1e6, measure).matches.length).toBe(50);
  });

  it("returns nothing (not everything) when nothing matches", () => {
    expect(queryOriginal(doc, "zebra", 10, 1e6, measure).matches).toEqual([]);
  });
});

describe("markers", () => {
  it("name unit, count, place, categories and a findable 24-hex handle", () => {
    const hash = contentHash("original");
    const marker = omissionMarker({ hash, unit: "items", omitted: 977, total: 1000, where: "$.items", categories: [["status=ok", 970], ["status=pending", 7]] });
    expect(marker).toBe(`[headroom: 977 of 1000 items omitted at $.items (970 status=ok, 7 status=pending); headroom_retrieve hash=${hash}]`);
    expect([...marker.matchAll(MARKER_HASH_PATTERN)].map((m) => m[1])).toEqual([hash]);
    expect(hash).toMatch(/^[0-9a-f]{24}$/);
  });
});
