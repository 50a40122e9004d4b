#!/usr/bin/env node
// npm run fuzz -- --calls N [--seed S] — the contract checks on random inputs, as a host sees
// them: the built server in its own process, a real SQLite store, the SDK client over stdio.
//   - never larger: compressed_tokens <= original_tokens, and a pass-through is the input itself;
//   - every marker's hash resolves, byte-exact, to the input (read back page by page);
//   - deterministic: the same input gives the same output;
//   - no internal_error: bad input gets a clear error, good input a result.
// Exits 1 on any violation and prints the seed and case to reproduce it.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const calls = Number(arg("calls", "300"));
const seed = Number(arg("seed", String(Date.now() % 1_000_000)));

/** mulberry32: small, seedable, good enough to pick cases. */
function rng(s) {
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(seed);
const int = (n) => Math.floor(random() * n);
const pick = (list) => list[int(list.length)];

const WORDS = "alpha beta gamma delta error warn timeout retry user order payment cache queue node pod deploy build test pass fail ok null true".split(" ");
const ODD = ["", " ", "\t", "\u0000", "\u0007", "\u001f", "\u2028", "é", "ü", "✓", "😀", "\ud800", "\udfff", "\ufffd", '"', "\\", "\n", "\r\n", "[headroom", "#", "-", "..."];
const word = () => (random() < 0.08 ? pick(ODD) : pick(WORDS));
const words = (n) => Array.from({ length: n }, word).join(" ");

function scalar() {
  switch (int(11)) {
    case 0: return int(1000);
    case 1: return random() * 1e6 - 5e5;
    case 2: return pick([true, false, null]);
    case 3: return pick(["ok", "ok", "ok", "failed", "pending"]);
    case 4: return words(1 + int(12));
    case 5: return `${int(9) + 1}${String(int(1e9)).padStart(9, "0")}${String(int(1e9)).padStart(9, "0")}`; // big id as text
    case 6: return new Date(Date.UTC(2026, 0, 1) + int(3e10)).toISOString();
    case 7: return pick(["", " ", "true", "42", "1e3", "-", "null", "[x]", "#1"]);
    default: return words(2);
  }
}

function record(keys, depth) {
  const out = {};
  for (const key of keys) if (random() < 0.93) out[key] = depth < 2 && random() < 0.1 ? record(keys.slice(0, 3), depth + 1) : scalar();
  if (random() < 0.05) out[`rare_${int(5)}`] = scalar();
  if (random() < 0.03) out.error = { message: words(6), code: `E${int(999)}` };
  return out;
}

/** A JSON text with number literals JSON.parse cannot hold exactly, and duplicate keys. */
function jsonText() {
  const keys = Array.from({ length: 3 + int(8) }, (_, i) => pick(["id", "name", "status", "latency_ms", "region", "msg", "user", "count"]) + (i > 7 ? i : ""));
  const items = Array.from({ length: 5 + int(400) }, () => record([...new Set(keys)], 0));
  let text = JSON.stringify(random() < 0.5 ? items : { total: items.length, items }, null, random() < 0.7 ? 2 : undefined);
  if (random() < 0.3) text = text.replace(/"count": (\d+)/g, (_, d) => `"count": 1790001234567890${d.padStart(3, "0")}`);
  if (random() < 0.1) text = text.replace(/\{"id"|\{\n(\s+)"id"/, (m) => `${m.startsWith("{\n") ? m.replace('"id"', '"dup": 1, "dup"') : '{"dup": 1, "dup": 2, "id"'}`);
  if (random() < 0.1) text = text.replace(/: (\d+)\.\d+/, ": 1e309");
  return text;
}

function logText() {
  const levels = ["INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"];
  const lines = [];
  const n = 50 + int(1500);
  for (let i = 0; i < n; i++) {
    const ts = new Date(Date.UTC(2026, 10, 22) + i * 137).toISOString();
    const level = pick(levels);
    lines.push(`${ts} ${level} [${pick(["api", "db", "worker-" + int(4)])}] ${words(3 + int(8))} id=${int(100000)} took ${int(900)}ms`);
    if (level === "ERROR" && random() < 0.4) for (let f = 0; f < 3 + int(6); f++) lines.push(`    at ${pick(WORDS)}.${pick(WORDS)} (/srv/app/${pick(WORDS)}.js:${int(400)}:${int(80)})`);
  }
  return lines.join(random() < 0.1 ? "\r\n" : "\n");
}

const fixtureTexts = (() => {
  const out = [];
  for (const dir of ["code", "diff", "search", "text", "logs"]) {
    for (const file of readdirSync(join(root, "fixtures", dir))) out.push(readFileSync(join(root, "fixtures", dir, file), "utf8"));
  }
  return out;
})();

/** A slice of a real fixture (code, diff, search results, prose, a test run), sometimes damaged. */
function fixtureSlice() {
  const text = pick(fixtureTexts);
  const start = int(Math.max(1, text.length - 2000));
  let slice = text.slice(start, start + 2000 + int(60_000));
  if (random() < 0.2) slice = slice.replace(/\n/g, () => (random() < 0.02 ? pick(ODD) + "\n" : "\n"));
  return slice;
}

function proseText() {
  return Array.from({ length: 20 + int(400) }, () => words(5 + int(20)) + ".").join(random() < 0.5 ? "\n" : " ");
}

function makeCase() {
  const kind = pick(["json", "json", "logs", "fixture", "fixture", "prose", "tiny", "bad"]);
  switch (kind) {
    case "json": return { kind, args: { content: jsonText(), ...(random() < 0.3 ? { query: words(3) } : {}) } };
    case "logs": return { kind, args: { content: logText(), ...(random() < 0.3 ? { query: "why did it fail" } : {}) } };
    case "fixture": return { kind, args: { content: fixtureSlice() } };
    case "prose": return { kind, args: { content: proseText() } };
    case "tiny": return { kind, args: { content: words(1 + int(30)) } };
    default: return { kind, args: pick([{ content: "" }, {}, { content: "   \n\t " }, { content: "x", max_tokens: -3 }, { content: "x", content_type: "nonsense" }]), bad: true };
  }
}

const transport = new StdioClientTransport({
  command: process.execPath,
  args: [join(root, "dist/bin/main.js"), "--store", join(mkdtempSync(join(tmpdir(), "headroom-fuzz-")), "store.sqlite")],
  env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" },
  stderr: "pipe",
});
let stderr = "";
transport.stderr?.on("data", (chunk) => (stderr += chunk.toString()));
const client = new Client({ name: "headroom-fuzz", version: "1.0.0" });
await client.connect(transport);
const call = (name, args) => client.callTool({ name, arguments: args }, undefined, { timeout: 120_000 });
const text = (result) => result.content?.map((c) => c.text ?? "").join("") ?? "";

/** The whole original behind a hash, page by page. */
async function readBack(hash) {
  let out = "";
  let offset = 0;
  for (;;) {
    const page = await call("headroom_retrieve", { hash, offset, limit: 1_000_000 });
    if (page.isError) throw new Error(`retrieve ${hash} at ${offset}: ${text(page)}`);
    out += page.structuredContent.content;
    const next = page.structuredContent.page?.next_offset;
    if (next === null || next === undefined) return out;
    offset = next;
  }
}

const failures = [];
const counts = { calls: 0, compressed: 0, passedThrough: 0, badInput: 0, markers: 0, readBack: 0, deterministic: 0 };
const fail = (i, c, why) => failures.push(`case ${i} (${c.kind}, seed ${seed}): ${why}${c.bad ? ` ${JSON.stringify(c.args)}` : ""}`);

for (let i = 0; i < calls; i++) {
  const c = makeCase();
  counts.calls++;
  const result = await call("compress_tool_result", c.args);
  if (c.bad) {
    if (!result.isError) fail(i, c, "bad input was accepted");
    else if (/^internal_error/.test(text(result))) fail(i, c, `bad input got internal_error: ${text(result)}`);
    else counts.badInput++;
    continue;
  }
  if (result.isError) {
    fail(i, c, `error on good input: ${text(result).slice(0, 200)}`);
    continue;
  }
  const r = result.structuredContent;
  if (r.compressed_tokens > r.original_tokens) fail(i, c, `larger output: ${r.compressed_tokens} > ${r.original_tokens} tokens`);
  if (!r.hash) {
    counts.passedThrough++;
    if (r.compressed !== c.args.content) fail(i, c, "a pass-through changed the content");
    continue;
  }
  counts.compressed++;
  const hashes = new Set([...r.compressed.matchAll(/hash=([0-9a-f]{24})/g)].map((m) => m[1]));
  counts.markers += hashes.size;
  for (const hash of hashes) if (hash !== r.hash) fail(i, c, `a marker names hash ${hash}, not the result's ${r.hash}`);
  // a long number shown must be one the input holds (JSON.parse would round 1790001234567890123 to …120)
  for (const [digits] of r.compressed.replace(/hash=[0-9a-f]+/g, "").matchAll(/\d{16,}/g)) {
    if (!c.args.content.includes(digits)) fail(i, c, `shows ${digits}, a number the input does not hold`);
  }
  const original = await readBack(r.hash).catch((error) => fail(i, c, String(error)));
  if (typeof original === "string") {
    if (original !== c.args.content) fail(i, c, `read-back differs from the input (${original.length} vs ${c.args.content.length} chars)`);
    else counts.readBack++;
  }
  if (i % 4 === 0) {
    const again = (await call("compress_tool_result", c.args)).structuredContent;
    if (again?.compressed !== r.compressed) fail(i, c, "not deterministic: a second call gave another output");
    else counts.deterministic++;
  }
}

await client.close();
if (/internal_error|uncaught|unhandled/i.test(stderr)) failures.push(`server stderr reports: ${stderr.split("\n").find((l) => /internal_error|uncaught|unhandled/i.test(l))}`);
console.log(
  `fuzz (seed ${seed}): ${counts.calls} calls, ${counts.compressed} compressed, ${counts.passedThrough} passed through, ${counts.badInput} bad inputs refused; ` +
    `${counts.markers} marker hashes, ${counts.readBack} originals read back byte-exact, ${counts.deterministic} repeats identical; ${failures.length} violations`,
);
for (const f of failures.slice(0, 20)) console.log("  " + f);
process.exit(failures.length > 0 ? 1 : 0);
