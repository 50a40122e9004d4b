#!/usr/bin/env node
// Fills grammars/ with the tree-sitter grammars headroom-mcp parses code with, from the grammar
// packages on the npm registry at pinned versions, and writes manifest.json (package, version,
// file, bytes, sha256 of every .wasm). Then checks that each one loads with the web-tree-sitter
// version in package.json. Run it when a pinned version changes:  node grammars/fetch.mjs
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const GRAMMARS = [
  { language: "python", package: "tree-sitter-python", version: "0.25.0", file: "tree-sitter-python.wasm" },
  { language: "javascript", package: "tree-sitter-javascript", version: "0.25.0", file: "tree-sitter-javascript.wasm" },
  { language: "typescript", package: "tree-sitter-typescript", version: "0.23.2", file: "tree-sitter-typescript.wasm" },
  { language: "tsx", package: "tree-sitter-typescript", version: "0.23.2", file: "tree-sitter-tsx.wasm" },
  { language: "go", package: "tree-sitter-go", version: "0.25.0", file: "tree-sitter-go.wasm" },
  { language: "rust", package: "tree-sitter-rust", version: "0.24.0", file: "tree-sitter-rust.wasm" },
  { language: "java", package: "tree-sitter-java", version: "0.23.5", file: "tree-sitter-java.wasm" },
  { language: "c", package: "tree-sitter-c", version: "0.24.1", file: "tree-sitter-c.wasm" },
  { language: "cpp", package: "tree-sitter-cpp", version: "0.23.4", file: "tree-sitter-cpp.wasm" },
  { language: "csharp", package: "tree-sitter-c-sharp", version: "0.23.5", file: "tree-sitter-c_sharp.wasm" },
  { language: "ruby", package: "tree-sitter-ruby", version: "0.23.1", file: "tree-sitter-ruby.wasm" },
  { language: "php", package: "tree-sitter-php", version: "0.24.2", file: "tree-sitter-php.wasm" },
  { language: "bash", package: "tree-sitter-bash", version: "0.25.1", file: "tree-sitter-bash.wasm" },
];

const work = mkdtempSync(join(tmpdir(), "headroom-grammars-"));
const packed = new Map();
const entries = [];
for (const g of GRAMMARS) {
  const spec = `${g.package}@${g.version}`;
  if (!packed.has(spec)) {
    const dir = join(work, g.package);
    execFileSync("mkdir", ["-p", dir]);
    const tarball = execFileSync("npm", ["pack", spec, "--silent", "--pack-destination", dir], { encoding: "utf8" }).trim().split("\n").pop();
    execFileSync("tar", ["-xzf", join(dir, tarball), "-C", dir]);
    packed.set(spec, join(dir, "package"));
  }
  const source = join(packed.get(spec), g.file);
  copyFileSync(source, join(here, g.file));
  const bytes = readFileSync(source);
  entries.push({ ...g, bytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") });
  console.log(`${g.language.padEnd(11)} ${spec.padEnd(30)} ${g.file} ${bytes.length} bytes`);
}
rmSync(work, { recursive: true, force: true });

const { Parser, Language } = await import("web-tree-sitter");
await Parser.init();
for (const e of entries) {
  const language = await Language.load(join(here, e.file));
  const parser = new Parser();
  parser.setLanguage(language);
  const tree = parser.parse("x");
  if (!tree) throw new Error(`${e.file} did not parse`);
  tree.delete();
  parser.delete();
}
const webTreeSitter = JSON.parse(readFileSync(join(here, "..", "node_modules", "web-tree-sitter", "package.json"), "utf8")).version;
writeFileSync(join(here, "manifest.json"), JSON.stringify({ webTreeSitter, grammars: entries }, null, 2) + "\n");
console.log(`all ${entries.length} grammars load with web-tree-sitter ${webTreeSitter}; manifest.json written`);
