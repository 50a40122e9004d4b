import { openBackend, type StoreLocation } from "./ccr/backend.js";
import { CcrStore } from "./ccr/store.js";
import type { Config } from "./config.js";
import { Engine, type EngineLimits } from "./engine/engine.js";
import type { Logger } from "./log.js";
import { EmbeddingsClient, type EmbeddingsConfig } from "./memory/embeddings.js";
import { MemoryStore, type MemoryRecord, type WriterStamp } from "./memory/store.js";
import { StatsRecorder, type RunRecord } from "./stats/stats.js";
import { TokenCounter } from "./tokens/counter.js";

/**
 * Wires the parts together: backend → CCR store and stats → engine. The store opens in the
 * background so that a server can answer `tools/list` before SQLite is ready; calls that need it
 * wait for it.
 */
export interface HeadroomOptions {
  store: StoreLocation;
  ttlMs: number;
  storeMaxBytes: number;
  limits?: Partial<EngineLimits>;
  logger: Logger;
  /**
   * Tidy up expired originals at start-up (default). A one-shot command (the CLI, a hook) skips
   * it: it would spend its short life on work the long-lived server does anyway.
   */
  sweepAtStart?: boolean;
  /** A one-shot command: a store in memory (chosen, or because the configured one did not open) accepts no original. */
  oneShot?: boolean;
  /** Semantic memory search through this endpoint. */
  embeddings?: EmbeddingsConfig | undefined;
}

export interface Headroom {
  engine: Engine;
  memory: MemoryStore;
  tokens: TokenCounter;
  /**
   * Loads the tokenizer shortly after start-up, so it is ready for the first
   * compression without delaying the host's first requests (initialize, tools/list).
   */
  warmUpSoon(): void;
  /** Flushes stats and closes the store. */
  close(): Promise<void>;
}

const WARM_UP_DELAY_MS = 250;

/** The parts configured by the command line and environment. */
export function headroomFromConfig(config: Config, logger: Logger, options: { sweepAtStart?: boolean; oneShot?: boolean } = {}): Headroom {
  return createHeadroom({ store: config.store, ttlMs: config.ttlMs, storeMaxBytes: config.storeMaxBytes, limits: { maxInputBytes: config.maxInputBytes }, logger, embeddings: config.embeddings, ...options });
}

export function createHeadroom(options: HeadroomOptions): Headroom {
  const { logger } = options;
  const backend = openBackend(options.store, logger, { oneShot: options.oneShot ?? false });
  const store = backend.then((b) => new CcrStore(b, { ttlMs: options.ttlMs, maxBytes: options.storeMaxBytes }, logger));
  const stats = new StatsRecorder(
    backend.then((b) => b.namespace<RunRecord>("stats")),
    logger,
  );
  const semantic = options.embeddings ? { client: new EmbeddingsClient(options.embeddings), logger } : undefined;
  const memory = new MemoryStore(
    backend.then((b) => b.namespace<MemoryRecord>("memory")),
    Date.now,
    { semantic, writers: backend.then((b) => b.namespace<WriterStamp>("memory-writers")) },
  );
  const tokens = new TokenCounter();
  const engine = new Engine({ store, tokens, stats, logger, limits: options.limits ?? {} });
  // tidy up expired originals left by earlier runs, without holding up start-up
  if (options.sweepAtStart !== false) void store.then((s) => s.sweep()).catch((error: unknown) => logger.warn("initial store sweep failed", error));
  return {
    engine,
    memory,
    tokens,
    warmUpSoon() {
      setTimeout(() => void tokens.warmUp().catch((error: unknown) => logger.error("could not load the tokenizer", error)), WARM_UP_DELAY_MS).unref();
    },
    async close() {
      await memory.close();
      await stats.flush();
      const s = await store;
      await s.close();
      await (await backend).close();
    },
  };
}
