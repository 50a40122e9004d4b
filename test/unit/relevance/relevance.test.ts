import { describe, expect, it } from "vitest";
import { bm25Scores, rankByScore } from "../../../src/relevance/bm25.js";
import { exactAnchors, terms } from "../../../src/relevance/terms.js";

describe("relevance", () => {
  it("extracts exact anchors from a query", () => {
    expect(exactAnchors('find 550e8400-e29b-41d4-a716-446655440000 and "payment gateway" near ERR-5523 in src/auth/jwt.ts for order 50001402')).toEqual([
      "550e8400-e29b-41d4-a716-446655440000",
      "payment gateway",
      "src/auth/jwt.ts",
      "50001402",
      "err-5523",
    ]);
    expect(exactAnchors("why is the build failing?")).toEqual([]);
  });

  it("drops stopwords and splits snake_case", () => {
    expect(terms("Why is the retry_policy failing?")).toEqual(["retry_policy", "retry", "policy", "failing"]);
  });

  it("ranks rare terms above common ones", () => {
    const docs = ["payment ok", "payment ok", "payment ok", "payment gateway exhausted", "search ok"];
    const ranked = rankByScore(bm25Scores(docs, "payment gateway"));
    expect(ranked[0]).toBe(3);
    expect(ranked).not.toContain(4);
  });
});
