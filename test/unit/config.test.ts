import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseDuration } from "../../src/config.js";
import { MEMORY_USAGE, USAGE } from "../../src/usage.js";

describe("config", () => {
  it("defaults to a SQLite file under XDG_DATA_HOME, else ~/.local/share", () => {
    expect(loadConfig([], { XDG_DATA_HOME: "/data" }).store).toEqual({ kind: "sqlite", path: "/data/headroom-mcp/store.sqlite" });
    const config = loadConfig([], {});
    expect(config.store.kind === "sqlite" && config.store.path).toMatch(/\.local\/share\/headroom-mcp\/store\.sqlite$/);
    expect(config.ttlMs).toBe(24 * 3_600_000);
  });

  it("reads flags over environment variables", () => {
    const config = loadConfig(["--store", "/tmp/x.db", "--ttl", "90m", "--log-level", "debug"], { HEADROOM_STORE: "memory", HEADROOM_TTL: "2h", HEADROOM_MAX_INPUT_MB: "5" }, "/");
    expect(config.store).toEqual({ kind: "sqlite", path: "/tmp/x.db" });
    expect(config.ttlMs).toBe(90 * 60_000);
    expect(config.maxInputBytes).toBe(5 * 1024 * 1024);
    expect(config.logLevel).toBe("debug");
    expect(loadConfig([], { HEADROOM_STORE: "memory" }).store).toEqual({ kind: "memory" });
    expect(loadConfig(["--store", "/var/lib/headroom"], {}).store).toEqual({ kind: "sqlite", path: "/var/lib/headroom/store.sqlite" });
  });

  it("configures semantic memory search only when an embeddings URL is given", () => {
    expect(loadConfig([], {}).embeddings).toBeUndefined();
    expect(loadConfig(["--embeddings", "http://127.0.0.1:11434/v1"], {}).embeddings).toEqual({ url: "http://127.0.0.1:11434/v1", model: "nomic-embed-text" });
    expect(loadConfig([], { HEADROOM_EMBEDDINGS_URL: "http://127.0.0.1:1234/v1", HEADROOM_EMBEDDINGS_MODEL: "bge-small", HEADROOM_EMBEDDINGS_KEY: "k" }).embeddings).toEqual({ url: "http://127.0.0.1:1234/v1", model: "bge-small", apiKey: "k" });
    expect(() => loadConfig(["--embeddings", "localhost:11434"], {})).toThrow(/must be an http:\/\/ or https:\/\/ URL/);
    expect(() => loadConfig(["--embeddings", "not a url"], {})).toThrow(/is not a URL: give the server's address/);
    expect(() => loadConfig(["--embeddings-model", "bge-small"], {})).toThrow(/go with --embeddings URL/);
    expect(() => loadConfig(["compress", "--embeddings", "http://127.0.0.1:1/v1"], {})).toThrow(/--embeddings is not an option of "compress"/);
  });

  it("explains bad flags", () => {
    expect(() => loadConfig(["--nope"], {})).toThrow(ConfigError);
    expect(() => loadConfig(["--nope"], {})).toThrow(/^unknown option --nope$/);
    expect(() => loadConfig(["--nope"], {})).toThrow(expect.objectContaining({ usage: USAGE }));
    expect(() => loadConfig(["memory", "wipe"], {})).toThrow(expect.objectContaining({ usage: MEMORY_USAGE }));
    expect(loadConfig(["memory"], {}).command).toBe("memory-help");
    expect(() => loadConfig(["--ttl", "soon"], {})).toThrow(/not a duration/);
    expect(() => loadConfig(["--log-level", "loud"], {})).toThrow(/silent, error, warn, info, debug/);
    expect(loadConfig(["--store", "redis://localhost:6379"], {}).store).toEqual({ kind: "redis", url: "redis://localhost:6379" });
    expect(() => loadConfig(["--store", "mongodb://localhost"], {})).toThrow(/not supported/);
    expect(() => loadConfig(["--http", "--host", "0.0.0.0"], {})).toThrow(/bearer token/);
    expect(loadConfig(["--http", "--host", "0.0.0.0", "--token", "t"], {}).http).toEqual({
      host: "0.0.0.0",
      port: 8787,
      token: "t",
      allowedOrigins: [],
      publicHealth: false,
      sessionIdleMs: 30 * 60_000,
      maxSessions: 1000,
      requestTimeoutMs: 30_000,
    });
    expect(() => loadConfig(["frobnicate"], {})).toThrow(/unknown command/);
    expect(parseDuration("3600", "ttl")).toBe(3_600_000);
    expect(parseDuration("7d", "ttl")).toBe(7 * 86_400_000);
  });

  it("takes only real loopback addresses as loopback when deciding whether a token is needed", () => {
    for (const host of ["127.attacker.example", "127.0.0.1.evil.com", "localhost.evil.com", "0x7f.1"]) {
      expect(() => loadConfig(["--http", "--host", host], {})).toThrow(new RegExp(`^--host ${host.replace(/\./g, "\\.")} is not a loopback address.*--token`));
    }
    for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "::ffff:127.0.0.1"]) expect(loadConfig(["--http", "--host", host], {}).http?.host).toBe(host);
    expect(loadConfig(["--http", "--host", "127.attacker.example"], { HEADROOM_TOKEN: "t" }).http?.token).toBe("t");
  });

  it("reads the HTTP session, timeout and health options from flags and the environment", () => {
    const http = loadConfig(["--http", "--session-idle", "1s", "--max-sessions", "3", "--request-timeout", "2s", "--public-health"], {}).http;
    expect(http).toMatchObject({ sessionIdleMs: 1000, maxSessions: 3, requestTimeoutMs: 2000, publicHealth: true });
    const fromEnv = loadConfig([], { HEADROOM_HTTP: "1", HEADROOM_SESSION_IDLE: "45m", HEADROOM_MAX_SESSIONS: "50", HEADROOM_REQUEST_TIMEOUT: "1m", HEADROOM_PUBLIC_HEALTH: "1" }).http;
    expect(fromEnv).toMatchObject({ sessionIdleMs: 45 * 60_000, maxSessions: 50, requestTimeoutMs: 60_000, publicHealth: true });
    expect(loadConfig(["--http"], { HEADROOM_PUBLIC_HEALTH: "0" }).http?.publicHealth).toBe(false);
    expect(() => loadConfig(["--http", "--max-sessions", "0"], {})).toThrow(/--max-sessions must be a whole number of at least 1/);
    expect(() => loadConfig(["--http", "--max-sessions", "2.5"], {})).toThrow(/--max-sessions/);
    expect(() => loadConfig(["--http", "--session-idle", "soon"], {})).toThrow(/--session-idle "soon" is not a duration/);
    expect(() => loadConfig(["--http", "--request-timeout", "10ms"], {})).toThrow(/--request-timeout must be at least 1s/);
  });

  it("recognises --help and --version", () => {
    expect(loadConfig(["--help"], {}).command).toBe("help");
    expect(loadConfig(["-v"], {}).command).toBe("version");
  });
});
