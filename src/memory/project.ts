import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Which project a memory belongs to: the client's first MCP root when it offers roots, else the
 * server's working directory; either way the enclosing git repository's root when there is one,
 * so every directory of a repository is one project.
 */
export function projectFromRoots(roots: ReadonlyArray<{ uri: string }> | undefined, cwd: string): string {
  const root = roots?.find((r) => r.uri.startsWith("file://"));
  const start = root ? fileURLToPath(root.uri) : cwd;
  return gitRoot(resolve(start)) ?? resolve(start);
}

function gitRoot(start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(`${dir}/.git`)) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}
