import { beforeAll, describe, expect, it } from "vitest";
import { splitLines } from "../../../src/compressors/lines.js";
import { textCompressor } from "../../../src/compressors/text.js";
import type { TokenCounter } from "../../../src/tokens/counter.js";
import { omittedTotal, runCompressor } from "../../helpers/compress.js";
import { fixture } from "../../helpers/data.js";
import { loadedCounter } from "../../helpers/tokens.js";

let tokens: TokenCounter;
beforeAll(async () => {
  tokens = await loadedCounter();
});

describe("text compressor", () => {
  it("keeps the top, the end and the headings of a long README, verbatim", () => {
    const text = fixture("text/keyv-README.md");
    const lines = splitLines(text);
    const out = runCompressor(textCompressor, tokens, text);
    const shown = out.text.split("\n").filter((l) => !l.startsWith("[headroom:"));
    for (const line of shown) expect(lines).toContain(line);
    expect(shown.length + omittedTotal(out)).toBe(lines.length);
    expect(out.text.startsWith(lines[0]!)).toBe(true);
    expect(out.text.endsWith(lines[lines.length - 1]!)).toBe(true);
    for (const heading of ["# Features", "# Usage", "# Namespaces", "# License"]) expect(shown).toContain(heading);
    expect(tokens.measure(out.text).tokens).toBeLessThan(tokens.measure(text).tokens * 0.25);
  });

  it("shows repeated paragraphs once and says so", () => {
    const para = "This paragraph repeats itself word for word across the page.\nIt has two lines.";
    const text = ["# Title", "", ...Array.from({ length: 60 }, (_, i) => `${para}\n\nUnique line number ${i} with its own words.\n`)].join("\n");
    const out = runCompressor(textCompressor, tokens, text, { budget: 300 });
    expect(out.text.split(para).length - 1).toBe(1);
    expect(out.omitted.some((o) => (o.categories.repeated ?? 0) > 0)).toBe(true);
  });

  it("keeps lines that match a query", () => {
    const text = fixture("text/keyv-README.md");
    const out = runCompressor(textCompressor, tokens, text, { query: "how do I set emitErrors" });
    expect(out.text).toContain("emitErrors");
  });
});
