import { readFileSync } from "node:fs";

/** The package version, read once from package.json next to dist/ (works from a tarball and from a clone). */
export function packageVersion(): string {
  const raw = readFileSync(new URL("../package.json", import.meta.url), "utf8");
  return (JSON.parse(raw) as { version: string }).version;
}
