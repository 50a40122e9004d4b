import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseInstallArgs } from "../../../src/cli/install.js";
import { ConfigError } from "../../../src/config.js";
import { readUpstreamConfig } from "../../../src/gateway/upstream-config.js";
import { upstreamConfigOf, whyItStays } from "../../../src/install/gateway.js";
import { makeWorld } from "./fixture.js";

const github = { command: "npx", args: ["-y", "@modelcontextprotocol/server-github"], env: { GITHUB_TOKEN: "ghp_x" } };
const docs = { type: "http", url: "https://docs.example/mcp", headers: { Authorization: "Bearer d" } };
const fs = { command: "npx", args: ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"] };
const off = { command: "old-server", disabled: true };
const templated = { command: "db-mcp", env: { DB_URL: "${env:DB_URL}" } };
const envFile = { command: "api-mcp", envFile: ".env" };

describe("install --gateway", () => {
  it("cursor: moves the servers the gateway can run into .cursor/headroom-upstreams.json, and uninstall puts them back", async () => {
    const world = makeWorld();
    const host = join(world.cwd, ".cursor", "mcp.json");
    const upstreams = join(world.cwd, ".cursor", "headroom-upstreams.json");
    const before = { mcpServers: { github, off, docs, templated, fs, envFile } };
    world.write(host, before);

    const { code, text } = await world.run({ action: "install", target: "cursor", gateway: true });
    expect(code).toBe(0);
    expect(text).toContain(`moved 3 servers behind headroom: github, docs, fs (now in ${upstreams})`);
    expect(text).toContain('left off (disabled), templated (${…} is filled in by the host only), envFile (the gateway does not read "envFile")');
    expect(text).toMatch(/^created +.*headroom-upstreams\.json: added github, docs, fs$/m);
    expect(text).toContain("named SERVER__TOOL");
    expect(world.read(upstreams)).toEqual({ mcpServers: { github, docs, fs } });
    expect(statSync(upstreams).mode & 0o777).toBe(0o600);
    expect(world.read(host)).toEqual({
      mcpServers: { off, templated, envFile, headroom: { command: process.execPath, args: [join(world.root, "dist", "bin", "main.js"), "--upstream-config", upstreams] } },
    });
    expect(JSON.parse(readFileSync(`${host}.headroom-backup`, "utf8"))).toEqual(before);
    // what the gateway itself reads
    expect(readUpstreamConfig(upstreams).map((spec) => spec.name)).toEqual(["github", "docs", "fs"]);

    const installed = world.snapshot();
    const again = await world.run({ action: "install", target: "cursor", gateway: true });
    expect(again.text).toContain("nothing to do: headroom-mcp is already installed");
    expect(world.snapshot()).toEqual(installed);

    // plain uninstall sees --upstream-config in headroom's entry
    const removed = await world.run({ action: "uninstall", target: "cursor" });
    expect(removed.code).toBe(0);
    expect(removed.text).toContain(`put 3 servers back from ${upstreams}: github, docs, fs; removed mcpServers.headroom`);
    expect(removed.text).toMatch(/^removed +.*headroom-upstreams\.json: put github, docs, fs back in .*mcp\.json; nothing else was in it$/m);
    expect(world.read(host)).toEqual(before);
    expect(existsSync(upstreams)).toBe(false);
    const gone = world.snapshot();
    expect((await world.run({ action: "uninstall", target: "cursor", gateway: true })).text).toContain("nothing to do");
    expect(world.snapshot()).toEqual(gone);
  });

  it("claude-code project: .headroom-upstreams.json next to .mcp.json, every other key kept, round trip with uninstall --gateway", async () => {
    const world = makeWorld();
    const host = join(world.cwd, ".mcp.json");
    const upstreams = join(world.cwd, ".headroom-upstreams.json");
    const before = { mcpServers: { github: { type: "stdio", ...github }, docs }, note: { keep: true } };
    world.write(host, before);
    const { code } = await world.run({ action: "install", target: "claude-code", gateway: true, npx: true });
    expect(code).toBe(0);
    expect(world.read(host)).toEqual({ mcpServers: { headroom: { type: "stdio", command: "npx", args: ["-y", "headroom-mcp", "--upstream-config", upstreams] } }, note: { keep: true } });
    expect(world.read(upstreams)).toEqual({ mcpServers: before.mcpServers });
    expect(existsSync(join(world.cwd, ".claude", "settings.json"))).toBe(true);

    await world.run({ action: "uninstall", target: "claude-code", gateway: true });
    expect(world.read(host)).toEqual(before);
    expect(existsSync(upstreams)).toBe(false);
    expect(existsSync(join(world.cwd, ".claude"))).toBe(false);
  });

  it("--dry-run prints both files' plans and changes nothing", async () => {
    const world = makeWorld();
    world.write(join(world.cwd, ".cursor", "mcp.json"), { mcpServers: { github, docs } });
    const before = world.snapshot();
    const { code, text } = await world.run({ action: "install", target: "cursor", gateway: true, dryRun: true });
    expect(code).toBe(0);
    expect(text).toMatch(/^would create +.*headroom-upstreams\.json: added github, docs$/m);
    expect(text).toMatch(/^would update +.*mcp\.json: moved 2 servers behind headroom: github, docs .*; added mcpServers\.headroom$/m);
    expect(world.snapshot()).toEqual(before);
  });

  it("claude-code user scope: edits ~/.claude.json directly even with claude on PATH, upstreams in ~/.claude/", async () => {
    const world = makeWorld();
    const claude = world.fakeClaude();
    const config = join(world.home, ".claude.json");
    const upstreams = join(world.home, ".claude", "headroom-upstreams.json");
    const before = { numStartups: 3, mcpServers: { github, fs }, projects: { "/x": { mcpServers: { local: { command: "x" } } } } };
    world.write(config, before);
    const { code, text } = await world.run({ action: "install", target: "claude-code", scope: "user", gateway: true });
    expect(code).toBe(0);
    expect(text).toContain("is edited directly, not through `claude mcp`");
    expect(claude.calls()).toEqual([]);
    const written = world.read(config) as any;
    expect(Object.keys(written)).toEqual(["numStartups", "mcpServers", "projects"]);
    expect(written.projects).toEqual(before.projects);
    expect(Object.keys(written.mcpServers)).toEqual(["headroom"]);
    expect(upstreamConfigOf(written.mcpServers.headroom, world.cwd)).toBe(upstreams);
    expect(world.read(upstreams)).toEqual({ mcpServers: { github, fs } });

    await world.run({ action: "uninstall", target: "claude-code", scope: "user" });
    expect(claude.calls()).toEqual([]);
    expect(world.read(config)).toEqual(before);
    expect(existsSync(upstreams)).toBe(false);
  });

  it("a server added since moves on the next run; a plain install keeps headroom a gateway", async () => {
    const world = makeWorld();
    const host = join(world.cwd, ".cursor", "mcp.json");
    const upstreams = join(world.cwd, ".cursor", "headroom-upstreams.json");
    world.write(host, { mcpServers: { github } });
    await world.run({ action: "install", target: "cursor", gateway: true });
    const entry = (world.read(host) as any).mcpServers.headroom;
    world.write(host, { mcpServers: { headroom: entry, fs } });
    const { text } = await world.run({ action: "install", target: "cursor", gateway: true });
    expect(text).toContain("moved 1 server behind headroom: fs");
    expect(world.read(upstreams)).toEqual({ mcpServers: { github, fs } });
    expect(world.read(host)).toEqual({ mcpServers: { headroom: entry } });

    const plain = await world.run({ action: "install", target: "cursor" });
    expect(plain.text).toContain("headroom is installed as a gateway");
    expect(plain.text).toContain("nothing to do");
    expect(world.read(host)).toEqual({ mcpServers: { headroom: entry } });
  });

  it("uninstall keeps a same-named server the user added since, and leaves the gateway's copy in the upstream file", async () => {
    const world = makeWorld();
    const host = join(world.cwd, ".cursor", "mcp.json");
    const upstreams = join(world.cwd, ".cursor", "headroom-upstreams.json");
    world.write(host, { mcpServers: { github, fs } });
    await world.run({ action: "install", target: "cursor", gateway: true });
    const mine = { command: "my-github" };
    const installed = world.read(host) as any;
    world.write(host, { mcpServers: { ...installed.mcpServers, github: mine } });
    const { code, text } = await world.run({ action: "uninstall", target: "cursor" });
    expect(code).toBe(0);
    expect(text).toContain(`put 1 server back from ${upstreams}: fs; kept your own github (the gateway's stays in ${upstreams})`);
    expect(world.read(host)).toEqual({ mcpServers: { github: mine, fs } });
    expect(world.read(upstreams)).toEqual({ mcpServers: { github } });
  });

  it("refuses when the upstream file has another server of a moving server's name, changing nothing", async () => {
    const world = makeWorld();
    world.write(join(world.cwd, ".cursor", "mcp.json"), { mcpServers: { github } });
    world.write(join(world.cwd, ".cursor", "headroom-upstreams.json"), { mcpServers: { github: { command: "other" } } });
    const before = world.snapshot();
    const { code, text } = await world.run({ action: "install", target: "cursor", gateway: true });
    expect(code).toBe(1);
    expect(text).toMatch(/already has a server "github", and .*mcp\.json has another one of that name/);
    expect(world.snapshot()).toEqual(before);
  });

  it("with no servers to move, still registers the gateway with an empty upstream file to fill in", async () => {
    const world = makeWorld();
    const { code, text } = await world.run({ action: "install", target: "cursor", gateway: true });
    expect(code).toBe(0);
    expect(text).toContain("add servers here in the host's mcpServers shape");
    expect(world.read(join(world.cwd, ".cursor", "headroom-upstreams.json"))).toEqual({ mcpServers: {} });
    await world.run({ action: "uninstall", target: "cursor" });
    expect(existsSync(join(world.cwd, ".cursor"))).toBe(false);
  });
});

describe("gateway helpers", () => {
  it("tells which servers the gateway cannot run as the host does", () => {
    expect(whyItStays("github", github)).toBeUndefined();
    expect(whyItStays("docs", { ...docs, disabled: false })).toBeUndefined();
    expect(whyItStays("a__b", fs)).toMatch(/no "__"/);
    expect(whyItStays("sse", { type: "sse", url: "http://x/sse" })).toMatch(/type "sse" is not supported/);
    expect(whyItStays("rel", { command: "x", cwd: "sub" })).toBe("a relative cwd");
    expect(whyItStays("arr", [1])).toBe("it is an array");
  });

  it("finds --upstream-config in either spelling", () => {
    expect(upstreamConfigOf({ command: "npx", args: ["-y", "headroom-mcp", "--upstream-config", "u.json"] }, "/p")).toBe("/p/u.json");
    expect(upstreamConfigOf({ command: "npx", args: ["--upstream-config=/abs/u.json"] }, "/p")).toBe("/abs/u.json");
    expect(upstreamConfigOf({ command: "npx", args: ["headroom-mcp"] }, "/p")).toBeUndefined();
  });

  it("parses --gateway, and refuses it with --http", () => {
    expect(parseInstallArgs(["install", "cursor", "--gateway"], "/p")).toMatchObject({ gateway: true });
    expect(parseInstallArgs(["uninstall", "cursor", "--gateway", "--http", "http://127.0.0.1:1/mcp"], "/p")).toMatchObject({ gateway: true });
    expect(() => parseInstallArgs(["install", "cursor", "--gateway", "--http", "http://127.0.0.1:1/mcp"], "/p")).toThrow(ConfigError);
  });
});
