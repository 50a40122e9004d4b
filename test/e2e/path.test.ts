import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { serviceLog } from "../helpers/data.js";
import { startServer, text, type RunningServer } from "../helpers/server.js";

const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A workspace with a large log inside, a secret outside, and links between them. */
function layout() {
  const root = mkdtempSync(join(tmpdir(), "headroom-path-"));
  const workspace = join(root, "workspace");
  const outside = join(root, "outside");
  mkdirSync(join(workspace, "logs"), { recursive: true });
  mkdirSync(outside);
  const log = serviceLog();
  writeFileSync(join(workspace, "logs", "app.log"), log.text);
  writeFileSync(join(outside, "secret.log"), log.text.replace("ERROR", "SECRET"));
  writeFileSync(join(workspace, "image.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
  symlinkSync(join(outside, "secret.log"), join(workspace, "escape.log"));
  symlinkSync(join(workspace, "logs", "app.log"), join(workspace, "alias.log"));
  return { root, workspace, outside, log };
}

async function start(options: Parameters<typeof startServer>[1], args: string[] = []) {
  const server = await startServer(["--store", "memory", ...args], options);
  servers.push(server);
  return server;
}

describe("compress_tool_result with a path", () => {
  it("reads files inside the client's roots (relative to the first), links included when they stay inside", async () => {
    const { workspace, log } = layout();
    const server = await start({ roots: [workspace] });
    for (const path of ["logs/app.log", join(workspace, "logs", "app.log"), "alias.log"]) {
      const result = await server.call("compress_tool_result", { path });
      expect(result.isError, path).toBeFalsy();
      expect(text(result)).toContain(log.errorLine);
      const meta = result.structuredContent as { hash?: string; content_type: string };
      expect(meta.hash).toMatch(/^[0-9a-f]{24}$/);
      expect(meta.content_type).toBe("logs");
    }
    const back = await server.call("headroom_retrieve", { hash: (await server.call("compress_tool_result", { path: "logs/app.log" })).structuredContent!.hash as string, limit: 250_000 });
    expect(text(back)).toBe(log.text);
  });

  it("refuses paths outside the roots, `..` escapes, links that leave, binary files and missing ones, saying what to do", async () => {
    const { workspace, outside } = layout();
    const server = await start({ roots: [workspace] });
    const refused = async (args: Record<string, unknown>, message: RegExp) => {
      const result = await server.call("compress_tool_result", args);
      expect(result.isError, JSON.stringify(args)).toBe(true);
      expect(text(result)).toMatch(message);
      expect(text(result)).not.toContain("SECRET");
    };
    await refused({ path: join(outside, "secret.log") }, /^invalid_input: .*secret\.log is outside the folders this server may read \(.*workspace\).*--allow-dir/);
    await refused({ path: "../outside/secret.log" }, /is outside the folders/);
    await refused({ path: "escape.log" }, /escape\.log is a link to .*outside.*outside the folders/);
    await refused({ path: "image.png" }, /is binary/);
    await refused({ path: "logs/missing.log" }, /does not exist/);
    await refused({ path: "logs" }, /is a directory/);
    await refused({ path: "logs/app.log", content: "x" }, /either `content` or `path`/);
  });

  it("without client roots reads from the working directory, and --allow-dir adds folders", async () => {
    const { workspace, outside, log } = layout();
    const server = await start({ cwd: workspace }, ["--allow-dir", outside]);
    expect(text(await server.call("compress_tool_result", { path: "logs/app.log" }))).toContain(log.errorLine);
    const secret = await server.call("compress_tool_result", { path: join(outside, "secret.log") });
    expect(secret.isError).toBeFalsy();
    expect(text(secret)).toContain("SECRET");
    const root = await server.call("compress_tool_result", { path: "/etc/hostname" });
    expect(root.isError).toBe(true);
  });

  it("accepts a root named through a link, by either spelling", async () => {
    const { root, workspace, log } = layout();
    const linked = join(root, "linked-workspace");
    symlinkSync(workspace, linked);
    const server = await start({ roots: [linked] });
    for (const path of [join(linked, "logs", "app.log"), join(workspace, "logs", "app.log"), "logs/app.log"]) {
      const result = await server.call("compress_tool_result", { path });
      expect(result.isError, path).toBeFalsy();
      expect(text(result)).toContain(log.errorLine);
    }
  });
});
