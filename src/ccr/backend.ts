import { closeSync, mkdirSync, openSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import Keyv from "keyv";
import type { Logger } from "../log.js";
import { guardedNamespace, isDamage, StoreHealth, type Namespace } from "./namespace.js";

/**
 * Where everything persistent lives: one Keyv store per namespace (CCR metadata, CCR blobs,
 * stats…), all in one SQLite file by default. If the SQLite driver cannot load or the file cannot
 * be opened, the server keeps working with an in-memory store and says so (stderr and stats).
 */
export type StoreLocation = { kind: "sqlite"; path: string } | { kind: "redis"; url: string } | { kind: "memory" };

export interface Backend {
  readonly kind: "sqlite" | "redis" | "memory";
  readonly location: string;
  /** Why the configured store could not be used (we fell back to memory), or why it fails now. */
  readonly health: StoreHealth;
  /** Other users can read the store (it holds raw tool outputs, secrets included), and how to fix it. */
  readonly exposed: string | undefined;
  namespace<Value>(name: string): Namespace<Value>;
  close(): Promise<void>;
}

const BUSY_TIMEOUT_MS = 10_000;
const ITERATION_PAGE = 1000;

/** Tuning for tests: how long a write waits for another process's lock, when the integrity check runs. */
export interface BackendOptions {
  busyTimeoutMs?: number;
  integrityCheckDelayMs?: number;
  /**
   * A one-shot command (the CLI, a hook): an original kept in its memory would be gone when it
   * exits, so a memory store — chosen, or fallen back to — accepts none, and nothing is compressed.
   */
  oneShot?: boolean;
}

export async function openBackend(location: StoreLocation, logger: Logger, options: BackendOptions = {}): Promise<Backend> {
  if (location.kind === "memory") {
    const backend = memoryBackend(undefined, logger);
    if (options.oneShot) {
      const reason = 'the store is "memory", which ends with this command';
      backend.health.refuseWrites(reason);
      logger.warn(`${reason}: nothing is compressed; give --store a file`);
    }
    return backend;
  }
  try {
    return location.kind === "redis" ? await redisBackend(location.url, logger) : await sqliteBackend(location.path, logger, options);
  } catch (error) {
    const where = location.kind === "redis" ? `Redis store at ${redactUrl(location.url)}` : `SQLite store at ${location.path}`;
    const reason = `${where} unavailable: ${describeOpenFailure(error)}`;
    if (options.oneShot) {
      const backend = memoryBackend(reason, logger);
      backend.health.refuseWrites(reason);
      logger.warn(reason);
      return backend;
    }
    logger.error(`${reason}; keeping originals in memory only: they will not survive a restart`);
    return memoryBackend(reason, logger);
  }
}

const REDIS_PROBE_MS = 3000;

/**
 * A Redis store shared by many machines: one Keyv client per namespace (keys `namespace::key`).
 * Probed once at start-up, so an unreachable server falls back to memory instead of hanging.
 */
async function redisBackend(url: string, logger: Logger): Promise<Backend> {
  const { createKeyv } = await import("@keyv/redis");
  const stores = new Map<string, Keyv>();
  const open = (name: string): Keyv => {
    const store = createKeyv(url, { namespace: name });
    store.throwOnErrors = true;
    store.on("error", (error: unknown) => logger.debug(`redis error in namespace ${name}`, error));
    stores.set(name, store);
    return store;
  };
  const health = new StoreHealth(undefined, `Redis store at ${redactUrl(url)}`, logger);
  const probe = open("probe");
  try {
    await Promise.race([probe.get("ping"), new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${REDIS_PROBE_MS} ms`)), REDIS_PROBE_MS))]);
  } catch (error) {
    void probe.disconnect().catch(() => undefined);
    throw error;
  }
  return {
    kind: "redis",
    location: redactUrl(url),
    health,
    exposed: undefined,
    namespace<Value>(name: string) {
      return guardedNamespace<Value>(stores.get(name) ?? open(name), name, health);
    },
    async close() {
      await Promise.allSettled([...stores.values()].map((s) => s.disconnect()));
      stores.clear();
    },
  };
}

/** Where a store is, for logs: a path, a URL without its password, or "memory". */
export function describeStore(location: StoreLocation): string {
  return location.kind === "sqlite" ? location.path : location.kind === "redis" ? redactUrl(location.url) : "memory";
}

/**
 * Whether users other than the owner can read a SQLite store file (POSIX modes), and the command
 * that fixes it. An existing file is never changed behind its owner's back.
 */
export function storeExposure(location: StoreLocation): string | undefined {
  if (location.kind !== "sqlite" || process.platform === "win32") return undefined;
  let mode: number;
  try {
    mode = statSync(location.path).mode & 0o777;
  } catch {
    return undefined; // not created yet: it will be created private
  }
  return mode & 0o077 ? `the store file is readable by other users (mode ${mode.toString(8)}): run chmod 600 ${location.path}` : undefined;
}

/** The start-up line's description of the store, with a warning when others can read it. */
export function describeStoreAtStartup(location: StoreLocation): { text: string; warning: boolean } {
  const exposed = storeExposure(location);
  return { text: `store: ${describeStore(location)}${exposed ? ` (warning: ${exposed})` : ""}`, warning: exposed !== undefined };
}

/**
 * One line on why the store could not open. A missing native SQLite driver is the common case
 * (install scripts skipped, or Node.js upgraded since): its own error is a dozen lines of paths.
 */
function describeOpenFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/Could not locate the bindings file|NODE_MODULE_VERSION|Cannot find (module|package) 'sqlite3'|node_sqlite3\.node/.test(message)) {
    return (
      "the SQLite driver (sqlite3) is not built for this Node.js: its install script did not run (npm --ignore-scripts, " +
      "or pnpm, which skips build scripts unless allowed) or Node.js changed since. Fix: run `npm rebuild sqlite3` " +
      "(pnpm: `pnpm rebuild sqlite3`) where headroom-mcp is installed"
    );
  }
  return message.split("\n")[0]!;
}

/** A URL fit for logs and stats: without its password. */
function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}

function memoryBackend(fallback: string | undefined, logger: Logger): Backend {
  const stores = new Map<string, Keyv>();
  const health = new StoreHealth(fallback, "the in-memory store", logger);
  return {
    kind: "memory",
    location: "memory",
    health,
    exposed: undefined,
    namespace<Value>(name: string) {
      let store = stores.get(name);
      if (!store) {
        // values kept as they are, not as JSON text: a 4 MB original is not re-parsed on every
        // look-up (every caller writes fresh objects and never mutates what it read)
        store = new Keyv({ namespace: name, throwOnErrors: true, serialize: undefined, deserialize: undefined });
        stores.set(name, store);
      }
      return guardedNamespace<Value>(store, name, health);
    },
    async close() {
      stores.clear();
    },
  };
}

async function sqliteBackend(path: string, logger: Logger, options: BackendOptions): Promise<Backend> {
  // loading the native driver takes a few milliseconds of the main thread: let the host's first
  // requests (initialize, tools/list) go first
  await new Promise((resolve) => setImmediate(resolve));
  // The store holds every raw tool output, secrets included: only its owner may read it. SQLite
  // gives the -wal and -shm files the database file's mode, so creating that one private is enough.
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, "a", 0o600));
  const exposed = storeExposure({ kind: "sqlite", path });
  loadSqliteDriver();
  const { KeyvSqlite } = await import("@keyv/sqlite");
  const adapters: Array<InstanceType<typeof KeyvSqlite>> = [];
  const newAdapter = () => {
    const adapter = new KeyvSqlite({ uri: `sqlite://${path}`, busyTimeout: options.busyTimeoutMs ?? BUSY_TIMEOUT_MS, iterationLimit: ITERATION_PAGE });
    adapter.on("error", () => undefined); // failures surface as rejected queries
    // per connection: in WAL mode NORMAL syncs at checkpoints, not on every commit
    void adapter.query("PRAGMA synchronous=NORMAL").catch(() => undefined);
    adapters.push(adapter);
    return adapter;
  };
  // Probe once: fails fast on driver or file problems, and switches the file to WAL, which lets
  // several server processes (Claude Code and Cursor on one machine) read and write together.
  let spare: InstanceType<typeof KeyvSqlite> | undefined = newAdapter();
  await spare.query("PRAGMA journal_mode=WAL");
  await probeWrite(spare);
  const health = new StoreHealth(undefined, `the SQLite store at ${path}`, logger);
  const integrityCheck = checkIntegrityLater(newAdapter, health, options.integrityCheckDelayMs ?? INTEGRITY_CHECK_DELAY_MS, logger);
  const stores = new Map<string, Keyv>();
  return {
    kind: "sqlite",
    location: path,
    health,
    exposed,
    namespace<Value>(name: string) {
      let store = stores.get(name);
      if (!store) {
        // one connection per namespace: Keyv ties a namespace to its adapter
        const adapter = spare ?? newAdapter();
        spare = undefined;
        store = new Keyv({ store: adapter, namespace: name, throwOnErrors: true });
        store.on("error", () => undefined); // failures are thrown to the caller, which reports them
        stores.set(name, store);
      }
      return guardedNamespace<Value>(store, name, health);
    },
    async close() {
      integrityCheck.cancel();
      await Promise.allSettled(adapters.map((a) => a.disconnect()));
      stores.clear();
    },
  };
}

/**
 * Loads the native driver with require() before @keyv/sqlite is imported: when it cannot load,
 * require() throws an ordinary error, while an ESM import failing inside a CommonJS dependency
 * also leaves an unhandled rejection behind (Node 20), which used to print a dozen-line trace.
 * Resolved from @keyv/sqlite's own folder, where a non-hoisting installer (pnpm) puts it.
 */
function loadSqliteDriver(): void {
  const here = createRequire(import.meta.url);
  createRequire(here.resolve("@keyv/sqlite"))("sqlite3");
}

type SqliteAdapter = { set(key: string, value: string): Promise<unknown>; get(key: string): Promise<unknown>; delete(key: string): Promise<unknown>; query(sql: string): Promise<unknown>; disconnect(): Promise<void> };

/**
 * A write, a read-back and a delete at start-up: a read-only file or directory, or a full disk,
 * makes the server fall back to memory with the reason instead of handing out hashes it cannot keep.
 */
async function probeWrite(adapter: SqliteAdapter): Promise<void> {
  const key = `headroom-probe:${process.pid}:${Date.now()}`;
  await adapter.set(key, "ok");
  const back = await adapter.get(key);
  await adapter.delete(key);
  if (back !== "ok") throw new Error("a value written to the store did not read back");
}

const INTEGRITY_CHECK_DELAY_MS = 3000;
const INTEGRITY_RETRY_MS = 1000;
const INTEGRITY_RETRIES = 3;

/**
 * `PRAGMA quick_check` on its own connection, a few seconds after start-up (it reads the whole
 * file; a damaged page would otherwise show only when some later read or write happens to hit it).
 * A check that could not run (the file busy with another process's checkpoint, say) is tried again.
 */
function checkIntegrityLater(open: () => SqliteAdapter, health: StoreHealth, delayMs: number, logger: Logger): { cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  const attempt = (left: number) => {
    const adapter = open();
    adapter
      .query("PRAGMA quick_check")
      .then((rows) => {
        const first = Array.isArray(rows) ? (rows[0] as Record<string, unknown> | undefined) : undefined;
        const verdict = first ? String(Object.values(first)[0]) : "no answer";
        if (verdict !== "ok") health.markDamaged(`quick_check: ${verdict.slice(0, 200)}`);
      })
      .catch((error: unknown) => {
        const message = (error instanceof Error ? error.message : String(error)).split("\n")[0]!;
        if (isDamage(message)) health.markDamaged(message);
        else if (left > 0 && !cancelled) timer = setTimeout(() => attempt(left - 1), INTEGRITY_RETRY_MS).unref();
        else logger.warn(`could not check the store file's integrity: ${message}`);
      })
      .finally(() => void adapter.disconnect().catch(() => undefined));
  };
  timer = setTimeout(() => attempt(INTEGRITY_RETRIES), delayMs).unref();
  return {
    cancel() {
      cancelled = true;
      clearTimeout(timer);
    },
  };
}
