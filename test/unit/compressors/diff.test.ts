import { beforeAll, describe, expect, it } from "vitest";
import { diffCompressor } from "../../../src/compressors/diff.js";
import { splitLines } from "../../../src/compressors/lines.js";
import type { TokenCounter } from "../../../src/tokens/counter.js";
import { runCompressor } from "../../helpers/compress.js";
import { fixture } from "../../helpers/data.js";
import { loadedCounter } from "../../helpers/tokens.js";

let tokens: TokenCounter;
beforeAll(async () => {
  tokens = await loadedCounter();
});

describe("diff compressor", () => {
  it("keeps every file, summarises the ones that do not fit, and the counts add up", () => {
    const text = fixture("diff/headroom-history.diff");
    const lines = splitLines(text);
    const out = runCompressor(diffCompressor, tokens, text);
    const fileHeaders = lines.filter((l) => l.startsWith("diff --git "));
    expect(fileHeaders).toHaveLength(41);
    for (const h of fileHeaders) expect(out.text).toContain(h);
    expect(out.text).toContain("new file mode 100755");
    const shown = out.text.split("\n").filter((l) => !l.startsWith("[headroom:"));
    expect(shown.length + out.omitted.reduce((s, o) => s + o.omitted, 0)).toBe(lines.length);
    for (const o of out.omitted) expect(Object.values(o.categories).reduce((a, b) => a + b, 0)).toBe(o.omitted);
    expect(tokens.measure(out.text).tokens).toBeLessThan(tokens.measure(text).tokens * 0.15);
  });

  it("keeps headers and every changed line, and trims long unchanged context", () => {
    const context = Array.from({ length: 30 }, (_, i) => ` unchanged line ${i}`);
    const diff = [
      "diff --git a/src/old.ts b/src/new.ts",
      "similarity index 92%",
      "rename from src/old.ts",
      "rename to src/new.ts",
      "index 1111111..2222222 100644",
      "--- a/src/old.ts",
      "+++ b/src/new.ts",
      "@@ -1,63 +1,63 @@",
      ...context,
      "-const timeout = 10;",
      "+const timeout = 30;",
      ...context,
      "diff --git a/logo.png b/logo.png",
      "Binary files a/logo.png and b/logo.png differ",
    ];
    const text = Array.from({ length: 5 }, () => diff.join("\n")).join("\n");
    const out = runCompressor(diffCompressor, tokens, text, { budget: 700 });
    for (const line of ["similarity index 92%", "rename from src/old.ts", "rename to src/new.ts", "-const timeout = 10;", "+const timeout = 30;", "Binary files a/logo.png and b/logo.png differ", "@@ -1,63 +1,63 @@"]) {
      expect(out.text).toContain(line);
    }
    expect(out.text).toContain(" unchanged line 28\n unchanged line 29\n-const timeout = 10;");
    expect(out.text).toMatch(/\[headroom: 28 of \d+ lines omitted at src\/new\.ts \(28 unchanged context\)/);
  });

  it("reads hunks by their line counts, so a removed `-- comment` line is not a file header", () => {
    const body = Array.from({ length: 40 }, (_, i) => ` select ${i};`);
    const diff = ["--- a/q.sql", "+++ b/q.sql", "@@ -1,42 +1,41 @@", "--- a comment that was removed", "-select 0;", "+select 1;", ...body].join("\n");
    const out = runCompressor(diffCompressor, tokens, [diff, diff.replaceAll("q.sql", "r.sql")].join("\n"), { budget: 300 });
    expect(out.text).toContain("--- a comment that was removed");
    expect(out.text).toContain("+select 1;");
  });

  it("shows the files a query names first", () => {
    const text = fixture("diff/headroom-history.diff");
    const out = runCompressor(diffCompressor, tokens, text, { query: "what changed in the diff compressor and its relevance" });
    expect(out.text).toMatch(/^\+.*/m);
    const shownFiles = out.text.split("\n").filter((l) => l.startsWith("+++ b/")).map((l) => l.slice(6));
    expect(shownFiles.length).toBeGreaterThan(0);
  });
});
