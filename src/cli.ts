#!/usr/bin/env node
import { ConfigError, loadConfig, USAGE } from "./config.js";
import { createLogger } from "./log.js";
import { exportMemories, importMemories } from "./memory/transfer.js";
import { serveHttp } from "./server/http.js";
import { serveStdio } from "./server/stdio.js";
import { packageVersion } from "./version.js";

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`headroom-mcp: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  if (config.command === "help") {
    process.stdout.write(USAGE);
    return;
  }
  if (config.command === "version") {
    process.stdout.write(`${packageVersion()}\n`);
    return;
  }
  const logger = createLogger(config.logLevel);
  if (config.command === "memory-export" || config.command === "memory-import") {
    const count = config.command === "memory-export" ? await exportMemories(config, logger, process.stdout) : await importMemories(config, logger, config.importFile!);
    process.stderr.write(`headroom-mcp: ${config.command === "memory-export" ? "exported" : "imported"} ${count} memories\n`);
    return;
  }
  // The server must outlive any single bad request: log and carry on.
  process.on("uncaughtException", (error) => logger.error("uncaught exception", error));
  process.on("unhandledRejection", (reason) => logger.error("unhandled rejection", reason));
  if (config.http) {
    const running = await serveHttp(config, { ...config.http, maxBodyBytes: config.maxInputBytes + 1024 * 1024 }, logger, packageVersion());
    const stop = (signal: string) => {
      logger.info(`${signal}: finishing requests in flight, then closing the store`);
      void running.close().then(() => process.exit(0));
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
    return;
  }
  await serveStdio(config, logger, packageVersion());
}

main().catch((error: unknown) => {
  process.stderr.write(`headroom-mcp: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
