import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { Engine } from "../../engine/engine.js";
import type { Logger } from "../../log.js";
import { toolError, toolResult } from "../result.js";

const DESCRIPTION =
  "Get back what headroom left out: pass the `hash` from a `[headroom: … hash=…]` marker. " +
  "With `query` (words, an id, a JSON path like `$.items[67]`, or for code a symbol such as `UserService.create`, `name@line` to pick one of several with that name) you get only the matching items, lines or the symbol's exact source, exact matches first; " +
  "if nothing matches you get the first page and a note saying so. With `lines` (`120-159`, as a code outline's `… L120-159` names them) you get exactly those lines. Without either you get the original page by page (`offset` from `next_offset`). " +
  "Call it only when the compressed output lacks something you need.";

export function registerRetrieveTool(server: McpServer, engine: Engine, logger: Logger): void {
  server.registerTool(
    "headroom_retrieve",
    {
      title: "Retrieve an original",
      description: DESCRIPTION,
      inputSchema: {
        hash: z.string().max(100).describe("The 24-hex handle after hash= in a headroom marker."),
        query: z.string().max(4000).optional().describe("Return only the items/lines of the original that match this."),
        lines: z.string().max(40).optional().describe('Return exactly these lines of the original: "120-159" or "120".'),
        offset: z.coerce.number().int().min(0).optional().describe("Offset of the page to read, in UTF-16 code units (from next_offset)."),
        limit: z.coerce.number().int().min(1).max(1_000_000).optional().describe("Page size in tokens (default 20,000, under the hosts' caps on a tool result), or the most matches returned with a query (default 50)."),
      },
      outputSchema: {
        hash: z.string(),
        content_type: z.string(),
        mode: z.enum(["page", "query", "symbol", "lines"]),
        content: z.string(),
        page: z
          .object({ offset: z.number(), next_offset: z.number().nullable(), total_chars: z.number(), page: z.number(), pages: z.number() })
          .optional(),
        matches: z.number().optional(),
        more_matches: z.number().optional(),
        unit: z.string().optional(),
        total_units: z.number().optional(),
        symbol: z.string().optional(),
        start_line: z.number().optional(),
        end_line: z.number().optional(),
        symbols: z.array(z.string()).optional(),
        note: z.string().optional(),
      },
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (args) => {
      try {
        const result = await engine.retrieve({ hash: args.hash, query: args.query, lines: args.lines, offset: args.offset, limit: args.limit });
        return toolResult({ ...result }, "content");
      } catch (error) {
        return toolError(error, logger, "headroom_retrieve");
      }
    },
  );
}
