#!/usr/bin/env node
/**
 * An OpenAI-compatible `POST /v1/embeddings` server on loopback with deterministic vectors (each
 * word adds one to the dimension its hash picks): the cost of a real endpoint's HTTP round trip
 * without a model, for timing memory search by meaning. Its own process, so its work is not
 * counted in the searching process's time. Prints its URL on stdout.
 *
 *   node bench/fake-embeddings-server.mjs [--dims 768]
 */
import { createServer } from "node:http";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { dims: { type: "string" } } });
const dims = Number(values.dims ?? 768);

const server = createServer((req, res) => {
  let body = "";
  req.on("data", (chunk) => (body += chunk));
  req.on("end", () => {
    const { input, model } = JSON.parse(body);
    const data = (Array.isArray(input) ? input : [input]).map((text, index) => {
      const v = new Array(dims).fill(0);
      for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
        let h = 2166136261;
        for (const ch of word) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
        v[(h >>> 0) % dims] += 1;
      }
      return { object: "embedding", index, embedding: v };
    });
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ object: "list", model, data }));
  });
});
server.listen(0, "127.0.0.1", () => process.stdout.write(`http://127.0.0.1:${server.address().port}/v1\n`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
