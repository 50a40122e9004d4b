import { describe, expect, it } from "vitest";
import { createCompressors } from "../../src/compressors/index.js";

const COMPRESSORS = createCompressors();
import { loadedCounter } from "../helpers/tokens.js";
import { runCompressor } from "../helpers/compress.js";
import { routeCandidates } from "../../src/router/router.js";
import { createSample } from "../../src/router/sample.js";
import { fixture } from "../helpers/data.js";
import { readFileSync } from "node:fs";

const route = (text: string, contentType?: Parameters<typeof routeCandidates>[1]["contentType"]) => [...routeCandidates(createSample(text, undefined), { contentType }, COMPRESSORS)];

describe("router", () => {
  it.each([
    ["json/github-issues.json", "json"],
    ["json/app-log-records.json", "json"],
    ["logs/vitest-run.log", "logs"],
    ["search/rg-node-modules.txt", "search"],
    ["search/rg-context-mcp-sdk.txt", "search"],
    ["diff/headroom-history.diff", "diff"],
    ["text/keyv-README.md", "text"],
    ["code/shlex.py", "code"],
    ["code/ratelimit.go", "code"],
  ])("sends %s to the %s compressor, and says why", (file, type) => {
    const [first] = route(fixture(file));
    expect(first!.compressor.contentType).toBe(type);
    expect(first!.reason).toMatch(new RegExp(`detected ${type}`));
  });

  it("does not take a source file for a log", () => {
    const source = readFileSync(new URL("../../src/compressors/logs/index.ts", import.meta.url), "utf8");
    expect(route(source)[0]!.compressor.contentType).toBe("code");
    expect(route(source).map((c) => c.compressor.contentType)).not.toContain("logs");
  });

  it("puts a content_type hint first and keeps detection behind it", () => {
    const candidates = route(fixture("logs/vitest-run.log"), "json");
    expect(candidates.map((c) => c.compressor.contentType)).toEqual(["json", "logs", "text"]);
    expect(candidates[0]!.reason).toBe('content_type hint "json"');
  });
});

describe("every compressor", () => {
  it("gives the same bytes for the same input and arguments", async () => {
    const tokens = await loadedCounter();
    for (const [file, type, query] of [
      ["logs/vitest-run.log", "logs", "refund"],
      ["search/rg-node-modules.txt", "search", "McpError"],
      ["diff/headroom-history.diff", "diff", "marker"],
      ["text/keyv-README.md", "text", "ttl"],
      ["json/k8s-pods.json", "json", "unhealthy pods"],
    ] as const) {
      const compressor = COMPRESSORS.find((c) => c.contentType === type)!;
      const a = runCompressor(compressor, tokens, fixture(file), { query });
      const b = runCompressor(compressor, tokens, fixture(file), { query });
      expect(a.text, file).toBe(b.text);
      expect(a.omitted).toEqual(b.omitted);
    }
  });
});
