import { existsSync, readdirSync, readFileSync, statSync, chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectRefusal, makeWorld } from "./fixture.js";

const MATCHER = "Bash|Grep|mcp__.*";

describe("install claude-code, project scope", () => {
  it("creates .mcp.json and .claude/settings.json naming this copy, with paths quoted for the shell", async () => {
    const world = makeWorld();
    const { code, text } = await world.run({ action: "install", target: "claude-code" });
    expect(code).toBe(0);
    const main = join(world.root, "dist", "bin", "main.js");
    expect(world.read(join(world.cwd, ".mcp.json"))).toEqual({ mcpServers: { headroom: { type: "stdio", command: process.execPath, args: [main] } } });
    const hook = { type: "command", command: `${process.execPath} '${join(world.root, "dist", "bin", "hook.cjs")}' hook post-tool-use`, timeout: 10 };
    expect(world.read(join(world.cwd, ".claude", "settings.json"))).toEqual({
      hooks: { PostToolUse: [{ matcher: MATCHER, hooks: [hook] }], PostToolUseFailure: [{ matcher: "Bash", hooks: [hook] }] },
    });
    expect(text).toMatch(/^created +.*\.mcp\.json: added mcpServers\.headroom$/m);
    expect(text).toMatch(/^created +.*settings\.json: added the PostToolUse hook; added the PostToolUseFailure hook$/m);
    expect(text).toContain("Next steps:");
    expect(text).toContain("/mcp");
    expect(text).toContain("HEADROOM_OFF=1");
    expect(readFileSync(join(world.cwd, ".mcp.json"), "utf8")).toMatch(/^\{\n  "mcpServers": \{\n    "headroom"[\s\S]*\}\n$/);
  });

  it("uses the bare word node when the node on PATH is this node", async () => {
    const world = makeWorld();
    world.env.PATH = join(process.execPath, "..");
    await world.run({ action: "install", target: "claude-code" });
    expect((world.read(join(world.cwd, ".mcp.json")) as any).mcpServers.headroom.command).toBe("node");
  });

  it("keeps other servers, hooks and keys; a second install changes nothing; uninstall gives the original back", async () => {
    const world = makeWorld();
    const mcp = join(world.cwd, ".mcp.json");
    const settings = join(world.cwd, ".claude", "settings.json");
    const mcpBefore = { mcpServers: { github: { command: "gh-mcp", args: [] } }, other: { keep: [1, 2] } };
    const settingsBefore = {
      permissions: { allow: ["Bash(npm test)"] },
      hooks: {
        PostToolUse: [{ matcher: "Edit", hooks: [{ type: "command", command: "prettier --write" }] }],
        PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: "guard.sh" }] }],
      },
      model: "opus",
    };
    world.write(mcp, mcpBefore);
    world.write(settings, settingsBefore);
    chmodSync(settings, 0o600);

    expect((await world.run({ action: "install", target: "claude-code" })).code).toBe(0);
    const installed = world.read(settings) as any;
    expect(installed.permissions).toEqual(settingsBefore.permissions);
    expect(installed.hooks.PreToolUse).toEqual(settingsBefore.hooks.PreToolUse);
    expect(installed.hooks.PostToolUse[0]).toEqual(settingsBefore.hooks.PostToolUse[0]);
    expect(installed.hooks.PostToolUse[1].matcher).toBe(MATCHER);
    expect(Object.keys(installed)).toEqual(["permissions", "hooks", "model"]);
    expect(Object.keys((world.read(mcp) as any).mcpServers)).toEqual(["github", "headroom"]);
    expect(statSync(settings).mode & 0o777).toBe(0o600);
    // backups hold the files as they were
    expect(JSON.parse(readFileSync(`${mcp}.headroom-backup`, "utf8"))).toEqual(mcpBefore);
    expect(JSON.parse(readFileSync(`${settings}.headroom-backup`, "utf8"))).toEqual(settingsBefore);
    expect(statSync(`${settings}.headroom-backup`).mode & 0o777).toBe(0o600);

    const after = world.snapshot();
    const again = await world.run({ action: "install", target: "claude-code" });
    expect(again.code).toBe(0);
    expect(again.text).toContain("nothing to do: headroom-mcp is already installed");
    expect(again.text).not.toContain("Next steps");
    expect(world.snapshot()).toEqual(after);

    const removed = await world.run({ action: "uninstall", target: "claude-code" });
    expect(removed.code).toBe(0);
    expect(world.read(mcp)).toEqual(mcpBefore);
    expect(world.read(settings)).toEqual(settingsBefore);
    const gone = world.snapshot();
    expect((await world.run({ action: "uninstall", target: "claude-code" })).text).toContain("nothing to do");
    expect(world.snapshot()).toEqual(gone);
  });

  it("uninstall removes the files and the folder install created", async () => {
    const world = makeWorld();
    await world.run({ action: "install", target: "claude-code" });
    const { code, text } = await world.run({ action: "uninstall", target: "claude-code" });
    expect(code).toBe(0);
    expect(text).toMatch(/^removed +.*\.mcp\.json: removed mcpServers\.headroom; nothing else was in it$/m);
    expect(readdirSync(world.cwd)).toEqual([]);
  });

  it("updates an older headroom hook where it is instead of adding a second one", async () => {
    const world = makeWorld();
    const settings = join(world.cwd, ".claude", "settings.json");
    world.write(settings, {
      hooks: {
        PostToolUse: [
          { matcher: "Bash", hooks: [{ type: "command", command: "npx -y headroom-mcp hook post-tool-use", timeout: 5 }] },
          { matcher: "Write", hooks: [{ type: "command", command: "lint.sh" }] },
        ],
      },
    });
    await world.run({ action: "install", target: "claude-code", npx: true });
    const groups = (world.read(settings) as any).hooks.PostToolUse;
    expect(groups).toEqual([
      { matcher: MATCHER, hooks: [{ type: "command", command: "npx -y headroom-mcp hook post-tool-use", timeout: 10 }] },
      { matcher: "Write", hooks: [{ type: "command", command: "lint.sh" }] },
    ]);
  });

  it("moves our hook out of a group it shares with the user's, leaving theirs alone", async () => {
    const world = makeWorld();
    const settings = join(world.cwd, ".claude", "settings.json");
    const mine = { type: "command", command: "audit.sh" };
    world.write(settings, { hooks: { PostToolUse: [{ matcher: "Bash", hooks: [mine, { type: "command", command: "headroom-mcp hook post-tool-use" }] }] } });
    const { text } = await world.run({ action: "install", target: "claude-code", npx: true });
    expect(text).toContain("updated the PostToolUse hook");
    expect((world.read(settings) as any).hooks.PostToolUse).toEqual([
      { matcher: "Bash", hooks: [mine] },
      { matcher: MATCHER, hooks: [{ type: "command", command: "npx -y headroom-mcp hook post-tool-use", timeout: 10 }] },
    ]);
  });

  it("--npx registers npx -y headroom-mcp for the server and the hook", async () => {
    const world = makeWorld();
    const { text } = await world.run({ action: "install", target: "claude-code", npx: true });
    expect(world.read(join(world.cwd, ".mcp.json"))).toEqual({ mcpServers: { headroom: { type: "stdio", command: "npx", args: ["-y", "headroom-mcp"] } } });
    expect(JSON.stringify(world.read(join(world.cwd, ".claude", "settings.json")))).toContain('"command":"npx -y headroom-mcp hook post-tool-use"');
    expect(text).not.toContain("this machine's copy");
    expect(text).toContain("npx -y headroom-mcp stats");
  });

  it("switching to --npx updates our server entry in place and keeps the env the user gave it", async () => {
    const world = makeWorld();
    const mcp = join(world.cwd, ".mcp.json");
    await world.run({ action: "install", target: "claude-code" });
    const entry = (world.read(mcp) as any).mcpServers.headroom;
    world.write(mcp, { mcpServers: { a: { command: "a" }, headroom: { ...entry, env: { HEADROOM_TTL: "48h" } }, z: { command: "z" } } });
    const { text } = await world.run({ action: "install", target: "claude-code", npx: true });
    expect(text).toMatch(/updated mcpServers\.headroom \(was .*main\.js'?\)/);
    const servers = (world.read(mcp) as any).mcpServers;
    expect(Object.keys(servers)).toEqual(["a", "headroom", "z"]);
    expect(servers.headroom).toEqual({ type: "stdio", command: "npx", args: ["-y", "headroom-mcp"], env: { HEADROOM_TTL: "48h" } });
  });

  it("leaves a server named headroom that is not ours, on install (exit 1) and uninstall", async () => {
    const world = makeWorld();
    const mcp = join(world.cwd, ".mcp.json");
    world.write(mcp, { mcpServers: { headroom: { command: "python", args: ["-m", "headroom.mcp"] } } });
    const before = world.snapshot();
    const install = await world.run({ action: "install", target: "claude-code" });
    expect(install.code).toBe(1);
    expect(install.text).toMatch(/mcpServers\.headroom is another server \(python -m headroom\.mcp\)/);
    expect(world.snapshot()).toEqual(before);
    const uninstall = await world.run({ action: "uninstall", target: "claude-code" });
    expect(uninstall.code).toBe(0);
    expect(uninstall.text).toContain("not headroom-mcp: left as is");
    expect(world.snapshot()).toEqual(before);
  });

  it("refuses a file that is not valid JSON, naming it with line and column, and changes nothing", async () => {
    const world = makeWorld();
    const settings = join(world.cwd, ".claude", "settings.json");
    await expectRefusal(world, settings, '{\n  "model": "opus",\n}\n', { action: "install", target: "claude-code" }, `${settings}:3:1 is not valid JSON (a trailing comma)`);
    expect(existsSync(join(world.cwd, ".mcp.json"))).toBe(false);
  });

  it("--dry-run prints the plan and changes nothing", async () => {
    const world = makeWorld();
    world.write(join(world.cwd, ".mcp.json"), { mcpServers: {} });
    const before = world.snapshot();
    const { code, text } = await world.run({ action: "install", target: "claude-code", dryRun: true });
    expect(code).toBe(0);
    expect(text).toMatch(/^would update +.*\.mcp\.json: added mcpServers\.headroom$/m);
    expect(text).toMatch(/^would create +.*settings\.json: added the PostToolUse hook; added the PostToolUseFailure hook$/m);
    expect(world.snapshot()).toEqual(before);
  });

  it("refuses when this copy has not been built", async () => {
    const world = makeWorld();
    const { code, text } = await world.run({ action: "install", target: "claude-code", program: { root: world.base, execPath: process.execPath } });
    expect(code).toBe(1);
    expect(text).toMatch(/main\.js does not exist: build this copy first/);
  });

  it("notes a copy in npm's npx cache", async () => {
    const world = makeWorld();
    const root = join(world.base, "_npx", "abc", "node_modules", "headroom-mcp");
    world.write(join(root, "dist", "bin", "main.js"), "");
    const { text } = await world.run({ action: "install", target: "claude-code", program: { root, execPath: process.execPath } });
    expect(text).toContain("npm i -g headroom-mcp");
  });
});

describe("install claude-code, user scope", () => {
  it("without claude on PATH, writes ~/.claude.json (keeping its other keys) and ~/.claude/settings.json", async () => {
    const world = makeWorld();
    const config = join(world.home, ".claude.json");
    world.write(config, { numStartups: 3, projects: { "/x": { allowedTools: [] } } });
    const { code } = await world.run({ action: "install", target: "claude-code", scope: "user" });
    expect(code).toBe(0);
    const written = world.read(config) as any;
    expect(Object.keys(written)).toEqual(["numStartups", "projects", "mcpServers"]);
    expect(written.mcpServers.headroom.args).toEqual([join(world.root, "dist", "bin", "main.js")]);
    expect((world.read(join(world.home, ".claude", "settings.json")) as any).hooks.PostToolUse[0].matcher).toBe(MATCHER);
    expect(existsSync(join(world.cwd, ".mcp.json"))).toBe(false);

    await world.run({ action: "uninstall", target: "claude-code", scope: "user" });
    expect(world.read(config)).toEqual({ numStartups: 3, projects: { "/x": { allowedTools: [] } } });
    expect(existsSync(join(world.home, ".claude", "settings.json"))).toBe(false);
  });

  it("never deletes ~/.claude.json, even when headroom was all it held", async () => {
    const world = makeWorld();
    await world.run({ action: "install", target: "claude-code", scope: "user" });
    await world.run({ action: "uninstall", target: "claude-code", scope: "user" });
    expect(world.read(join(world.home, ".claude.json"))).toEqual({});
  });

  it("follows CLAUDE_CONFIG_DIR", async () => {
    const world = makeWorld();
    world.env.CLAUDE_CONFIG_DIR = join(world.base, "claude-config");
    await world.run({ action: "install", target: "claude-code", scope: "user" });
    expect(existsSync(join(world.base, "claude-config", ".claude.json"))).toBe(true);
    expect(existsSync(join(world.base, "claude-config", "settings.json"))).toBe(true);
    expect(existsSync(join(world.home, ".claude.json"))).toBe(false);
  });

  it("with claude on PATH, registers the server through claude mcp add", async () => {
    const world = makeWorld();
    const claude = world.fakeClaude();
    const { code, text } = await world.run({ action: "install", target: "claude-code", scope: "user" });
    expect(code).toBe(0);
    expect(claude.calls()).toEqual([["mcp", "add", "--scope", "user", "headroom", "--", process.execPath, join(world.root, "dist", "bin", "main.js")]]);
    expect(text).toMatch(/^ran +claude mcp add --scope user headroom -- /m);
    expect(existsSync(join(world.home, ".claude.json"))).toBe(false);
    expect(existsSync(join(world.home, ".claude", "settings.json"))).toBe(true);
  });

  it("with claude on PATH, an outdated entry is removed and added again with its env; a current one is left alone", async () => {
    const world = makeWorld();
    const claude = world.fakeClaude();
    const config = join(world.home, ".claude.json");
    world.write(config, { mcpServers: { headroom: { type: "stdio", command: "npx", args: ["-y", "headroom-mcp"], env: { HEADROOM_TTL: "48h" } } } });
    await world.run({ action: "install", target: "claude-code", scope: "user" });
    expect(claude.calls()).toEqual([
      ["mcp", "remove", "--scope", "user", "headroom"],
      ["mcp", "add", "--scope", "user", "headroom", "--env", "HEADROOM_TTL=48h", "--", process.execPath, join(world.root, "dist", "bin", "main.js")],
    ]);
    // as claude would have left it (its own add writes an empty env too)
    world.write(config, { mcpServers: { headroom: { type: "stdio", command: process.execPath, args: [join(world.root, "dist", "bin", "main.js")], env: {} } } });
    const again = await world.run({ action: "install", target: "claude-code", scope: "user" });
    expect(again.text).toContain("nothing to do");
    expect(claude.calls()).toHaveLength(2);

    await world.run({ action: "uninstall", target: "claude-code", scope: "user" });
    expect(claude.calls()[2]).toEqual(["mcp", "remove", "--scope", "user", "headroom"]);
  });

  it("falls back to editing ~/.claude.json when claude mcp add fails", async () => {
    const world = makeWorld();
    const claude = world.fakeClaude(1);
    const { code, text } = await world.run({ action: "install", target: "claude-code", scope: "user" });
    expect(code).toBe(0);
    expect(claude.calls()).toHaveLength(1);
    expect(text).toContain("failed (exit code 1: claude says no); editing");
    expect((world.read(join(world.home, ".claude.json")) as any).mcpServers.headroom.type).toBe("stdio");
  });

  it("exits 1 when claude fails and the file cannot be written either", async () => {
    const world = makeWorld();
    world.fakeClaude(1);
    writeFileSync(join(world.home, ".claude.json"), "{}\n");
    chmodSync(world.home, 0o500);
    try {
      if (process.getuid?.() === 0) return; // root writes anyway
      const { code, text } = await world.run({ action: "install", target: "claude-code", scope: "user" });
      expect(code).toBe(1);
      expect(text).toMatch(/cannot write .*\.claude\.json: permission denied/);
    } finally {
      chmodSync(world.home, 0o700);
    }
  });

  it("dry run names the claude command it would run", async () => {
    const world = makeWorld();
    const claude = world.fakeClaude();
    const { text } = await world.run({ action: "install", target: "claude-code", scope: "user", http: { url: "http://127.0.0.1:8787/mcp", token: "s3cret" }, dryRun: true });
    expect(text).toContain("would run claude mcp add --scope user --transport http headroom http://127.0.0.1:8787/mcp --header 'Authorization: Bearer ***'");
    expect(text).not.toContain("s3cret");
    expect(claude.calls()).toEqual([]);
    expect(world.snapshot()).toEqual({});
  });

  it("registers no hook for a server on another machine: the hashes it hands out would not resolve there", async () => {
    const world = makeWorld();
    const { code, text } = await world.run({ action: "install", target: "claude-code", http: { url: "https://headroom.internal.example:8443/mcp", token: "t" } });
    expect(code).toBe(0);
    expect(text).toMatch(/no hook: https:\/\/headroom\.internal\.example:8443\/mcp is another machine/);
    expect(existsSync(join(world.cwd, ".claude", "settings.json"))).toBe(false);
    const local = makeWorld();
    await local.run({ action: "install", target: "claude-code", http: { url: "http://127.0.0.1:8787/mcp" } });
    expect(existsSync(join(local.cwd, ".claude", "settings.json"))).toBe(true);
  });
});
