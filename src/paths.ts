import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The package's root folder (package.json, grammars/), found by walking up from this module's
 * file: the same code runs from dist/ (the library) and from the bundled command in dist/bin/.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "headroom-mcp") return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`headroom-mcp's package.json was not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}
