import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ToolListChangedNotificationSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { serviceLog } from "../helpers/data.js";
import { CLI, startServer, tempStorePath, text, type RunningServer } from "../helpers/server.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const FILESYSTEM = join(root, "node_modules/@modelcontextprotocol/server-filesystem/dist/index.js");
const EVERYTHING = join(root, "node_modules/@modelcontextprotocol/server-everything/dist/index.js");
const TEST_UPSTREAM = fileURLToPath(new URL("../helpers/upstream-server.mjs", import.meta.url));

const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A folder with a large log and a small note, and an upstream config naming real servers. */
function setup() {
  const dir = mkdtempSync(join(tmpdir(), "headroom-gateway-"));
  const files = join(dir, "files");
  execFileSync("mkdir", ["-p", files]);
  const log = serviceLog();
  writeFileSync(join(files, "app.log"), log.text);
  writeFileSync(join(files, "note.txt"), "a short note\n");
  const config = join(dir, "upstreams.json");
  writeFileSync(
    config,
    JSON.stringify({
      mcpServers: {
        filesystem: { command: process.execPath, args: [FILESYSTEM, files] },
        everything: { command: process.execPath, args: [EVERYTHING, "stdio"] },
        test: { command: process.execPath, args: [TEST_UPSTREAM] },
      },
    }),
  );
  return { dir, files, log, config };
}

/** `headroom-mcp --http --port 0 …`, once it says where it serves. */
async function startHttp(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CLI, "--http", "--port", "0", ...args], { stdio: ["ignore", "ignore", "pipe"] });
  const url = await new Promise<string>((resolve, reject) => {
    let err = "";
    child.stderr!.on("data", (chunk: Buffer) => {
      err += chunk.toString();
      const m = /serving MCP at (http:\/\/\S+)\/mcp/.exec(err);
      if (m) resolve(m[1]!);
    });
    child.on("exit", () => reject(new Error(`server exited: ${err}`)));
  });
  return { child, url };
}

describe("gateway mode (--upstream-config)", { timeout: 60_000 }, () => {
  it("offers every upstream tool namespaced, compresses large results, retrieves them, and passes the rest through", async () => {
    const { files, log, config } = setup();
    const gateway = await startServer(["--store", tempStorePath(), "--upstream-config", config]);
    servers.push(gateway);
    const { tools } = await gateway.client.listTools();
    const names = tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["compress_tool_result", "headroom_retrieve", "filesystem__read_text_file", "everything__echo", "everything__get-tiny-image", "test__big"]));
    // forwarded tools keep their input schema and drop the output schema (a compressed result has no structuredContent)
    const read = tools.find((t) => t.name === "filesystem__read_text_file")!;
    expect(read.inputSchema.properties).toHaveProperty("path");
    expect(read.outputSchema).toBeUndefined();

    const big = await gateway.call("filesystem__read_text_file", { path: join(files, "app.log") });
    expect(big.isError).toBeFalsy();
    expect(big.structuredContent).toBeUndefined();
    const compressed = text(big);
    expect(compressed).toContain(log.errorLine);
    expect(compressed.length).toBeLessThan(log.text.length * 0.05);
    const hash = /hash=([0-9a-f]{24})/.exec(compressed)![1]!;
    const back = await gateway.call("headroom_retrieve", { hash, query: "ERROR" });
    expect(text(back)).toContain(log.errorLine);

    const small = await gateway.call("filesystem__read_text_file", { path: join(files, "note.txt") });
    expect(text(small)).toBe("a short note\n");
    expect(small.structuredContent).toEqual({ content: "a short note\n" });
    const image = await gateway.call("everything__get-tiny-image", {});
    expect(image.content.some((block) => block.type === "image")).toBe(true);
    const echo = await gateway.call("everything__echo", { message: "hello" });
    expect(text(echo)).toMatch(/hello/);
    const missing = await gateway.call("filesystem__read_text_file", { path: "/etc/passwd" });
    expect(missing.isError).toBe(true);
    expect(text(missing)).not.toMatch(/^\[headroom/);
  });

  it("reports an upstream that will not start, times out a call that hangs, restarts one that crashes, and keeps the others working", async () => {
    const { config } = setup();
    const gateway = await startServer([
      "--store",
      tempStorePath(),
      "--upstream-config",
      config,
      "--upstream",
      `broken=${process.execPath} ${TEST_UPSTREAM} --exit-on-start`,
      "--upstream-timeout",
      "2s",
    ]);
    servers.push(gateway);
    await gateway.client.listTools();
    const stats = (await gateway.call("headroom_stats", {})).structuredContent as { upstreams: Array<{ name: string; state: string; error?: string }> };
    const broken = stats.upstreams.find((u) => u.name === "broken")!;
    expect(broken.state).toBe("down");
    expect(broken.error).toMatch(/refusing to start/);
    expect(stats.upstreams.find((u) => u.name === "test")!.state).toBe("ready");

    const hung = await gateway.call("test__hang", {});
    expect(hung.isError).toBe(true);
    expect(text(hung)).toMatch(/^upstream_unavailable: test did not answer hang: .*timed out/i);

    const crashed = await gateway.call("test__crash", {});
    expect(crashed.isError).toBe(true);
    expect(text(crashed)).toMatch(/upstream_unavailable: test did not answer crash/);
    // the others keep working meanwhile, and the crashed one is back after its restart
    expect(text(await gateway.call("everything__echo", { message: "still here" }))).toMatch(/still here/);
    expect((await gateway.call("compress_tool_result", { content: "x" })).isError).toBeFalsy();
    let echoed;
    for (let i = 0; i < 40; i++) {
      echoed = await gateway.call("test__echo", { text: "back" });
      if (!echoed.isError) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(text(echoed!)).toBe("back");
  });

  it("serves the upstream tools over --http too, one set of upstreams for every session", async () => {
    const { files, log, config } = setup();
    const { child, url } = await startHttp(["--store", tempStorePath(), "--upstream-config", config]);
    try {
      const clients = await Promise.all(
        [1, 2].map(async () => {
          const client = new Client({ name: "gateway-http", version: "1.0.0" });
          await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`)));
          return client;
        }),
      );
      const [first, second] = clients as [Client, Client];
      expect((await first.listTools()).tools.map((t) => t.name)).toContain("filesystem__read_text_file");
      const big = (await first.callTool({ name: "filesystem__read_text_file", arguments: { path: join(files, "app.log") } })) as CallToolResult;
      const hash = /hash=([0-9a-f]{24})/.exec(text(big))![1]!;
      const back = (await second.callTool({ name: "headroom_retrieve", arguments: { hash, query: "ERROR" } })) as CallToolResult;
      expect(text(back)).toContain(log.errorLine);
      await Promise.all(clients.map((c) => c.close()));
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    }
  });

  it("reaches an upstream over Streamable HTTP", async () => {
    const { child, url } = await startHttp(["--store", "memory"]);
    try {
      const gateway = await startServer(["--store", tempStorePath(), "--upstream", `remote=${url}/mcp`]);
      servers.push(gateway);
      const names = (await gateway.client.listTools()).tools.map((t) => t.name);
      expect(names).toContain("remote__headroom_stats");
      const stats = await gateway.call("remote__headroom_stats", {});
      expect(stats.isError).toBeFalsy();
      expect(text(stats)).toMatch(/"kind":"memory"/);
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    }
  });

  it("passes on an upstream's tools/list_changed", async () => {
    const { config } = setup();
    const gateway = await startServer(["--store", tempStorePath(), "--upstream-config", config]);
    servers.push(gateway);
    expect((await gateway.client.listTools()).tools.map((t) => t.name)).not.toContain("test__grown");
    const changed = new Promise<void>((resolve) => gateway.client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()));
    await gateway.call("test__grow", {});
    await changed;
    expect((await gateway.client.listTools()).tools.map((t) => t.name)).toContain("test__grown");
    expect(text(await gateway.call("test__grown", {}))).toBe("grown");
  });

  it("ends its upstream processes when it stops: no orphans", async () => {
    const { dir, config } = setup();
    const gateway = await startServer(["--store", tempStorePath(), "--upstream-config", config]);
    await gateway.client.listTools();
    const children = () => execFileSync("ps", ["-eo", "pid,args"], { encoding: "utf8" }).split("\n").filter((line) => line.includes(dir) || line.includes(TEST_UPSTREAM));
    expect(children().length).toBeGreaterThanOrEqual(2);
    await gateway.close();
    for (let i = 0; i < 40 && children().length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(children()).toEqual([]);
  });
});
