#!/usr/bin/env node
import { ConfigError, loadConfig, MEMORY_USAGE, USAGE } from "../config.js";
import { packageVersion } from "../version.js";

/**
 * The `headroom-mcp` command: reads the command line and loads only the module of the command
 * asked for, so serving MCP does not pay for the others (start-up time is what a host waits on).
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`headroom-mcp: ${error.message}\n${error.usage ? `\n${error.usage}` : ""}`);
    process.exit(2);
  }
  switch (config.command) {
    case "help":
      return void process.stdout.write(USAGE);
    case "version":
      return void process.stdout.write(`${packageVersion()}\n`);
    case "memory-help":
      return void process.stdout.write(MEMORY_USAGE);
    case "memory-export":
    case "memory-import":
      return (await import("./memory.js")).runMemory(config);
    case "serve":
      return (await import("./serve.js")).serve(config, packageVersion());
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`headroom-mcp: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
