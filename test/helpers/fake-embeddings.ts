import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * An OpenAI-compatible `/v1/embeddings` server on loopback with deterministic vectors: each word
 * of a text adds one to the dimension of its concept (CONCEPTS), or of its own hash, so texts that
 * share a concept are near and others are not. It counts requests and can be told to fail.
 */
const DIMS = 384;
const CONCEPTS: Record<string, number> = {
  pnpm: 1, npm: 1, yarn: 1, install: 1, installing: 1, modules: 1, dependencies: 1, package: 1, manager: 1,
  deploy: 2, deploys: 2, release: 2, ship: 2, shipping: 2, production: 2,
  postgres: 3, database: 3, tables: 3, sql: 3, rows: 3,
  friday: 4, weekend: 4, saturday: 4,
};

function vector(text: string): number[] {
  const v = new Array<number>(DIMS).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    const concept = CONCEPTS[word];
    let dim = concept;
    if (dim === undefined) {
      let h = 2166136261;
      for (const ch of word) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
      dim = 8 + ((h >>> 0) % (DIMS - 8));
    }
    v[dim]! += concept === undefined ? 0.3 : 1;
  }
  return v;
}

export interface FakeEmbeddings {
  url: string;
  requests: Array<{ model: string; input: string[]; authorization?: string }>;
  /** While set, every request gets this HTTP status. */
  failWith: number | undefined;
  close(): Promise<void>;
}

export async function startFakeEmbeddings(): Promise<FakeEmbeddings> {
  const fake: FakeEmbeddings = { url: "", requests: [], failWith: undefined, close: async () => {} };
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/v1/embeddings") {
        res.writeHead(404).end();
        return;
      }
      const { model, input } = JSON.parse(body) as { model: string; input: string | string[] };
      const texts = Array.isArray(input) ? input : [input];
      fake.requests.push({ model, input: texts, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
      if (fake.failWith !== undefined) {
        res.writeHead(fake.failWith, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "model not loaded" } }));
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ object: "list", model, data: texts.map((t, index) => ({ object: "embedding", index, embedding: vector(t) })), usage: { prompt_tokens: 0, total_tokens: 0 } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  fake.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return fake;
}
