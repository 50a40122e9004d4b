import { groupDigits } from "../ccr/marker.js";
import type { Config } from "../config.js";
import { formatBytes } from "../engine/errors.js";
import type { Totals } from "../stats/stats.js";
import { withHeadroom } from "./one-shot.js";

/** `headroom-mcp stats`: what headroom_stats answers, for a person (or as JSON). */
export async function stats(config: Config): Promise<number> {
  return withHeadroom(config, async ({ engine, memory }) => {
    const [result, memories] = await Promise.all([engine.stats(), memory.counts().catch(() => undefined)]);
    if (config.request?.json) {
      process.stdout.write(`${JSON.stringify({ all_time: result.all_time, store: result.store, memories }, null, 2)}\n`);
      return 0;
    }
    const { store } = result;
    const lines = [
      `store: ${store.kind} ${store.location}, ${store.entries} originals, ${formatBytes(store.bytes)} of ${formatBytes(store.maxBytes)}${store.degraded ? ` (degraded: ${store.degraded})` : ""}`,
      `all time: ${describeTotals(result.all_time)}`,
      ...Object.entries(result.all_time.by_content_type).map(([type, t]) => `  ${type}: ${groupDigits(t.compressions)} compressed, ${groupDigits(t.passthroughs)} unchanged, ${groupDigits(t.tokens_saved)} tokens saved`),
      ...(memories ? [`memories: ${memories.total} (${memories.project} in this project, ${memories.global} global)`] : []),
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
    return 0;
  });
}

function describeTotals(t: Totals): string {
  const share = t.tokens_before > 0 ? ` (${Math.round((t.tokens_saved / t.tokens_before) * 100)}%)` : "";
  return `${groupDigits(t.compressions)} compressed, ${groupDigits(t.passthroughs)} unchanged, ${groupDigits(t.tokens_before)} → ${groupDigits(t.tokens_after)} tokens, ${groupDigits(t.tokens_saved)} saved${share}; ${groupDigits(t.retrievals)} retrievals, ${groupDigits(t.retrieval_misses)} misses`;
}
