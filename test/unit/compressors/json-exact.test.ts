import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { queryOriginal } from "../../../src/ccr/retrieve.js";
import { compactJson, DuplicateKeys, JsonNumber, type Json } from "../../../src/compressors/json/format.js";
import { jsonCompressor } from "../../../src/compressors/json/index.js";
import { readJson } from "../../../src/compressors/json/parse.js";
import type { TokenCounter } from "../../../src/tokens/counter.js";
import { runCompressor } from "../../helpers/compress.js";
import { loadedCounter } from "../../helpers/tokens.js";

let tokens: TokenCounter;
beforeAll(async () => {
  tokens = await loadedCounter();
});

const crush = (text: string, options: { query?: string; budget?: number } = {}) => runCompressor(jsonCompressor, tokens, text, options).text;

/** Every number literal of a JSON text, in order. */
function numberLiterals(text: string): string[] {
  return [...text.matchAll(/(?<=[:,[]\s*)-?\d[\d.eE+-]*/g)].map((m) => m[0]);
}

describe("readJson: values as the document wrote them", () => {
  it("returns JSON.parse's value untouched when nothing could be lost", () => {
    const text = '{"id":42,"price":19.99,"when":"2024-10-05T10:05:00-07:00","ok":true,"n":null,"xs":[1,2.5,-3]}';
    expect(readJson(text)).toEqual(JSON.parse(text));
  });

  it("keeps integers beyond 2^53 as written", () => {
    const value = readJson('{"id":1790001234567890123,"small":7}') as { id: Json; small: Json };
    expect(value.id).toBeInstanceOf(JsonNumber);
    expect((value.id as JsonNumber).text).toBe("1790001234567890123");
    expect(value.small).toBe(7);
  });

  it("keeps long decimals, out-of-range numbers and negative zero as written", () => {
    const text = "[0.12345678901234567890, 1e309, -1e400, 1e-400, -0, -0.0, 2.5e-324]";
    const value = readJson(text) as Json[];
    expect(value.map((v) => (v instanceof JsonNumber ? v.text : v))).toEqual(["0.12345678901234567890", "1e309", "-1e400", "1e-400", "-0", "-0.0", "2.5e-324"]);
    expect(compactJson(value)).toBe("[0.12345678901234567890,1e309,-1e400,1e-400,-0,-0.0,2.5e-324]");
  });

  it("reads numbers that only look risky as plain numbers", () => {
    // 16+ digit characters, a 3-digit exponent and a "-0" prefix, none of them losing anything
    const value = readJson("[1.000000000000000, 1e100, -0.5, 0.0001, 1234567890.12345]") as Json[];
    expect(value).toEqual([1, 1e100, -0.5, 0.0001, 1234567890.12345]);
  });

  it("keeps every entry of an object with a repeated key, in order", () => {
    const value = readJson('{"a":1,"b":{"status":"ok","status":"failed"},"c":3}') as { b: Json };
    expect(value.b).toBeInstanceOf(DuplicateKeys);
    expect(compactJson(value.b)).toBe('{"status":"ok","status":"failed"}');
    expect(compactJson(value as Json)).toBe('{"a":1,"b":{"status":"ok","status":"failed"},"c":3}');
  });

  it("keeps a __proto__ key as a property, as JSON.parse does", () => {
    const value = readJson('{"__proto__":{"x":1},"big":12345678901234567890}') as Record<string, Json>;
    expect(Object.keys(value)).toEqual(["__proto__", "big"]);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });

  it("is not fooled by colons and digits inside strings", () => {
    const text = JSON.stringify({ msg: '{"k": 1} at 10:05:00', id: "17900012345678901234567", sha: "c5e752fa3db8489e5dc516822bfda897" });
    expect(readJson(text)).toEqual(JSON.parse(text));
  });

  it("reads every JSON fixture exactly as JSON.parse does when it has to read it itself", () => {
    const dir = fileURLToPath(new URL("../../../fixtures/json/", import.meta.url));
    for (const name of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
      const text = readFileSync(join(dir, name), "utf8");
      // a leading 1e999 makes the reader read the whole text itself
      const [first, rest] = readJson(`[1e999,${text}]`) as [Json, Json];
      expect(first).toBeInstanceOf(JsonNumber);
      expect(rest).toEqual(JSON.parse(text));
      expect(compactJson(rest)).toBe(JSON.stringify(JSON.parse(text)));
    }
  });

  it("reads escapes, empty containers and odd keys as JSON.parse does", () => {
    const text = String.raw`{"a\"b":"x\\","c":"\\\"","u":"\u00e9\ud83d\ude00\n","e":{},"f":[],"g":[[],{}],"1":true,"0":null,"":"empty"}`;
    const [, value] = readJson(`[-0,${text}]`) as [Json, Json];
    expect(value).toEqual(JSON.parse(text));
    expect(Object.keys(value as object)).toEqual(Object.keys(JSON.parse(text)));
  });

  it("rejects what JSON.parse rejects", () => {
    expect(() => readJson('{"a":1,}')).toThrow();
  });

  it("round-trips random documents with risky numbers byte-exact through compactJson", () => {
    let seed = 7;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const literals = ["1790001234567890123", "-0", "0.10000000000000000001", "1e309", "3.14", "12", "-0.0", "9007199254740993", "1E400", "5e-324"];
    for (let round = 0; round < 50; round++) {
      const items = Array.from({ length: 1 + Math.floor(next() * 8) }, () => `{"v":${literals[Math.floor(next() * literals.length)]},"s":"x"}`);
      const text = `[${items.join(",")}]`;
      const value = readJson(text);
      expect(compactJson(value)).toBe(text);
    }
  });
});

describe("JSON crusher: no value shown other than as written", () => {
  it("shows 60 distinct ids beyond 2^53 as themselves, never as a constant", () => {
    const items = Array.from({ length: 60 }, (_, i) => `{"id":${1790001234567890100n + BigInt(i)},"service":"billing","status":"ok"}`);
    const out = crush(`[${items.join(",\n")}]`);
    expect(out).not.toMatch(/every item has[^)]*id=/);
    expect(out).not.toContain("1790001234567890200"); // the double all of them would have become
    for (const id of numberLiterals(out).filter((n) => n.length >= 19)) expect(BigInt(id) - 1790001234567890100n).toBeLessThan(60n);
    expect(out).toContain("1790001234567890100");
  });

  it("keeps a truly constant big id as a constant, written exactly", () => {
    const items = Array.from({ length: 30 }, (_, i) => `{"tenant":1790001234567890123,"n":${i}}`);
    const out = crush(`[${items.join(",")}]`, { budget: 2000 });
    expect(out).toContain("tenant=1790001234567890123");
  });

  it("does not summarise ten distinct 21-digit values as one", () => {
    const items = Array.from({ length: 10 }, (_, i) => `{"v":${"1".repeat(20)}${i},"k":"same"}`);
    const out = crush(`[${items.join(",")}]`, { budget: 100_000 });
    for (let i = 0; i < 10; i++) expect(out).toContain(`${"1".repeat(20)}${i}`);
    expect(out).not.toMatch(/v=/);
  });

  it("shows 1e309 and -0 as written, not null and 0", () => {
    const out = crush('{"huge":1e309,"negzero":-0,"tiny":1e-400,"list":[1,2,3]}', { budget: 100_000 });
    expect(out).toContain("huge: 1e309");
    expect(out).toContain("negzero: -0");
    expect(out).toContain("tiny: 1e-400");
    expect(out).not.toContain("null");
  });

  it("computes no statistics over numbers a double cannot hold", () => {
    const values = Array.from({ length: 200 }, (_, i) => `${9007199254740993n + BigInt(i * 2)}`);
    const out = crush(`{"samples":[${values.join(",")}]}`, { budget: 300 });
    expect(out).not.toMatch(/mean|median/);
    for (const n of numberLiterals(out)) if (n.length >= 16) expect(values).toContain(n);
  });

  it("still computes statistics when every number is exact", () => {
    const values = Array.from({ length: 200 }, (_, i) => i * 3);
    const out = crush(JSON.stringify({ samples: values }), { budget: 300 });
    expect(out).toMatch(/min 0, max 597/);
  });

  it("shows both values of a repeated key, with a note", () => {
    const out = crush('{"name":"deploy","status":"ok","status":"failed","retries":3}', { budget: 100_000 });
    expect(out).toContain("status: ok");
    expect(out).toContain("status: failed");
    expect(out).toMatch(/repeated keys: "status" 2 times/);
  });

  it("keeps an item whose repeated key says it failed, and shows it whole", () => {
    const items = Array.from({ length: 300 }, (_, i) =>
      i === 123 ? `{"id":${i},"status":"ok","status":"failed","msg":"run ${i}"}` : `{"id":${i},"status":"ok","msg":"run ${i}"}`,
    );
    const out = crush(`[${items.join(",\n")}]`);
    expect(out).toContain('{"id":123,"status":"ok","status":"failed","msg":"run 123"}');
  });

  it("finds a big id by query and retrieves it byte-exact", () => {
    const items = Array.from({ length: 400 }, (_, i) => `{"id":${1790001234567890100n + BigInt(i)},"name":"order ${i}"}`);
    const text = `[${items.join(",\n")}]`;
    const out = crush(text, { query: "1790001234567890317" });
    expect(out).toContain("1790001234567890317");
    const found = queryOriginal(text, "1790001234567890317", 5, 1e6, (t) => tokens.measure(t).tokens);
    expect(found.matches[0]!.text).toBe('{"id":1790001234567890317,"name":"order 217"}');
    expect(queryOriginal(text, "$[217].id", 5, 1e6, (t) => tokens.measure(t).tokens).matches[0]!.text).toBe("1790001234567890317");
  });
});
