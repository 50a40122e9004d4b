import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { loadConfig } from "../config.js";
import { exitWhenFlushed } from "./exit.js";
import { hook, type Responder } from "./hook.js";

/**
 * dist/bin/hook.cjs, what `install claude-code` registers as the hook: the same command as
 * `headroom-mcp hook post-tool-use`, bundled as one CommonJS file. Claude Code starts it after
 * every tool call, and most calls pass through: a CommonJS file starts about 10 ms sooner than an
 * ES module and its chunks. The engine (ESM, dist/bin/respond.js) is imported only to compress.
 * Whatever goes wrong, exit 0 and no output: Claude Code then keeps the original.
 */
const responder = (): Promise<Responder> => import(pathToFileURL(join(__dirname, "respond.js")).href) as Promise<Responder>;

let config;
try {
  config = loadConfig(process.argv.slice(2), process.env);
} catch {
  process.exit(0);
}
if (config.command !== "hook") {
  process.stderr.write("headroom-mcp: hook.cjs runs only `hook post-tool-use`; for anything else run dist/bin/main.js\n");
  process.exit(2);
}
hook(config, responder).then(
  (code) => exitWhenFlushed(code),
  () => exitWhenFlushed(0),
);
