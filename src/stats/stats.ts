import { randomUUID } from "node:crypto";
import type { Namespace } from "../ccr/namespace.js";
import type { Logger } from "../log.js";

/**
 * Savings counters for this session (this process) and for all time. All-time figures are the
 * sum of one record per server run, each written only by its own process, so two servers sharing
 * a store never overwrite each other's counts. Writes are coalesced (at most one per second) and
 * flushed on shutdown.
 */
export interface TypeTotals {
  compressions: number;
  passthroughs: number;
  tokens_before: number;
  tokens_after: number;
  tokens_saved: number;
}

export interface Totals extends TypeTotals {
  retrievals: number;
  retrieval_misses: number;
  by_content_type: Record<string, TypeTotals>;
}

export interface RunRecord {
  runId: string;
  startedAt: number;
  updatedAt: number;
  totals: Totals;
}

const FLUSH_DELAY_MS = 1000;

export function emptyTotals(): Totals {
  return { ...emptyTypeTotals(), retrievals: 0, retrieval_misses: 0, by_content_type: {} };
}

function emptyTypeTotals(): TypeTotals {
  return { compressions: 0, passthroughs: 0, tokens_before: 0, tokens_after: 0, tokens_saved: 0 };
}

export class StatsRecorder {
  private readonly totals = emptyTotals();
  private readonly runId = randomUUID();
  private readonly startedAt = Date.now();
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Promise<Namespace<RunRecord>>,
    private readonly logger: Logger,
  ) {}

  recordCompression(contentType: string, before: number, after: number, passedThrough: boolean): void {
    const type = (this.totals.by_content_type[contentType] ??= emptyTypeTotals());
    for (const t of [this.totals, type]) {
      if (passedThrough) t.passthroughs++;
      else t.compressions++;
      t.tokens_before += before;
      t.tokens_after += after;
      t.tokens_saved += before - after;
    }
    this.changed();
  }

  recordRetrieval(found: boolean): void {
    if (found) this.totals.retrievals++;
    else this.totals.retrieval_misses++;
    this.changed();
  }

  session(): Totals {
    return structuredClone(this.totals);
  }

  /** Every run's record in the store plus this session's live counters. */
  async allTime(): Promise<Totals> {
    const sum = this.session();
    try {
      for await (const [key, record] of (await this.store).entries()) {
        if (key !== this.runId) addTotals(sum, record.totals);
      }
    } catch {
      // an unreadable store is reported in the store's `degraded`; the totals are what could be read
    }
    return sum;
  }

  /** Writes this run's record now (called on shutdown). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.dirty) {
      this.dirty = false;
      const record: RunRecord = { runId: this.runId, startedAt: this.startedAt, updatedAt: Date.now(), totals: this.session() };
      this.writing = this.writing
        .then(async () => {
          await (await this.store).set(this.runId, record);
        })
        .catch((error: unknown) => this.logger.warn("could not persist stats", error));
    }
    await this.writing;
  }

  private changed(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, FLUSH_DELAY_MS);
    this.timer.unref();
  }
}

function addTotals(into: Totals, from: Totals): void {
  addTypeTotals(into, from);
  into.retrievals += from.retrievals ?? 0;
  into.retrieval_misses += from.retrieval_misses ?? 0;
  for (const [type, t] of Object.entries(from.by_content_type ?? {})) {
    addTypeTotals((into.by_content_type[type] ??= emptyTypeTotals()), t);
  }
}

function addTypeTotals(into: TypeTotals, from: TypeTotals): void {
  into.compressions += from.compressions ?? 0;
  into.passthroughs += from.passthroughs ?? 0;
  into.tokens_before += from.tokens_before ?? 0;
  into.tokens_after += from.tokens_after ?? 0;
  into.tokens_saved += from.tokens_saved ?? 0;
}
