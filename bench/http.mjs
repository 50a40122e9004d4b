#!/usr/bin/env node
// npm run bench:http — a bounded load test on loopback: 8 concurrent clients × 500 compress +
// retrieve calls (20 KB JSON payloads, each different) against one server with the SQLite store.
// Reports errors, originals that did not come back intact, and p50/p99 latency per call.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const CLIENTS = Number(process.env.LOAD_CLIENTS ?? 8);
const CALLS = process.argv.includes("--quick") ? 50 : 500;

const store = join(mkdtempSync(join(tmpdir(), "headroom-load-")), "store.sqlite");
const child = spawn(process.execPath, [join(root, "dist/bin/main.js"), "--http", "--port", "0", "--store", store, "--log-level", "info"], { stdio: ["ignore", "ignore", "pipe"] });
let err = "";
const url = await new Promise((resolve, reject) => {
  child.stderr.on("data", (c) => {
    err += c;
    const m = /serving MCP at (http:\/\/\S+)\/mcp/.exec(err);
    if (m) resolve(m[1]);
  });
  child.on("exit", () => reject(new Error(err)));
  setTimeout(() => reject(new Error("server did not start")), 10_000);
});
const ready = await fetch(`${url}/health`);
if (!ready.ok) throw new Error("no health");

/** About 20 KB of JSON, different for every call. */
function payload(client, call) {
  return JSON.stringify(
    Array.from({ length: 110 }, (_, i) => ({ id: `${client}-${call}-${i}`, service: ["api", "auth", "billing"][i % 3], status: i === 57 ? "failed" : "ok", latency_ms: 20 + ((i * 7 + call) % 50), message: `request ${i} of call ${call} handled` })),
  );
}

const compressTimes = [];
const retrieveTimes = [];
let errors = 0;
let lost = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: CLIENTS }, async (_, c) => {
    const client = new Client({ name: `load-${c}`, version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`)));
    for (let i = 0; i < CALLS; i++) {
      const content = payload(c, i);
      let t0 = performance.now();
      const compressed = await client.callTool({ name: "compress_tool_result", arguments: { content } });
      compressTimes.push(performance.now() - t0);
      const hash = compressed.structuredContent?.hash;
      if (compressed.isError || !hash) {
        errors++;
        continue;
      }
      t0 = performance.now();
      const back = await client.callTool({ name: "headroom_retrieve", arguments: { hash, limit: 100_000 } });
      retrieveTimes.push(performance.now() - t0);
      if (back.isError) errors++;
      else if (back.structuredContent?.content !== content) lost++;
    }
    await client.close();
  }),
);
const seconds = (performance.now() - started) / 1000;
child.kill("SIGTERM");

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
console.log(`\n## HTTP load (${CLIENTS} clients × ${CALLS} compress + retrieve, 20 KB JSON, SQLite store, loopback)\n`);
console.log(`| call | calls | p50 ms | p99 ms |\n|---|---|---|---|`);
console.log(`| compress_tool_result | ${compressTimes.length} | ${pct(compressTimes, 50).toFixed(1)} | ${pct(compressTimes, 99).toFixed(1)} |`);
console.log(`| headroom_retrieve | ${retrieveTimes.length} | ${pct(retrieveTimes, 50).toFixed(1)} | ${pct(retrieveTimes, 99).toFixed(1)} |`);
console.log(`\nerrors: ${errors}; originals lost or changed: ${lost}; ${((compressTimes.length + retrieveTimes.length) / seconds).toFixed(0)} calls/s; target p50 <= 10 ms`);
process.exit(errors + lost === 0 ? 0 : 1);
