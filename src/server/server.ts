import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Engine } from "../engine/engine.js";
import type { Logger } from "../log.js";
import { registerCompressTool } from "./tools/compress.js";
import { registerRetrieveTool } from "./tools/retrieve.js";
import { registerStatsTool } from "./tools/stats.js";

const INSTRUCTIONS =
  "headroom keeps large tool outputs cheap: pass a big output to compress_tool_result (with a query saying what you need) " +
  "and read the compact result. Every omission is marked `[headroom: … hash=…]`; headroom_retrieve with that hash " +
  "(and a query, or offset for paging) returns the original or just the part you need, also in later turns.";

/** One MCP server instance: the tools are thin adapters over the engine. */
export function createMcpServer(engine: Engine, logger: Logger, version: string): McpServer {
  const server = new McpServer({ name: "headroom-mcp", version }, { instructions: INSTRUCTIONS });
  registerCompressTool(server, engine, logger);
  registerRetrieveTool(server, engine, logger);
  registerStatsTool(server, engine, logger);
  return server;
}
