import { describeStoreAtStartup } from "../ccr/backend.js";
import { describeEmbeddings } from "../memory/embeddings.js";
import type { Config } from "../config.js";
import { headroomFromConfig } from "../headroom.js";
import type { Logger } from "../log.js";
import { createMcpServer } from "./server.js";
import { LineStdioTransport } from "./stdio-transport.js";

export interface RunningStdio {
  /** Closes the MCP server, flushes stats and closes the store. */
  close(): Promise<void>;
}

/** Serves MCP over this process's stdin and stdout; the caller decides when to stop. */
export async function serveStdio(config: Config, logger: Logger, version: string): Promise<RunningStdio> {
  const headroom = headroomFromConfig(config, logger);
  const gateway = config.upstreams.length > 0 ? new (await import("../gateway/gateway.js")).Gateway(config.upstreams, headroom.engine, logger, config.upstreamTimeouts) : undefined;
  const server = createMcpServer(headroom, logger, version, {
    files: { allowDirs: config.allowDirs, clientRoots: true, cwd: process.cwd(), maxBytes: config.maxInputBytes },
    gateway,
  });
  // A request carries the content JSON-escaped: up to 6 bytes per byte (\u0000).
  const maxLineBytes = config.maxInputBytes * 6 + 1024 * 1024;
  server.server.onerror = (error) => logger.error("MCP transport error", error);
  await server.connect(new LineStdioTransport(maxLineBytes));
  const store = describeStoreAtStartup(config.store);
  logger[store.warning ? "warn" : "info"](`v${version} serving MCP on stdio; ${store.text}; ${describeEmbeddings(config.embeddings)}`);
  headroom.warmUpSoon();
  let closing: Promise<void> | undefined;
  return {
    close() {
      closing ??= (async () => {
        await server.close().catch(() => undefined);
        await gateway?.close();
        await headroom.close();
      })();
      return closing;
    },
  };
}
