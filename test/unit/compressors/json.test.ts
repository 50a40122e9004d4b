import { beforeAll, describe, expect, it } from "vitest";
import { MARKER_HASH_PATTERN } from "../../../src/ccr/marker.js";
import { DocumentFacts } from "../../../src/compressors/json/facts.js";
import type { Json } from "../../../src/compressors/json/format.js";
import { jsonCompressor } from "../../../src/compressors/json/index.js";
import { renderOutline } from "../../../src/compressors/json/render.js";
import type { CompressorOutput } from "../../../src/compressors/types.js";
import type { Engine } from "../../../src/engine/engine.js";
import { createSample } from "../../../src/router/sample.js";
import type { TokenCounter } from "../../../src/tokens/counter.js";
import { fixture, jsonManifest, needleLogs } from "../../helpers/data.js";
import { memoryEngine } from "../../helpers/engine.js";
import { loadedCounter } from "../../helpers/tokens.js";
import { runCompressor, TEST_HASH } from "../../helpers/compress.js";

let tokens: TokenCounter;
let engine: Engine;

beforeAll(async () => {
  tokens = await loadedCounter();
  engine = (await memoryEngine(tokens)).engine;
});

const HASH = TEST_HASH;

function crush(value: unknown, options: { query?: string; budget?: number } = {}): CompressorOutput {
  return runCompressor(jsonCompressor, tokens, JSON.stringify(value, null, 2), options);
}

/** Original indices of the items shown for a cut array: `67,…` table rows or `- #67` list lines. */
function keptIndices(text: string): number[] {
  const found: number[] = [];
  const table = /\{#,/.test(text);
  for (const line of text.split("\n")) {
    const m = table ? /^\s+(\d+),/.exec(line) : /^\s*- #(\d+)\b/.exec(line);
    if (m) found.push(Number(m[1]));
  }
  return found;
}

describe("JSON crusher: what must survive", () => {
  it("keeps the FATAL record at index 67 of 100 log records, with its index", () => {
    const out = crush(needleLogs());
    expect(out.omitted.length).toBeGreaterThan(0);
    expect(keptIndices(out.text)).toContain(67);
    expect(out.text).toMatch(/^\s+67,.*FATAL.*PG-5523.*Increase max_connections to 500.*1847/m);
    expect(out.text).toContain(`hash=${HASH}`);
  });

  it("keeps all 7 scattered status:failed items among 1,000", () => {
    const failed = [3, 150, 333, 502, 777, 901, 998];
    const items = Array.from({ length: 1000 }, (_, i) => ({
      id: `item_${i}`,
      value: i,
      status: failed.includes(i) ? "failed" : "ok",
      message: `Normal operation ${i}`,
    }));
    const out = crush(items);
    const kept = keptIndices(out.text);
    for (const i of failed) expect(kept).toContain(i);
    expect(kept.length).toBeLessThan(100);
  });

  it("keeps all 5 numeric outliers among 1,000 values in a normal range", () => {
    const outliers = [100, 300, 500, 700, 900];
    const items = Array.from({ length: 1000 }, (_, i) => ({ id: i, sensor: `s-${i % 10}`, value: outliers.includes(i) ? 999_999 : 90 + ((i * 7) % 21) }));
    const kept = keptIndices(crush(items).text);
    for (const i of outliers) expect(kept).toContain(i);
  });

  it("keeps the item whose UUID the query names", () => {
    const items = Array.from({ length: 300 }, (_, i) => ({
      id: `550e8400-e29b-41d4-a716-44665544${i.toString(16).padStart(4, "0")}`,
      name: `record ${i}`,
      state: "active",
    }));
    const target = items[217]!.id as string;
    const out = crush(items, { query: `find record ${target} please` });
    expect(keptIndices(out.text)).toContain(217);
    expect(out.text).toContain(target);
  });

  it("keeps items relevant to a query (BM25) and rare keys", () => {
    const items = Array.from({ length: 200 }, (_, i) => ({ id: i, content: `Generic content about topic ${i}` }) as Record<string, unknown>);
    items[50] = { id: 50, content: "Authentication error: invalid JWT token expired" };
    items[120] = { id: 120, content: "Generic content about topic 120", debug_trace: "x" };
    const kept = keptIndices(crush(items, { query: "Why is JWT authentication failing?" }).text);
    expect(kept).toContain(50);
    expect(kept).toContain(120);
  });

  it("does not treat a query term that most items contain as an identifier", () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({ id: i, endpoint: "/v1/payments/charge", latency_ms: 20 + (i % 30), note: `charge ${i} settled` }));
    const out = crush(items, { query: "errors on /v1/payments/charge", budget: 1000 });
    expect(keptIndices(out.text).length).toBeLessThan(100); // not the 200 an "always keep" would force
    expect(tokens.measure(out.text).tokens).toBeLessThanOrEqual(1150);
  });

  it("keeps every item with a structured error signal even beyond the budget", () => {
    const items = Array.from({ length: 300 }, (_, i) => ({ id: i, value: 100, ...(i % 3 === 0 ? { error: `boom ${i}`, status: "failed" } : { status: "ok" }) }));
    const kept = keptIndices(crush(items, { budget: 500 }).text);
    for (let i = 0; i < 300; i += 3) expect(kept).toContain(i);
  });

  it("says what it left out, and the counts add up", () => {
    const out = crush(needleLogs());
    const record = out.omitted[0]!;
    const kept = keptIndices(out.text).length;
    expect(record.omitted + kept).toBe(record.total);
    expect(Object.values(record.categories).reduce((a, b) => a + b, 0)).toBe(record.omitted);
    expect(out.text).toMatch(/\[headroom: \d+ of 100 items omitted at \$ \(\d+ level=INFO\); headroom_retrieve hash=[0-9a-f]{24}\]/);
  });

  it("shows kept values verbatim", () => {
    const items = needleLogs();
    const out = crush(items);
    for (const i of keptIndices(out.text)) {
      const item = items[i]!;
      const row = out.text.split("\n").find((l) => new RegExp(`^\\s+${i},`).test(l))!;
      expect(row).toContain(String(item.request_id));
      expect(row).toContain(String(item.message));
    }
  });
});

describe("the lossless outline against minified JSON and TOON", () => {
  const files = jsonManifest().map((f) => f.file);
  it.each(files)("%s: never more tokens than minified JSON or TOON", async (file) => {
    const { encode } = await import("@toon-format/toon");
    const text = fixture(`json/${file}`);
    const value = JSON.parse(text) as unknown;
    const outline = renderOutline(JSON.parse(text) as Json, Infinity, { hash: HASH, facts: new DocumentFacts(undefined) }).text;
    const count = (t: string) => tokens.measure(t).tokens;
    expect(count(outline)).toBeLessThanOrEqual(count(JSON.stringify(value)));
    expect(count(outline)).toBeLessThanOrEqual(count(encode(value as Parameters<typeof encode>[0])));
  });

  it("flattens objects nested two levels deep into dotted columns, an empty cell only where the key is missing", () => {
    const items = Array.from({ length: 6 }, (_, i) => ({
      name: `f${i}.ts`,
      repository: { id: 100 + i, owner: { login: ["hooli", "initech"][i % 2], id: 5000 + (i % 2) }, ...(i === 4 ? {} : { description: `repo ${i}` }) },
    }));
    const outline = renderOutline({ items } as unknown as Json, Infinity, { hash: HASH, facts: new DocumentFacts(undefined) }).text;
    expect(outline.split("\n")).toEqual([
      "items[6]{name,repository.id,repository.owner.login,repository.owner.id,repository.description}:",
      "  f0.ts,100,hooli,5000,repo 0",
      "  f1.ts,101,initech,5001,repo 1",
      "  f2.ts,102,hooli,5000,repo 2",
      "  f3.ts,103,initech,5001,repo 3",
      "  f4.ts,104,hooli,5000,",
      "  f5.ts,105,initech,5001,repo 5",
    ]);
    // an empty object at a key keeps that key in one cell, so "missing" and "{}" never read the same
    const withEmpty = items.map((item, i) => (i === 2 ? { ...item, repository: { ...item.repository, owner: {} } } : item));
    const second = renderOutline({ items: withEmpty } as unknown as Json, Infinity, { hash: HASH, facts: new DocumentFacts(undefined) }).text;
    expect(second.split("\n")[0]).toBe("items[6]{name,repository.id,repository.owner,repository.description}:");
    expect(second).toContain("f2.ts,102,{},repo 2");
  });
});

describe("JSON crusher: deep trees of small objects", () => {
  // the shape of `npm ls --all --json`: no big array, objects nested eight levels
  const tree = (depth: number, prefix: string): Json => {
    const node: Record<string, Json> = { version: `${depth}.0.${prefix.length}`, overridden: false };
    if (depth > 0) node.dependencies = Object.fromEntries(Array.from({ length: 3 }, (_, i) => [`${prefix}-${i}`, tree(depth - 1, `${prefix}-${i}`)]));
    return node;
  };
  const doc = { name: "app", version: "1.0.0", dependencies: { ...Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`pkg${i}`, tree(6, `pkg${i}`)])), zod: { version: "4.1.12", overridden: false } } };
  const text = JSON.stringify(doc, null, 2);

  it("folds the levels below a depth to fit the budget, with one marker that counts and names them", async () => {
    const result = await engine.compress({ content: text });
    const budget = Math.min(4000, Math.max(1000, Math.round(result.original_tokens * 0.15)));
    expect(result.compressed_tokens).toBeLessThanOrEqual(budget * 1.1);
    expect(result.compressed).toContain("{…}");
    const marker = result.compressed.split("\n").find((l) => l.includes("subtrees below depth"))!;
    expect(marker).toMatch(/^\[headroom: \d+ of \d+ keys and items omitted at \d+ subtrees below depth \d+ written \{…\} or \[N\]… \(\d+ \$\.dependencies\.pkg\d/);
    expect(marker).toContain(`hash=${result.hash}`);
    // a folded subtree comes back by its path
    const path = /\((\d+) (\$\.[^,]+),/.exec(marker)![2]!;
    const back = await engine.retrieve({ hash: result.hash!, query: path });
    expect(back.mode).toBe("query");
    expect(back.content.startsWith(`${path}: {`)).toBe(true);
  });

  it("keeps the paths to what the query names unfolded", async () => {
    const result = await engine.compress({ content: text, query: "pkg2-1-0-2 version" });
    // unfolded, under a parent that states what its values share (version and overridden) once
    expect(result.compressed).toMatch(/dependencies \(every value has version=3\.0\.10, overridden=false\):\n(?:.*\n){0,8}\s+pkg2-1-0-2:\n\s+dependencies/);
    expect(result.compressed_tokens).toBeLessThan(result.original_tokens / 4);
  });
});

describe("JSON outline: strings that would read as something else", () => {
  it("quotes a first list string that reads like `all N items are`, a lone surrogate, and edge spaces of any kind", () => {
    const render = (doc: unknown) => renderOutline(doc as Json, Infinity, { hash: HASH, facts: new DocumentFacts(undefined) }).text;
    expect(render({ k: ["all 3 items are {x:1", "y:2", "z:3}"] })).toBe('k[3]: "all 3 items are {x:1",y:2,z:3}');
    expect(render({ k: [{ x: 1, y: 2, z: 3 }, { x: 1, y: 2, z: 3 }, { x: 1, y: 2, z: 3 }] })).toBe("k[3]: all 3 items are {x:1,y:2,z:3}");
    expect(render({ s: "\ud800" })).toBe('s: "\\ud800"');
    expect(render({ s: "\u00a0nbsp" })).toBe('s: "\u00a0nbsp"');
  });
});

describe("JSON outline: a map of records", () => {
  it("states what every value shares once, and never leaves a value reading as {}", () => {
    const deps = { express: { version: "5.1.0", overridden: false }, zod: { version: "4.1.12", overridden: false }, keyv: { version: "5.6.0", overridden: false } };
    const outline = renderOutline({ dependencies: deps } as unknown as Json, Infinity, { hash: HASH, facts: new DocumentFacts(undefined) }).text;
    expect(outline.split("\n")).toEqual(["dependencies (every value has overridden=false):", "  express:", "    version: 5.1.0", "  zod:", "    version: 4.1.12", "  keyv:", "    version: 5.6.0"]);
    // every value the same: stating it once would leave each value empty, so it is written out
    const same = { a: { overridden: false }, b: { overridden: false }, c: { overridden: false } };
    const plain = renderOutline({ same } as unknown as Json, Infinity, { hash: HASH, facts: new DocumentFacts(undefined) }).text;
    expect(plain).not.toContain("every value has");
    expect(plain).toContain("  a:\n    overridden: false");
  });
});

describe("JSON crusher: shapes", () => {
  it("renders a uniform array as a table with constants stated once (lossless)", () => {
    const items = Array.from({ length: 30 }, (_, i) => ({ id: i, name: `u_${i}`, status: "ok", meta: { region: "eu", zone: `z${i % 3}` } }));
    const out = crush(items, { budget: 100_000 });
    expect(out.omitted).toEqual([]);
    expect(out.text.split("\n")[0]).toBe("[30]{id,name,meta.zone} (every item has status=ok, meta.region=eu):");
    expect(out.text).toContain("\n  7,u_7,z1\n");
  });

  it("quotes strings that would read as another type", () => {
    const items = Array.from({ length: 5 }, (_, i) => ({ a: "42", b: "true", c: "", d: " padded", e: "x,y", f: `ok${i}` }));
    const out = crush(items, { budget: 100_000 });
    expect(out.text.split("\n")[0]).toBe('[5]{f} (every item has a="42", b="true", c="", d=" padded", e="x,y"):');
    expect(out.text).toContain("\n  ok3\n");
  });

  it("cuts arrays of 500 strings and of 500 numbers with a marker", () => {
    const strings = Array.from({ length: 500 }, (_, i) => `log line number ${i} for the nightly batch job`);
    strings[321] = "ERROR: nightly batch job failed on shard 7";
    const s = crush({ lines: strings });
    expect(s.text).toMatch(/\[headroom: \d+ of 500 strings omitted at \$\.lines/);
    expect(s.text).toContain("- #321 ERROR: nightly batch job failed on shard 7");

    const numbers = Array.from({ length: 500 }, (_, i) => 1000 + (i % 50));
    numbers[250] = 1_000_000;
    const n = crush({ samples: numbers });
    expect(n.text).toMatch(/samples\[500\] \(all 500: min 1000, max 1000000, mean [\d.]+, median [\d.]+\):/);
    expect(n.text).toContain("- #250 1000000");
    expect(n.text).toMatch(/\[headroom: \d+ of 500 numbers omitted at \$\.samples/);
  });

  it("handles mixed arrays, keeping the rare types", () => {
    const mixed: unknown[] = Array.from({ length: 400 }, (_, i) => ({ id: i, kind: "row", note: `entry ${i} of the ledger` }));
    mixed[100] = "a stray string in the middle";
    mixed[200] = 42;
    mixed[300] = null;
    const out = crush(mixed);
    expect(out.text).toContain("- #100 a stray string in the middle");
    expect(out.text).toContain("- #200 42");
    expect(out.text).toContain("- #300 null");
    expect(out.text).toMatch(/\[headroom: \d+ of 400 items omitted at \$/);
  });

  it("cuts very wide objects by key with a marker", () => {
    const wide: Record<string, unknown> = {};
    for (let i = 0; i < 3000; i++) wide[`feature_flag_${i}`] = { enabled: i % 2 === 0, owner: "platform" };
    wide.feature_flag_1234 = { enabled: false, owner: "platform", error: "flag store unreachable" };
    const out = crush(wide);
    expect(out.text).toContain("feature_flag_1234:");
    expect(out.text).toContain("flag store unreachable");
    expect(out.text).toMatch(/\[headroom: \d+ of 3000 keys omitted at \$/);
  });

  it("cuts a very long string in the middle with a marker", () => {
    const body = "BEGIN " + "lorem ipsum dolor sit amet ".repeat(4000) + " END";
    const out = crush({ id: 1, body });
    expect(out.text).toContain('body: "BEGIN lorem');
    expect(out.text).toMatch(/\[headroom: \d+ of \d+ chars omitted at \$\.body \(middle of the string\); headroom_retrieve hash=/);
    expect(out.text).toContain(' END"');
  });

  it("survives 100 levels of nesting", () => {
    let deep: unknown = Array.from({ length: 300 }, (_, i) => ({ i, text: `leaf ${i} with some words in it` }));
    for (let level = 0; level < 100; level++) deep = { level, child: deep };
    const out = crush(deep);
    expect(out.text).toMatch(/^level: 99$/m);
    expect(out.text).toMatch(/^ +level: 0$/m);
    expect(out.text).toMatch(/\[headroom: \d+ of 300 items omitted at \$(\.child){100}/);
  });

  it("is deterministic: the same input gives the same bytes", () => {
    const a = crush(needleLogs(), { query: "payment gateway" });
    const b = crush(needleLogs(), { query: "payment gateway" });
    expect(a.text).toBe(b.text);
    expect(a.omitted).toEqual(b.omitted);
  });

  it("declines text that is not JSON (the router moves on)", () => {
    const out = jsonCompressor.compress({
      sample: createSample("not json", undefined),
      hash: HASH,
      budgetTokens: 1000,
      originalTokens: 2,
      countTokens: (s) => tokens.measure(s).tokens,
    });
    expect(out).toBeNull();
    expect(jsonCompressor.detect(createSample("not json", undefined))).toBe(0);
    expect(jsonCompressor.detect(createSample(' [{"a":1}]', undefined))).toBe(1);
  });
});

describe("JSON through the engine", () => {
  it.each([["[]"], ['[{"a":1},{"a":2},{"a":3}]'], ["not json"], ["[1,2,3]"]])("returns %s unchanged, without a hash", async (input) => {
    const result = await engine.compress({ content: input });
    expect(result.compressed).toBe(input);
    expect(result.hash).toBeUndefined();
    expect(result.compressor).toBe("none");
  });

  it("accepts a JSON value as well as a string", async () => {
    const result = await engine.compress({ content: needleLogs() });
    expect(result.content_type).toBe("json");
    expect(result.compressed).toContain("PG-5523");
    expect([...result.compressed.matchAll(MARKER_HASH_PATTERN)].every((m) => m[1] === result.hash)).toBe(true);
  });

  it("makes every omitted string and number retrievable", async () => {
    const strings = Array.from({ length: 500 }, (_, i) => `build step ${i} finished without incident`);
    const numbers = Array.from({ length: 500 }, (_, i) => 7 * i);
    const content = JSON.stringify({ strings, numbers });
    const result = await engine.compress({ content });
    expect(result.omitted.map((o) => o.where).sort()).toEqual(["$.numbers", "$.strings"]);
    const full = await engine.retrieve({ hash: result.hash! });
    expect(full.content).toBe(content);
    const one = await engine.retrieve({ hash: result.hash!, query: "build step 377" });
    expect(one.content.split("\n")[0]).toBe('$.strings[377]: "build step 377 finished without incident"');
  });

  it.each(jsonManifest().map((f) => [f.file, f] as const))("%s: keeps every planted anomaly and saves >= 80%%", async (_, f) => {
    const result = await engine.compress({ content: fixture(`json/${f.file}`), query: f.query });
    for (const needle of f.mustKeep) expect(result.compressed).toContain(needle);
    expect(result.compressed_tokens).toBeLessThanOrEqual(result.original_tokens * 0.2);
  });

  it("never returns more tokens than it was given", async () => {
    for (const f of jsonManifest()) {
      const result = await engine.compress({ content: fixture(`json/${f.file}`) });
      expect(result.compressed_tokens).toBeLessThan(result.original_tokens);
    }
  });
});

describe("JSON crusher: the lossless outline's lower bound", () => {
  // the crusher skips rendering the lossless outline when this bound is over the budget, so it
  // must never exceed what the outline really takes
  const documents: Array<[string, unknown]> = [
    ...["json/github-issues.json", "json/github-code-search.json", "json/k8s-pods.json", "json/users-page.json", "json/manifest.json"].map((f) => [f, JSON.parse(fixture(f))] as [string, unknown]),
    ["identical items", Array.from({ length: 500 }, () => ({ status: "ok", region: "eu", tags: ["a", "b"] }))],
    ["constant columns", Array.from({ length: 300 }, (_, i) => ({ id: i, kind: "order", meta: { region: "eu", v: 2 }, note: i % 7 ? "" : "x" }))],
    ["nested constant arrays", { pods: Array.from({ length: 40 }, (_, i) => ({ name: `p${i}`, containers: Array.from({ length: 3 }, () => ({ image: "nginx:1.27", ready: true })) })) }],
    ["scalars and mixed", { xs: Array.from({ length: 200 }, (_, i) => (i % 3 ? i : `s${i}`)), deep: [[[1, 2], [1, 2]], [[1, 2], [1, 2]]], empty: [[], {}, ""] }],
    ["needle logs", needleLogs()],
  ];
  for (const [label, value] of documents) {
    it(`stays within the outline of ${label}`, () => {
      const facts = new DocumentFacts(undefined);
      const bound = facts.outlineLowerBound(value as Json);
      const outline = renderOutline(value as Json, Infinity, { hash: HASH, facts });
      expect(bound).toBeGreaterThan(0);
      expect(bound).toBeLessThanOrEqual(outline.text.length);
    });
  }
});
