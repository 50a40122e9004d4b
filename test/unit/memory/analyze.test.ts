import { describe, expect, it } from "vitest";
import { analyzeDocument, analyzeQuery, stem, words } from "../../../src/memory/analyze.js";

describe("memory terms", () => {
  it("split identifiers into their words and keep the identifier whole too", () => {
    const of = (text: string) => words(text).map((w) => w.word);
    expect(of("retryWithBackoff")).toEqual(["retrywithbackoff", "retry", "backoff"]);
    expect(of("user_sessions")).toEqual(["user_sessions", "user", "sessions"]);
    expect(of("scripts/deploy-prod.sh")).toEqual(["scripts/deploy-prod.sh", "scripts", "deploy", "prod", "sh"]);
    expect(of("exporter.otlp.timeout_ms")).toEqual(["exporter.otlp.timeout_ms", "exporter", "otlp", "timeout", "ms"]);
    expect(of("parseHTTPResponse")).toEqual(["parsehttpresponse", "parse", "http", "response"]);
    // a sentence's full stop is not part of a word
    expect(of("It runs on Fridays.")).toEqual(["runs", "fridays"]);
  });

  it("stem the forms of a word alike", () => {
    expect(new Set(["prefers", "preference", "preferred"].map(stem))).toEqual(new Set(["prefer"]));
    expect(stem("deployed")).toBe(stem("deployment"));
    expect(stem("migrating")).toBe(stem("migration"));
    expect(stem("k8s")).toBe("k8s");
  });

  it("weigh tags above the text", () => {
    const doc = analyzeDocument("deploys run from CI", ["deploy"], undefined);
    expect(doc.tf.get(stem("deploy"))).toBe(4);
    expect(doc.tagTerms.has(stem("deploy"))).toBe(true);
  });

  it("widen a query with synonyms, abbreviations and the things a general word names", () => {
    const terms = analyzeQuery("db configuration for the package manager");
    const find = (term: string) => terms.find((t) => t.term === term);
    expect(find(stem("database"))).toMatchObject({ kind: "synonym", from: "db" });
    expect(find("config")).toMatchObject({ kind: "synonym", from: "configuration" });
    expect(find("pnpm")).toMatchObject({ kind: "related", from: "package manager" });
    // its own words are whole matches
    expect(find(stem("configuration"))).toMatchObject({ kind: "word", weight: 1 });
    // a phrase is one term, matched only as a phrase: "pr" does not find every "request"
    const pr = analyzeQuery("open pr").filter((t) => t.from === "pr");
    expect(pr.find((t) => t.term === "pull request")).toMatchObject({ phrase: ["pull", "request"], kind: "synonym", weight: 0.8 });
    expect(pr.find((t) => t.term === "request")).toBeUndefined();
    // identifiers of the table match whole
    expect(analyzeQuery("oncall rota").find((t) => t.term === "on-call")).toMatchObject({ kind: "synonym" });
  });
});
