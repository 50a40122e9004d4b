import { describe, expect, it } from "vitest";
import { decodeVector, embeddingsEndpoint, encodeVector } from "../../../src/memory/embeddings.js";
import { VectorRows } from "../../../src/memory/vectors.js";

describe("vector rows", () => {
  it("score every wanted row against a query, reuse freed rows, and grow", () => {
    const rows = new VectorRows<string>(5);
    const unit = (...xs: number[]) => {
      const norm = Math.hypot(...xs);
      return Float32Array.from(xs.map((x) => x / norm));
    };
    const a = rows.add("a", unit(1, 0, 0, 0, 0));
    rows.add("b", unit(1, 1, 0, 0, 0));
    for (let i = 0; i < 2000; i++) rows.add(`x${i}`, unit(0, 0, 0, 1, 1));
    rows.remove(a);
    expect(rows.add("c", unit(0, 0, 1, 0, 0))).toBe(a);
    const scores = rows.scores(unit(1, 0, 0, 0, 0))!;
    const seen = new Map<string, number>();
    for (let row = 0; row < rows.rows; row++) seen.set(rows.itemAt(row)!, scores[row]!);
    expect(seen.size).toBe(2002);
    expect(seen.get("b")).toBeCloseTo(Math.SQRT1_2, 6);
    expect(seen.get("c")).toBe(0);
    expect(seen.get("x7")).toBe(0);
    expect(rows.scores(unit(0, 0, 0, 1, 1))![rows.rows - 1]).toBeCloseTo(1, 6);
    // a query of another size matches nothing
    expect(rows.scores(new Float32Array(3))).toBeUndefined();
  });

  it("store a vector as base64 float32s, exactly", () => {
    const v = Float32Array.from([0.1, -2.5, 3e-8, 1]);
    expect(decodeVector(encodeVector(v))).toEqual(v);
  });

  it("accept a server's base URL or its embeddings URL", () => {
    expect(embeddingsEndpoint("http://127.0.0.1:11434/v1")).toBe("http://127.0.0.1:11434/v1/embeddings");
    expect(embeddingsEndpoint("http://127.0.0.1:11434/v1/")).toBe("http://127.0.0.1:11434/v1/embeddings");
    expect(embeddingsEndpoint("http://127.0.0.1:8080")).toBe("http://127.0.0.1:8080/v1/embeddings");
    expect(embeddingsEndpoint("http://127.0.0.1:8080/v1/embeddings")).toBe("http://127.0.0.1:8080/v1/embeddings");
  });
});

describe("embeddings client", () => {
  it("says what went wrong: no answer in time, not JSON, not one vector per input", async () => {
    const { createServer } = await import("node:http");
    const answers: Record<string, (res: import("node:http").ServerResponse) => void> = {
      "/slow/v1/embeddings": () => undefined,
      "/garbage/v1/embeddings": (res) => res.end("<html>"),
      "/short/v1/embeddings": (res) => res.end(JSON.stringify({ data: [] })),
      "/words/v1/embeddings": (res) => res.end(JSON.stringify({ data: [{ index: 0, embedding: ["a"] }] })),
    };
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () => answers[req.url!]!(res));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as import("node:net").AddressInfo).port}`;
    const { EmbeddingsClient, EmbeddingsUnavailable } = await import("../../../src/memory/embeddings.js");
    const embed = (path: string) => new EmbeddingsClient({ url: `${base}/${path}/v1`, model: "m" }).embed(["x"], 200);
    try {
      await expect(embed("slow")).rejects.toThrow(/did not answer \(no answer within 200 ms\)$/);
      await expect(embed("garbage")).rejects.toThrow(/answered with something that is not JSON$/);
      await expect(embed("short")).rejects.toThrow(/answered without one embedding per input$/);
      await expect(embed("words")).rejects.toBeInstanceOf(EmbeddingsUnavailable);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
