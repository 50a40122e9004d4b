import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Headroom } from "../headroom.js";
import type { Logger } from "../log.js";
import type { Gateway } from "../gateway/gateway.js";
import { FileAccess, type FilePolicy } from "./file-access.js";
import { registerCompressTool } from "./tools/compress.js";
import { registerMemoryTools } from "./tools/memory.js";
import { registerRetrieveTool } from "./tools/retrieve.js";
import { answerToolListFromBuild } from "./tool-list.js";
import { registerStatsTool } from "./tools/stats.js";

const INSTRUCTIONS =
  "headroom keeps large tool outputs cheap: pass a big output to compress_tool_result (with a query saying what you need), " +
  "or the `path` of a large file instead of pasting it, and read the compact result. Outputs that arrive already compressed start with `[headroom: … compressed …]`. Every omission is marked `[headroom: … hash=…]`; headroom_retrieve with that hash " +
  "(and a query, or offset for paging) returns the original or just the part you need, also in later turns. " +
  "memory_save / memory_search keep facts about this project (or global ones) across conversations.";

/**
 * One MCP server instance: the tools are thin adapters over the engine and the memory store.
 * `liveToolList`: answer `tools/list` through the SDK even when the build's list is there.
 */
export function createMcpServer(
  headroom: Pick<Headroom, "engine" | "memory">,
  logger: Logger,
  version: string,
  options: { liveToolList?: boolean; files?: FilePolicy; gateway?: Gateway | undefined } = {},
): McpServer {
  const server = new McpServer({ name: "headroom-mcp", version }, { instructions: INSTRUCTIONS, capabilities: { logging: {} } });
  const files = options.files ? new FileAccess(server.server, options.files, logger) : undefined;
  registerCompressTool(server, headroom.engine, files, logger);
  registerRetrieveTool(server, headroom.engine, logger);
  registerStatsTool(server, headroom.engine, headroom.memory, logger, options.gateway ? () => options.gateway!.status() : undefined);
  registerMemoryTools(server, headroom.memory, logger);
  if (!options.liveToolList) answerToolListFromBuild(server, version);
  if (options.gateway) {
    const detach = options.gateway.attach(server);
    const closed = server.server.onclose;
    server.server.onclose = () => {
      detach();
      closed?.();
    };
  }
  return server;
}
