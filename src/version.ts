import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "./paths.js";

/** The package version, from package.json (works from a tarball, a clone and the bundled command). */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version: string }).version;
}
