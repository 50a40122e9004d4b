import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, MEMORY_USAGE, parseDuration, USAGE } from "../../src/config.js";

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
    expect(loadConfig(["--http", "--host", "0.0.0.0", "--token", "t"], {}).http).toEqual({ host: "0.0.0.0", port: 8787, token: "t", allowedOrigins: [] });
    expect(() => loadConfig(["frobnicate"], {})).toThrow(/unknown command/);
    expect(parseDuration("3600", "ttl")).toBe(3_600_000);
    expect(parseDuration("7d", "ttl")).toBe(7 * 86_400_000);
  });

  it("recognises --help and --version", () => {
    expect(loadConfig(["--help"], {}).command).toBe("help");
    expect(loadConfig(["-v"], {}).command).toBe("version");
  });
});
