import { readdirSync } from "node:fs";
import { Tiktoken } from "js-tiktoken/lite";
import o200k from "js-tiktoken/ranks/o200k_base";
import { beforeAll, describe, expect, it } from "vitest";
import { EXACT_COUNT_LIMIT, type TokenCounter } from "../../../src/tokens/counter.js";
import { fixture } from "../../helpers/data.js";
import { loadedCounter } from "../../helpers/tokens.js";

/** js-tiktoken's own encoder is the reference: our counts must equal `encode().length`. */
let reference: Tiktoken;
let tokens: TokenCounter;
beforeAll(async () => {
  tokens = await loadedCounter();
  reference = new Tiktoken(o200k);
});

const referenceCount = (text: string) => reference.encode(text, [], []).length;

const everyFixture = readdirSync(new URL("../../../fixtures", import.meta.url), { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && !e.name.endsWith(".mjs") && !e.name.endsWith(".sh"))
  .map((e) => `${e.parentPath.split("/fixtures")[1]!.replace(/^\//, "")}/${e.name}`.replace(/^\//, ""));

describe("token counter", () => {
  it("counts short texts exactly", async () => {
    expect(await tokens.count("hello world")).toEqual({ tokens: 2, estimated: false });
    expect(tokens.measure("").tokens).toBe(0);
  });

  it("has fixtures to check", () => expect(everyFixture.length).toBeGreaterThan(20));

  it.each(everyFixture.map((f) => [f]))("counts %s exactly, as js-tiktoken does", (file) => {
    const text = fixture(file);
    if (text.length > EXACT_COUNT_LIMIT) return; // larger ones are estimated; see below
    const counted = tokens.measure(text);
    expect(counted.estimated).toBe(false);
    expect(counted.tokens).toBe(referenceCount(text));
  });

  it("counts again from its cache to the same total", () => {
    const text = fixture("json/k8s-pods.json");
    expect(tokens.measure(text).tokens).toBe(tokens.measure(text).tokens);
  });

  it("counts unicode, marks, odd whitespace and contractions exactly", () => {
    const samples = [
      "Café naïve résumé — “quoted” ‘single’ «guillemets» 中文字符 日本語のテキスト 한국어 텍스트",
      "emoji 👩‍👩‍👧‍👦 🇫🇷 e\u0301 a\u0308\u0301 \u00a0nbsp\u2003em\u3000ideographic\ufeffbom",
      "Don't you'll WE'RE they've I'M he'd O'NEIL's it'S x'LL \r\n\r\n  \t\v\f end",
      "lone surrogates \ud800 and \udc00 and a pair \ud83d\ude00",
      "ÉCOLE École éCOLE ÅNGSTRÖM mixedCASEWords HTTPServer XMLHttpRequest 1234567 ١٢٣٤ ⅫⅣ",
      "<|endoftext|> and <|endofprompt|> are ordinary text here",
    ];
    for (const text of samples) expect(tokens.measure(text).tokens, text).toBe(referenceCount(text));
  });

  it("splits text into pieces exactly as o200k's pattern does (fuzzed)", () => {
    const alphabet = ["a", "Z", "'", "s", "l", "L", "e", "R", "1", "23", " ", " ", "  ", "\t", "\n", "\r\n", "\v", "/", ".", "(", "-", "é", "É", "\u00a0", "中", "\u0301", "\u0000", "ǅ", "ʰ", "٣"];
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    for (let i = 0; i < 3000; i++) {
      let text = "";
      const length = 1 + Math.floor(random() * 24);
      for (let j = 0; j < length; j++) text += alphabet[Math.floor(random() * alphabet.length)];
      expect(tokens.measure(text).tokens, JSON.stringify(text)).toBe(referenceCount(text));
    }
  });

  it("counts multi-line texts line by line exactly, whatever starts or ends a line (fuzzed)", () => {
    const lines = ["  \"name\": \"nginx\",", "// comment", "/path/to", "\tindented", "   ", "", "\r", "}", "  - item", "\u00a0nbsp", "é", "x  ", "  /x", "123", "\v", "Don't"];
    let seed = 11;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    for (let i = 0; i < 2000; i++) {
      let text = "";
      const count = 1 + Math.floor(random() * 12);
      for (let j = 0; j < count; j++) text += lines[Math.floor(random() * lines.length)] + (random() < 0.8 ? "\n" : random() < 0.5 ? "\r\n" : "\n\n");
      if (random() < 0.3) text = text.trimEnd();
      expect(tokens.measure(text).tokens, JSON.stringify(text)).toBe(referenceCount(text));
    }
  });

  it("counts long runs (merged through the heap) exactly", () => {
    for (const run of ["=".repeat(700), " ".repeat(900) + "x", "ab".repeat(400), "Ab3+".repeat(200), "aGVsbG8gd29ybGQ".repeat(40), "é".repeat(300), "-_".repeat(350) + "\n"]) {
      expect(tokens.measure(run).tokens, run.slice(0, 12)).toBe(referenceCount(run));
    }
  });

  it("counts a 30 KB run exactly and a megabyte-long run in chunks, flagged as estimated", () => {
    const run = "kq".repeat(1000); // js-tiktoken's merge is quadratic: a longer reference run takes minutes
    expect(tokens.measure(run)).toEqual({ tokens: referenceCount(run), estimated: false });
    expect(tokens.measure("k".repeat(30_000)).estimated).toBe(false);
    const blob = tokens.measure("a".repeat(1_000_000));
    expect(blob.estimated).toBe(true);
    expect(blob.tokens).toBeGreaterThan(1000);
    expect(tokens.measure(" ".repeat(1_000_000) + "x").estimated).toBe(true);
    expect(tokens.measure("short again")).toEqual({ tokens: 2, estimated: false });
  });

  it("never answers a line from a chunk of a long run counted earlier", () => {
    tokens.measure("!".repeat(33 * 1024) + "\n//"); // its last chunk is "\n//"
    for (const text of ["\n//", "\n\n//", "\r\n//"]) expect(tokens.measure(text)).toEqual({ tokens: referenceCount(text), estimated: false });
  });

  it("estimates texts over the exact limit within 1% and says so", async () => {
    const text = fixture("json/app-log-records.json");
    expect(text.length).toBeGreaterThan(EXACT_COUNT_LIMIT);
    const estimate = tokens.measure(text);
    expect(estimate.estimated).toBe(true);
    const exact = await tokens.countExact(text);
    expect(Math.abs(estimate.tokens - exact) / exact).toBeLessThan(0.01);
  });
});
