#!/usr/bin/env node
import { homedir } from "node:os";
import { ConfigError, loadConfig } from "../config.js";
import { MEMORY_USAGE, USAGE } from "../usage.js";
import { packageVersion } from "../version.js";
import { exitWhenFlushed } from "./exit.js";

/**
 * The `headroom-mcp` command: reads the command line and loads only the module of the command
 * asked for, so serving MCP does not pay for the others (start-up time is what a host waits on,
 * and a hook runs once per tool call). Each command resolves to its exit code.
 */
async function main(argv: string[]): Promise<number> {
  if (argv[0] === "install" || argv[0] === "uninstall") {
    const { runInstallCli } = await import("./install.js");
    const print = (stream: NodeJS.WriteStream) => (line: string) => void stream.write(line.endsWith("\n") ? line : `${line}\n`);
    return runInstallCli(argv, { cwd: process.cwd(), home: homedir(), env: process.env, out: print(process.stdout), err: print(process.stderr) });
  }
  let config;
  try {
    config = loadConfig(argv, process.env);
  } catch (error) {
    // a hook that exits non-zero puts its stderr in front of the model on every tool call; a
    // HEADROOM_* variable meant for the server must not do that: the output just goes through
    if (argv[0] === "hook") return 0;
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`headroom-mcp: ${error.message}\n${error.usage ? `\n${error.usage}` : ""}`);
    return 2;
  }
  switch (config.command) {
    case "help":
      process.stdout.write(config.usage ?? USAGE);
      return 0;
    case "version":
      process.stdout.write(`${packageVersion()}\n`);
      return 0;
    case "memory-help":
      process.stdout.write(MEMORY_USAGE);
      return 0;
    case "memory-export":
    case "memory-import":
      await (await import("./memory.js")).runMemory(config);
      return 0;
    case "compress":
      return (await import("./compress.js")).compress(config);
    case "retrieve":
      return (await import("./retrieve.js")).retrieve(config);
    case "stats":
      return (await import("./stats.js")).stats(config);
    case "run":
      return (await import("./run.js")).run(config);
    case "hook":
      return (await import("./hook.js")).hook(config, () => import("../hook/respond.js"));
    case "serve":
      // the server lives on after this resolves; it ends the process itself
      await (await import("./serve.js")).serve(config, packageVersion());
      return -1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) exitWhenFlushed(code);
  },
  (error: unknown) => {
    process.stderr.write(`headroom-mcp: ${error instanceof Error ? error.message : String(error)}\n`);
    exitWhenFlushed(1);
  },
);
