import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../../src/engine/engine.js";
import { compressCallResult } from "../../../src/gateway/forward.js";
import type { TokenCounter } from "../../../src/tokens/counter.js";
import { memoryEngine } from "../../helpers/engine.js";
import { loadedCounter } from "../../helpers/tokens.js";

let tokens: TokenCounter;
let engine: Engine;
beforeAll(async () => {
  tokens = await loadedCounter();
  engine = (await memoryEngine(tokens)).engine;
});

/** 600 log lines, one of them the error the model is after. */
const log = Array.from({ length: 600 }, (_, i) =>
  i === 417 ? "2026-11-20 10:06:57 ERROR worker-1 payment PG-5523 declined: card expired" : `2026-11-20 10:${String(Math.floor(i / 60) % 60).padStart(2, "0")}:${String(i % 60).padStart(2, "0")} INFO worker-${i % 4} processed batch ${i} in ${(i * 37) % 900} ms`,
).join("\n");

const image = { type: "image" as const, data: "iVBORw0KGgo=", mimeType: "image/png" };

function size(result: CallToolResult): number {
  return JSON.stringify(result).length;
}

function textOf(result: CallToolResult, index = 0): string {
  const block = result.content[index];
  if (block?.type !== "text") throw new Error(`block ${index} is not text`);
  return block.text;
}

describe("compressCallResult", () => {
  it("compresses a large text block under a header, and the hash gives the original back", async () => {
    const original: CallToolResult = { content: [{ type: "text", text: log }] };
    const { result, compressed } = await compressCallResult(engine, "tail_logs", original, { query: "PG-5523" });
    expect(compressed).toBe(true);
    const text = textOf(result);
    const header = /^\[headroom: tail_logs result compressed from ([\d,]+) to [\d,]+ characters; the whole result: headroom_retrieve hash=([0-9a-f]{24}) \(with query= for just the lines you need\)\]\n/.exec(text);
    expect(header, text.slice(0, 300)).not.toBeNull();
    expect(header![1]).toBe(log.length.toLocaleString("en-US"));
    expect(text).toContain("PG-5523");
    expect(text.length).toBeLessThan(log.length);
    const back = await engine.retrieve({ hash: header![2]! });
    expect(back.content).toBe(log);
    expect(original.content[0]).toMatchObject({ text: log }); // the input is not mutated
  });

  it("returns small results, errors and `off` as they were", async () => {
    const small: CallToolResult = { content: [{ type: "text", text: "a short answer" }] };
    expect(await compressCallResult(engine, "t", small)).toEqual({ result: small, compressed: false });
    expect((await compressCallResult(engine, "t", small)).result).toBe(small);
    const failed: CallToolResult = { isError: true, content: [{ type: "text", text: log }] };
    expect((await compressCallResult(engine, "t", failed)).result).toBe(failed);
    const big: CallToolResult = { content: [{ type: "text", text: log }] };
    expect((await compressCallResult(engine, "t", big, { off: true })).result).toBe(big);
    expect((await compressCallResult(engine, "t", big, { minChars: log.length + 1 })).result).toBe(big);
  });

  it("leaves image blocks and small text blocks alone, each text block on its own", async () => {
    const original: CallToolResult = { content: [image, { type: "text", text: "caption" }, { type: "text", text: log }] };
    const { result } = await compressCallResult(engine, "t", original);
    expect(result.content[0]).toBe(image);
    expect(result.content[1]).toEqual({ type: "text", text: "caption" });
    expect(textOf(result, 2)).toMatch(/^\[headroom: t result compressed/);
  });

  it("drops structuredContent when it compressed, keeps it when not", async () => {
    const structured = { lines: log.split("\n").length };
    const big: CallToolResult = { content: [{ type: "text", text: log }], structuredContent: structured, _meta: { origin: "test" } };
    const { result, compressed } = await compressCallResult(engine, "t", big);
    expect(compressed).toBe(true);
    expect(result).not.toHaveProperty("structuredContent");
    expect(result._meta).toEqual({ origin: "test" });
    const small: CallToolResult = { content: [{ type: "text", text: "ok" }], structuredContent: structured };
    expect((await compressCallResult(engine, "t", small)).result).toBe(small);
  });

  it("compresses a single-field JSON text as the string it holds", async () => {
    const original: CallToolResult = { content: [{ type: "text", text: JSON.stringify({ content: log }) }] };
    const { result } = await compressCallResult(engine, "read_text_file", original);
    const hash = /hash=([0-9a-f]{24})/.exec(textOf(result))![1]!;
    expect((await engine.retrieve({ hash })).content).toBe(log);
  });

  it("never returns a larger result", async () => {
    const cases: CallToolResult[] = [
      { content: [{ type: "text", text: log }] },
      // unique prose: nothing to gain
      { content: [{ type: "text", text: Array.from({ length: 120 }, (_, i) => `Paragraph ${i} explains a distinct idea number ${i * 7919} in its own words.`).join("\n") }] },
      { content: [image, { type: "text", text: JSON.stringify(Array.from({ length: 300 }, (_, i) => ({ id: i, status: i % 7 ? "ok" : "failed" }))) }], structuredContent: { n: 300 } },
    ];
    for (const original of cases) expect(size((await compressCallResult(engine, "t", original)).result)).toBeLessThanOrEqual(size(original));
    // an engine that pads: the header alone makes it longer, so the block stays
    const padding = { compress: async () => ({ ...(await engine.compress({ content: log })), compressed: log }) };
    const original: CallToolResult = { content: [{ type: "text", text: log }] };
    expect((await compressCallResult(padding, "t", original)).result).toBe(original);
  });

  it("returns the original when the engine throws", async () => {
    const warnings: string[] = [];
    const logger = { error() {}, warn: (message: string) => void warnings.push(message), info() {}, debug() {} };
    const broken = {
      compress: () => Promise.reject(new Error("disk on fire")),
    };
    const original: CallToolResult = { content: [{ type: "text", text: log }], structuredContent: { n: 1 } };
    expect(await compressCallResult(broken, "t", original, {}, logger)).toEqual({ result: original, compressed: false });
    expect(warnings).toEqual(["could not compress the result of t; passing it on unchanged"]);
  });
});
