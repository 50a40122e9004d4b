import { beforeAll, describe, expect, it } from "vitest";
import { splitLines } from "../../../src/compressors/lines.js";
import { searchCompressor } from "../../../src/compressors/search.js";
import { createSample } from "../../../src/router/sample.js";
import type { TokenCounter } from "../../../src/tokens/counter.js";
import { runCompressor } from "../../helpers/compress.js";
import { fixture } from "../../helpers/data.js";
import { loadedCounter } from "../../helpers/tokens.js";

let tokens: TokenCounter;
beforeAll(async () => {
  tokens = await loadedCounter();
});

const MATCH = /^(.+?):(\d+):/;

describe("search-result compressor", () => {
  it("keeps lines verbatim, groups by file and counts every omitted match", () => {
    const text = fixture("search/rg-node-modules.txt");
    const original = new Set(splitLines(text));
    const out = runCompressor(searchCompressor, tokens, text);
    const shown = out.text.split("\n").filter((l) => !l.startsWith("[") && l !== "--");
    for (const line of shown) expect(original.has(line), line).toBe(true);
    const marker = out.omitted.find((o) => o.unit === "matches")!;
    expect(shown.filter((l) => MATCH.test(l)).length + marker.omitted).toBe(5000);
    expect(Object.values(marker.categories).reduce((a, b) => a + b, 0)).toBe(marker.omitted);
    // per-file notes add up to the per-file counts of the marker
    const notes = [...out.text.matchAll(/^\[\+(\d+) more match(?:es)? in this file\]$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
    expect(notes).toBeLessThanOrEqual(marker.omitted);
    expect(tokens.measure(out.text).tokens).toBeLessThan(tokens.measure(text).tokens * 0.1);
  });

  it("keeps what the query asks for", () => {
    const text = fixture("search/rg-node-modules.txt");
    const wanted = splitLines(text).filter((l) => l.includes("McpError"));
    const out = runCompressor(searchCompressor, tokens, text, { query: "where is McpError thrown?" });
    const kept = wanted.filter((l) => out.text.includes(l));
    expect(kept.length / wanted.length).toBeGreaterThan(0.8);
  });

  it("handles -C context lines, `--` separators, and paths with dashes and dates", () => {
    const lines = [
      "logs/2026-11-20.log-11-boot ok",
      "logs/2026-11-20.log:12:ERROR disk full on /dev/sda1",
      "logs/2026-11-20.log-13-retrying",
      "--",
      ...Array.from({ length: 300 }, (_, i) => `src/app-${i % 7}.ts:${i + 1}:const value${i} = compute(${i});`),
    ];
    const out = runCompressor(searchCompressor, tokens, lines.join("\n"), { budget: 400 });
    expect(out.text).toContain("logs/2026-11-20.log:12:ERROR disk full on /dev/sda1");
    expect(out.omitted[0]!.categories).not.toHaveProperty("logs/2026-11-20.log-11-boot ok");
    for (const line of out.text.split("\n")) if (MATCH.test(line)) expect(lines).toContain(line);
  });

  it("reads rg --heading output", () => {
    const text = ["src/a.ts", ...Array.from({ length: 200 }, (_, i) => `${i + 1}:line ${i} of a`), "", "src/b.ts", "7:throw new Error('b failed')"].join("\n");
    const out = runCompressor(searchCompressor, tokens, text, { budget: 300 });
    expect(out.text).toContain("src/b.ts\n7:throw new Error('b failed')");
    expect(out.text.startsWith("src/a.ts\n")).toBe(true);
  });

  it("is detected on grep output and not on prose", () => {
    expect(searchCompressor.detect(createSample(fixture("search/rg-context-mcp-sdk.txt"), undefined))).toBeGreaterThan(0.6);
    expect(searchCompressor.detect(createSample(fixture("text/keyv-README.md"), undefined))).toBe(0);
  });

  it("is not fooled by logs whose lines start with an ISO date and time", () => {
    const log = Array.from({ length: 40 }, (_, i) => `2026-11-20T10:${String(i).padStart(2, "0")}:07.123Z INFO [worker-${i % 4}] processed request ${i}`).join("\n");
    expect(searchCompressor.detect(createSample(log, undefined))).toBe(0);
    const bracketed = log.replace(/^(\S+)/gm, "[$1]");
    expect(searchCompressor.detect(createSample(bracketed, undefined))).toBe(0);
    const keyed = log.replace(/^/gm, "ts=");
    expect(searchCompressor.detect(createSample(keyed, undefined))).toBe(0);
    // a file whose name holds a date is still a path
    expect(searchCompressor.detect(createSample(log.replace(/^/gm, "logs/2026-11-20.log:12:"), undefined))).toBeGreaterThan(0.6);
  });
});
