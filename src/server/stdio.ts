import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { describeStore } from "../ccr/backend.js";
import type { Config } from "../config.js";
import { headroomFromConfig } from "../headroom.js";
import type { Logger } from "../log.js";
import { createMcpServer } from "./server.js";

/**
 * Serves MCP over stdio until the host closes stdin or sends SIGINT/SIGTERM; then flushes stats,
 * closes the store and exits. The tokenizer is warmed only after the transport is up.
 */
export async function serveStdio(config: Config, logger: Logger, version: string): Promise<void> {
  const headroom = headroomFromConfig(config, logger);
  const server = createMcpServer(headroom, logger, version);
  const transport = new StdioServerTransport();

  let closing: Promise<void> | undefined;
  const shutdown = (why: string) => {
    closing ??= (async () => {
      logger.debug(`shutting down (${why})`);
      await server.close().catch(() => undefined);
      await headroom.close().catch((error: unknown) => logger.error("error while closing the store", error));
      process.exit(0);
    })();
    return closing;
  };
  process.stdin.on("end", () => void shutdown("stdin closed"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));

  await server.connect(transport);
  logger.info(`v${version} serving MCP on stdio; store: ${describeStore(config.store)}`);
  setImmediate(() => {
    headroom.tokens.warmUp().catch((error: unknown) => logger.error("could not load the tokenizer", error));
  });
}
