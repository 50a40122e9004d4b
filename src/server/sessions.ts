import type { Logger } from "../log.js";

/**
 * The HTTP sessions alive at one time, Streamable HTTP and legacy SSE together. Each holds an MCP
 * server and its transport (about 230 KB), and clients routinely vanish without a DELETE, so the
 * table reclaims them itself: a session idle for longer than `idleMs` is closed, and a new one
 * beyond `max` first closes the one idle longest.
 *
 * Idle counts from the end of the session's last request or stream, as the Python and C# SDKs
 * count it: a long tool call, or a client listening on its GET stream, is still there. A client
 * that vanished mid-stream is noticed when its socket closes (TCP keep-alive finds silent peers).
 */
export interface SessionLimits {
  idleMs: number;
  max: number;
}

export interface Closable {
  close(): Promise<void>;
}

/** What a connection on the session is: anything that says when it is over. */
export interface Connection {
  once(event: "close", listener: () => void): unknown;
}

interface Entry<T> {
  session: T;
  /** Requests and streams of this session still open. */
  open: number;
  lastActive: number;
}

const MIN_SWEEP_MS = 250;
const MAX_SWEEP_MS = 60_000;

export class SessionTable<T extends Closable> {
  // Map order is recency order (each connection moves its session to the end), so the first
  // entry with nothing open is the one idle longest, found without sorting.
  private readonly entries = new Map<string, Entry<T>>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly limits: SessionLimits,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    const every = Math.min(MAX_SWEEP_MS, Math.max(MIN_SWEEP_MS, limits.idleMs / 4));
    // a sweep is no reason to keep the process alive: shutdown closes what is left
    this.sweeper = setInterval(() => this.sweep(), every).unref();
  }

  get size(): number {
    return this.entries.size;
  }

  get(id: string): T | undefined {
    return this.entries.get(id)?.session;
  }

  /** Registers a new session, first closing the one idle longest when the table is full. */
  add(id: string, session: T): void {
    while (this.entries.size >= this.limits.max) this.evict();
    this.entries.set(id, { session, open: 0, lastActive: this.now() });
  }

  /** Counts a request or stream as open on the session until it closes: no expiry meanwhile. */
  track(id: string, connection: Connection): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    entry.open++;
    this.touch(id, entry);
    connection.once("close", () => {
      entry.open--;
      this.touch(id, entry);
    });
  }

  /** Forgets a session that ended on its own (DELETE, its stream closed). */
  remove(id: string): void {
    this.entries.delete(id);
  }

  /** Closes every session idle for longer than the limit; the timer calls it, tests may too. */
  sweep(): void {
    const now = this.now();
    for (const [id, entry] of this.entries) {
      if (entry.open === 0 && now - entry.lastActive > this.limits.idleMs) this.end(id, entry, `idle for ${seconds(now - entry.lastActive)}`, "debug");
    }
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    const sessions = [...this.entries.values()].map((e) => e.session);
    this.entries.clear();
    await Promise.allSettled(sessions.map((s) => s.close()));
  }

  private touch(id: string, entry: Entry<T>): void {
    entry.lastActive = this.now();
    if (this.entries.get(id) !== entry) return; // ended meanwhile: do not bring it back
    this.entries.delete(id);
    this.entries.set(id, entry);
  }

  private evict(): void {
    let victim: [string, Entry<T>] | undefined;
    for (const pair of this.entries) {
      if (pair[1].open === 0) {
        victim = pair;
        break;
      }
    }
    // every session busy: the least recently used one goes, rather than refusing new clients
    victim ??= this.entries.entries().next().value!;
    const [id, entry] = victim;
    const why = entry.open === 0 ? `idle for ${seconds(this.now() - entry.lastActive)}` : `busy, least recently used`;
    this.end(id, entry, `${why}, to stay within ${this.limits.max} sessions`, "info");
  }

  private end(id: string, entry: Entry<T>, why: string, level: "debug" | "info"): void {
    this.entries.delete(id);
    this.logger[level](`session ${id.slice(0, 8)} closed: ${why}`);
    entry.session.close().catch((error: unknown) => this.logger.warn(`closing session ${id.slice(0, 8)} failed`, error));
  }
}

function seconds(ms: number): string {
  return ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`;
}
