import type Keyv from "keyv";
import { StoreUnavailableError } from "../engine/errors.js";
import type { Logger } from "../log.js";

/**
 * The store as every part sees it: get, set, delete and a walk over one namespace, where a
 * failure is never silent. Keyv, by default, turns a failed write into `false` and a failed read
 * into `undefined` — a read that fails would look like a missing entry, and a write that fails
 * would hand out a hash that never resolves. Here every failure throws StoreUnavailableError,
 * and the store's health remembers it for stats and the log.
 */
export interface Namespace<Value> {
  get(key: string): Promise<Value | undefined>;
  has(key: string): Promise<boolean>;
  set(key: string, value: Value): Promise<void>;
  delete(key: string): Promise<void>;
  /** Every [key, value] (keys without the namespace prefix). */
  entries(): AsyncGenerator<[string, Value]>;
}

/**
 * Whether the store works, for stats and `/health`: why it could not open (the server then keeps
 * originals in memory), why it is unusable (a damaged file), or the last operation that failed
 * when nothing has succeeded since (a full disk, a lock held too long).
 */
export class StoreHealth {
  /** The last failed read and the last failed write, each until one of its kind succeeds: reads that work must not hide a full disk. */
  private readonly failures: { read?: string | undefined; write?: string | undefined } = {};
  private damage: string | undefined;
  private lastLogged: string | undefined;

  constructor(
    /** Why the configured store was not opened (the server fell back to memory). */
    private readonly fallback: string | undefined,
    private readonly where: string,
    private readonly logger: Logger,
  ) {}

  get degraded(): string | undefined {
    const failures = [this.failures.write, this.failures.read].filter(Boolean).join("; ");
    return this.fallback ?? this.damage ?? (failures || undefined);
  }

  /** Set when the store is known to be damaged: no new original is accepted, reads are still tried. */
  get damaged(): string | undefined {
    return this.damage;
  }

  /**
   * A one-shot process (the CLI, a hook) whose store did not open: an original kept in its memory
   * would be gone when it exits, so none is accepted and nothing is compressed.
   */
  refuseWrites(reason: string): void {
    this.damage = `${reason}: a one-shot command keeps no original in memory, so nothing is compressed`;
  }

  markDamaged(reason: string): void {
    this.damage = `${this.where} is damaged (${reason}): nothing new is stored there. Move the file away (the server starts a fresh one) or point --store elsewhere; what can still be read stays retrievable until then`;
    this.log(this.damage);
  }

  succeeded(kind: OperationKind): void {
    this.failures[kind] = undefined;
  }

  /** Records a failed operation; returns the error to throw. */
  failed(kind: OperationKind, operation: string, error: unknown): StoreUnavailableError {
    if (error instanceof StoreUnavailableError) return error;
    const cause = describe(error);
    if (isDamage(cause)) this.markDamaged(cause);
    this.failures[kind] = `${operation} failed at ${new Date().toISOString()}: ${cause}`;
    this.log(`${this.where}: ${operation} failed: ${cause}`);
    return new StoreUnavailableError(`${this.where}: ${operation} failed (${cause})`);
  }

  /** Once per distinct problem: a full disk fails every write, and the log should not repeat it thousands of times. */
  private log(line: string): void {
    if (line === this.lastLogged) return;
    this.lastLogged = line;
    this.logger.error(line);
  }
}

type OperationKind = "read" | "write";

/** SQLite's words for a damaged file (as opposed to a busy or full one). */
export function isDamage(message: string): boolean {
  return /SQLITE_CORRUPT|SQLITE_NOTADB|malformed|not a database/i.test(message);
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0]!.slice(0, 300);
}

/** A Keyv namespace behind the `Namespace` contract. The Keyv must have `throwOnErrors` set. */
export function guardedNamespace<Value>(keyv: Keyv, name: string, health: StoreHealth): Namespace<Value> {
  const guard = async <T>(kind: OperationKind, operation: string, run: () => Promise<T>): Promise<T> => {
    let result: T;
    try {
      result = await run();
    } catch (error) {
      throw health.failed(kind, `${operation} in ${name}`, error);
    }
    health.succeeded(kind);
    return result;
  };
  return {
    get: (key) => guard("read", "read", () => keyv.get(key) as Promise<Value | undefined>),
    has: (key) => guard("read", "read", () => keyv.has(key)),
    set: (key, value) =>
      guard("write", "write", async () => {
        // false: the adapter said the write did not happen
        if ((await keyv.set(key, value)) === false) throw new Error("the store did not accept the write");
      }),
    delete: (key) => guard("write", "delete", async () => void (await keyv.delete(key))),
    async *entries() {
      const iterate = keyv.iterator;
      if (!iterate) return;
      const pages = iterate.call(keyv, undefined) as AsyncIterator<[string, Value | undefined]>;
      for (;;) {
        const next = await guard("read", "scan", () => pages.next());
        if (next.done) return;
        const [key, value] = next.value;
        if (value !== undefined) yield [key, value];
      }
    },
  };
}
