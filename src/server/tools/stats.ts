import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { Engine } from "../../engine/engine.js";
import type { Logger } from "../../log.js";
import type { UpstreamStatus } from "../../gateway/upstream.js";
import type { MemoryStore } from "../../memory/store.js";
import { toolError, toolResult } from "../result.js";

const typeTotals = z.object({
  compressions: z.number(),
  passthroughs: z.number(),
  tokens_before: z.number(),
  tokens_after: z.number(),
  tokens_saved: z.number(),
});
const totals = typeTotals.extend({
  retrievals: z.number(),
  retrieval_misses: z.number(),
  by_content_type: z.record(z.string(), typeTotals),
});

export function registerStatsTool(server: McpServer, engine: Engine, memory: MemoryStore, logger: Logger, upstreams?: () => UpstreamStatus[]): void {
  server.registerTool(
    "headroom_stats",
    {
      title: "Compression statistics",
      description:
        "Token savings of headroom for this session and all time (compressions, retrievals, tokens before/after/saved by content type), the state of its store, and how many memories it holds. For the user's curiosity or diagnostics; not needed for normal work.",
      inputSchema: {},
      outputSchema: {
        session: totals,
        all_time: totals,
        store: z.object({
          kind: z.string(),
          location: z.string(),
          degraded: z.string().optional(),
          exposed: z.string().optional(),
          entries: z.number(),
          bytes: z.number(),
          ttl_ms: z.number(),
          max_bytes: z.number(),
        }),
        tokenizer: z.string(),
        memories: z.object({ total: z.number(), project: z.number(), global: z.number() }),
        upstreams: z
          .array(z.object({ name: z.string(), state: z.string(), tools: z.number(), restarts: z.number(), error: z.string().optional() }))
          .optional()
          .describe("Gateway mode: each upstream server's state (starting, ready, down), its tool count, restarts and last error."),
      },
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async () => {
      try {
        // an unreadable store still gets an answer: its state is in store.degraded
        const [stats, memories] = await Promise.all([engine.stats(), memory.counts().catch(() => ({ total: 0, project: 0, global: 0 }))]);
        const { kind, location, degraded, exposed, entries, bytes, ttlMs, maxBytes } = stats.store;
        const store = { kind, location, ...(degraded ? { degraded } : {}), ...(exposed ? { exposed } : {}), entries, bytes, ttl_ms: ttlMs, max_bytes: maxBytes };
        return toolResult({ ...stats, store, memories, ...(upstreams ? { upstreams: upstreams() } : {}) });
      } catch (error) {
        return toolError(error, logger, "headroom_stats");
      }
    },
  );
}
