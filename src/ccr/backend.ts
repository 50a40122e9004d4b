import { closeSync, mkdirSync, openSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import Keyv from "keyv";
import type { Logger } from "../log.js";

/**
 * Where everything persistent lives: one Keyv store per namespace (CCR metadata, CCR blobs,
 * stats…), all in one SQLite file by default. If the SQLite driver cannot load or the file cannot
 * be opened, the server keeps working with an in-memory store and says so (stderr and stats).
 */
export type StoreLocation = { kind: "sqlite"; path: string } | { kind: "redis"; url: string } | { kind: "memory" };

export interface Backend {
  readonly kind: "sqlite" | "redis" | "memory";
  readonly location: string;
  /** Why the configured store could not be used, when we fell back to memory. */
  readonly degraded: string | undefined;
  /** Other users can read the store (it holds raw tool outputs, secrets included), and how to fix it. */
  readonly exposed: string | undefined;
  namespace(name: string): Keyv;
  close(): Promise<void>;
}

const BUSY_TIMEOUT_MS = 10_000;
const ITERATION_PAGE = 1000;

export async function openBackend(location: StoreLocation, logger: Logger): Promise<Backend> {
  if (location.kind === "memory") return memoryBackend(undefined);
  try {
    return location.kind === "redis" ? await redisBackend(location.url, logger) : await sqliteBackend(location.path, logger);
  } catch (error) {
    const where = location.kind === "redis" ? `Redis store at ${redactUrl(location.url)}` : `SQLite store at ${location.path}`;
    const reason = `${where} unavailable: ${describeOpenFailure(error)}`;
    logger.error(`${reason}; keeping originals in memory only: they will not survive a restart`);
    return memoryBackend(reason);
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
    store.on("error", (error: unknown) => logger.debug(`redis error in namespace ${name}`, error));
    stores.set(name, store);
    return store;
  };
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
    degraded: undefined,
    exposed: undefined,
    namespace(name) {
      return stores.get(name) ?? open(name);
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

function memoryBackend(degraded: string | undefined): Backend {
  const stores = new Map<string, Keyv>();
  return {
    kind: "memory",
    location: "memory",
    degraded,
    exposed: undefined,
    namespace(name) {
      let store = stores.get(name);
      if (!store) {
        store = new Keyv({ namespace: name });
        stores.set(name, store);
      }
      return store;
    },
    async close() {
      stores.clear();
    },
  };
}

async function sqliteBackend(path: string, logger: Logger): Promise<Backend> {
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
    const adapter = new KeyvSqlite({ uri: `sqlite://${path}`, busyTimeout: BUSY_TIMEOUT_MS, iterationLimit: ITERATION_PAGE });
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
  const stores = new Map<string, Keyv>();
  return {
    kind: "sqlite",
    location: path,
    degraded: undefined,
    exposed,
    namespace(name) {
      let store = stores.get(name);
      if (!store) {
        // one connection per namespace: Keyv ties a namespace to its adapter
        const adapter = spare ?? newAdapter();
        spare = undefined;
        store = new Keyv({ store: adapter, namespace: name });
        store.on("error", (error: unknown) => logger.error(`store error in namespace ${name}`, error));
        stores.set(name, store);
      }
      return store;
    },
    async close() {
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

/** Every [key, value] of one namespace (keys without the namespace prefix). */
export async function* entriesOf<Value>(store: Keyv<Value>): AsyncGenerator<[string, Value]> {
  const iterate = store.iterator;
  if (!iterate) return;
  for await (const [key, value] of iterate.call(store, undefined) as AsyncIterable<[string, Value | undefined]>) {
    if (value !== undefined) yield [key, value];
  }
}
