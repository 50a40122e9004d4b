import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectRefusal, makeWorld } from "./fixture.js";

describe("install cursor", () => {
  it("writes a stdio entry to .cursor/mcp.json, and uninstall removes it and the folder", async () => {
    const world = makeWorld();
    const { code, text } = await world.run({ action: "install", target: "cursor" });
    expect(code).toBe(0);
    expect(world.read(join(world.cwd, ".cursor", "mcp.json"))).toEqual({
      mcpServers: { headroom: { command: process.execPath, args: [join(world.root, "dist", "bin", "main.js")] } },
    });
    expect(existsSync(join(world.cwd, ".claude"))).toBe(false);
    expect(text).toContain("restart Cursor");
    expect(text).not.toContain("HEADROOM_OFF");
    expect((await world.run({ action: "uninstall", target: "cursor" })).code).toBe(0);
    expect(readdirSync(world.cwd)).toEqual([]);
  });

  it("--scope user writes ~/.cursor/mcp.json, keeping the servers already there", async () => {
    const world = makeWorld();
    const path = join(world.home, ".cursor", "mcp.json");
    const before = { mcpServers: { playwright: { command: "npx", args: ["@playwright/mcp"] } } };
    world.write(path, before);
    await world.run({ action: "install", target: "cursor", scope: "user", npx: true });
    expect(world.read(path)).toEqual({ mcpServers: { ...before.mcpServers, headroom: { command: "npx", args: ["-y", "headroom-mcp"] } } });
    const installed = world.snapshot();
    expect((await world.run({ action: "install", target: "cursor", scope: "user", npx: true })).text).toContain("nothing to do");
    expect(world.snapshot()).toEqual(installed);
    await world.run({ action: "uninstall", target: "cursor", scope: "user" });
    expect(world.read(path)).toEqual(before);
  });

  it("--http URL --token T writes the URL and the bearer header, and says the token lands in a project file", async () => {
    const world = makeWorld();
    const { text } = await world.run({ action: "install", target: "cursor", http: { url: "http://127.0.0.1:8787/mcp", token: "T0K" } });
    expect(world.read(join(world.cwd, ".cursor", "mcp.json"))).toEqual({
      mcpServers: { headroom: { url: "http://127.0.0.1:8787/mcp", headers: { Authorization: "Bearer T0K" } } },
    });
    expect(text).toContain("keep it out of version control");
    // without --http, uninstall cannot tell this URL is ours; with it, it can
    expect((await world.run({ action: "uninstall", target: "cursor" })).text).toContain("add --http with its URL");
    await world.run({ action: "uninstall", target: "cursor", http: { url: "http://127.0.0.1:8787/mcp" } });
    expect(existsSync(join(world.cwd, ".cursor", "mcp.json"))).toBe(false);
  });

  it("takes the token from HEADROOM_TOKEN, and a stdio install replaces an http entry of ours", async () => {
    const world = makeWorld();
    world.env.HEADROOM_TOKEN = "from-env";
    await world.run({ action: "install", target: "cursor", http: { url: "https://headroom.example/mcp" } });
    const path = join(world.cwd, ".cursor", "mcp.json");
    expect((world.read(path) as any).mcpServers.headroom).toEqual({ url: "https://headroom.example/mcp", headers: { Authorization: "Bearer from-env" } });
    const { text } = await world.run({ action: "install", target: "cursor", npx: true });
    expect(text).toContain("updated mcpServers.headroom (was https://headroom.example/mcp)");
    expect((world.read(path) as any).mcpServers.headroom).toEqual({ command: "npx", args: ["-y", "headroom-mcp"] });
  });

  it("--dry-run changes nothing", async () => {
    const world = makeWorld();
    const { code, text } = await world.run({ action: "install", target: "cursor", dryRun: true });
    expect(code).toBe(0);
    expect(text).toMatch(/^would create +.*\.cursor\/mcp\.json: added mcpServers\.headroom$/m);
    expect(world.snapshot()).toEqual({});
    expect(existsSync(join(world.cwd, ".cursor"))).toBe(false);
  });

  it("refuses JSON with comments, naming the line", async () => {
    const world = makeWorld();
    const path = join(world.cwd, ".cursor", "mcp.json");
    await expectRefusal(world, path, '{\n  // mine\n  "mcpServers": {}\n}\n', { action: "install", target: "cursor" }, `${path}:2:3 is not valid JSON (comments are not allowed in this file)`);
  });
});
