import { openBackend } from "../../src/ccr/backend.js";
import { CcrStore } from "../../src/ccr/store.js";
import { Engine } from "../../src/engine/engine.js";
import { createLogger } from "../../src/log.js";
import { StatsRecorder } from "../../src/stats/stats.js";
import type { TokenCounter } from "../../src/tokens/counter.js";

export const quietLogger = createLogger("silent");

/** An engine over an in-memory store with a controllable clock. */
export async function memoryEngine(tokens: TokenCounter, options: { ttlMs?: number; maxBytes?: number } = {}) {
  let now = Date.UTC(2026, 10, 21, 9, 0, 0);
  const backend = await openBackend({ kind: "memory" }, quietLogger);
  const store = new CcrStore(backend, { ttlMs: options.ttlMs ?? 3_600_000, maxBytes: options.maxBytes ?? 1e9, now: () => now }, quietLogger);
  const stats = new StatsRecorder(Promise.resolve(backend.namespace("stats")), quietLogger);
  const engine = new Engine({ store: Promise.resolve(store), tokens, stats, logger: quietLogger });
  return {
    engine,
    store,
    advance(ms: number) {
      now += ms;
    },
  };
}
