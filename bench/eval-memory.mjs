#!/usr/bin/env node
/**
 * Memory search recall: each dataset in fixtures/memory/eval-*.json holds memories of an invented
 * project and queries written in other words than the memory they should find. Every memory is
 * saved into a fresh in-memory store, every query searched (scope all); recall@1 and recall@3 are
 * printed per dataset and per kind of query (paraphrase, synonym, abbreviation, identifier,
 * morphology, semantic), by words alone and, with --embeddings URL, by words and meaning.
 *
 *   npm run eval:memory
 *   npm run eval:memory -- --embeddings http://127.0.0.1:11434/v1 --embeddings-model nomic-embed-text
 *   npm run eval:memory -- --misses      (also list the queries whose memory was not in the top 3)
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createHeadroom, createLogger } from "../dist/index.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const { values } = parseArgs({
  options: {
    embeddings: { type: "string" },
    "embeddings-model": { type: "string" },
    "embeddings-key": { type: "string" },
    dataset: { type: "string", multiple: true },
    misses: { type: "boolean" },
  },
});
const dir = join(root, "fixtures/memory");
const files = values.dataset ?? readdirSync(dir).filter((f) => /^eval-.*\.json$/.test(f)).sort().map((f) => join(dir, f));
const embeddings = values.embeddings ? { url: values.embeddings, model: values["embeddings-model"] ?? "nomic-embed-text", apiKey: values["embeddings-key"] } : undefined;
const modes = embeddings ? ["lexical", "hybrid"] : ["lexical"];

const rows = [];
let failed = false;
for (const file of files) {
  const data = JSON.parse(readFileSync(file, "utf8"));
  const name = file.split("/").pop().replace(/^eval-|\.json$/g, "");
  for (const mode of modes) {
    const headroom = createHeadroom({ store: { kind: "memory" }, ttlMs: 3_600_000, storeMaxBytes: 1 << 30, logger: createLogger("error"), embeddings: mode === "hybrid" ? embeddings : undefined });
    const project = `/work/${name}`;
    const ids = new Map();
    for (const m of data.memories) {
      const saved = await headroom.memory.save({ content: m.content, tags: m.tags, scope: m.scope ?? "project", project });
      if (ids.has(saved.memory.id)) throw new Error(`${name}: ${m.id} was merged into ${ids.get(saved.memory.id)} as a near-duplicate`);
      ids.set(saved.memory.id, m.id);
    }
    const byKind = new Map();
    const misses = [];
    let notes = 0;
    for (const q of data.queries) {
      const found = await headroom.memory.search({ query: q.query, scope: "all", project, limit: 3 });
      if (found.note) notes++;
      const ranked = found.results.map((r) => ids.get(r.id));
      const rank = ranked.indexOf(q.expect);
      for (const kind of ["all", q.kind]) {
        const k = byKind.get(kind) ?? { n: 0, at1: 0, at3: 0 };
        k.n++;
        if (rank === 0) k.at1++;
        if (rank >= 0) k.at3++;
        byKind.set(kind, k);
      }
      if (rank < 0) misses.push(`  ${q.kind.padEnd(12)} "${q.query}" → expected ${q.expect}, got ${ranked.join(", ") || "nothing"}`);
    }
    await headroom.close();
    if (mode === "hybrid" && notes > 0) {
      console.error(`${name}: ${notes} searches fell back to words alone (the embeddings endpoint failed)`);
      failed = true;
    }
    const all = byKind.get("all");
    const kinds = [...byKind.entries()].filter(([k]) => k !== "all").sort(([a], [b]) => (a < b ? -1 : 1));
    rows.push({
      dataset: `${name} (${data.memories.length} memories)`,
      mode,
      queries: all.n,
      "recall@1": (all.at1 / all.n).toFixed(3),
      "recall@3": (all.at3 / all.n).toFixed(3),
      "recall@3 by kind": kinds.map(([k, v]) => `${k} ${(v.at3 / v.n).toFixed(2)}`).join(", "),
    });
    if (values.misses && misses.length > 0) console.log(`${name}, ${mode}: not in the top 3:\n${misses.join("\n")}\n`);
  }
}

const columns = Object.keys(rows[0]);
const width = (c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length));
console.log(columns.map((c) => c.padEnd(width(c))).join("  "));
for (const r of rows) console.log(columns.map((c) => String(r[c]).padEnd(width(c))).join("  "));
if (failed) process.exitCode = 1;
