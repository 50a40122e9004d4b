import { beforeAll, describe, expect, it } from "vitest";
import { EXACT_COUNT_LIMIT, type TokenCounter } from "../../../src/tokens/counter.js";
import { fixture, jsonManifest } from "../../helpers/data.js";
import { loadedCounter } from "../../helpers/tokens.js";

let tokens: TokenCounter;
beforeAll(async () => {
  tokens = await loadedCounter();
});

describe("token counter", () => {
  it("counts short texts exactly", async () => {
    expect(await tokens.count("hello world")).toEqual({ tokens: 2, estimated: false });
    expect(tokens.measure("").tokens).toBe(0);
  });

  it.each(jsonManifest().filter((f) => f.bytes > EXACT_COUNT_LIMIT).map((f) => [f.file]))(
    "estimates %s within 2%% of the exact count",
    async (file) => {
      const text = fixture(`json/${file}`).slice(0, 1_500_000); // exact counting of more takes too long here
      const estimate = await tokens.count(text);
      const exact = await tokens.countExact(text);
      expect(estimate.estimated).toBe(true);
      expect(Math.abs(estimate.tokens - exact) / exact).toBeLessThan(0.02);
    },
  );

  it.each([["logs/vitest-run.log"], ["search/rg-node-modules.txt"], ["diff/headroom-history.diff"]])("estimates %s within 2%%", async (file) => {
    const text = fixture(file);
    const estimate = await tokens.count(text);
    expect(estimate.estimated).toBe(true);
    expect(Math.abs(estimate.tokens - (await tokens.countExact(text))) / estimate.tokens).toBeLessThan(0.02);
  });

  it("estimates prose and code-like text within 2%", async () => {
    const words = "the quick brown fox jumps over a lazy dog while compilers emit warnings about unused variables".split(" ");
    let prose = "";
    for (let i = 0; prose.length < 300_000; i++) prose += words[(i * 7) % words.length] + (i % 13 === 0 ? ".\n" : " ");
    const exact = await tokens.countExact(prose);
    const estimate = await tokens.count(prose);
    expect(Math.abs(estimate.tokens - exact) / exact).toBeLessThan(0.02);
  });

  it("counts pathological runs (a megabyte without a space) without stalling", async () => {
    const run = "a".repeat(1_000_000);
    const exact = await tokens.countExact(run);
    expect(exact).toBeGreaterThan(1000);
    const spaces = " ".repeat(200_000) + "x";
    expect(await tokens.countExact(spaces)).toBeGreaterThan(10);
  });
});
