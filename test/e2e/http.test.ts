import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { fixture, needleLogs } from "../helpers/data.js";
import { CLI, tempStorePath } from "../helpers/server.js";

interface HttpServer {
  url: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  stderr: () => string;
}

const running: HttpServer[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) {
    s.child.kill("SIGKILL");
    await s.exited;
  }
});

/** Starts `headroom-mcp --http --port 0` and waits for the address it prints on stderr. */
async function startHttp(args: string[] = []): Promise<HttpServer> {
  const child = spawn(process.execPath, [CLI, "--http", "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  let err = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on("data", (chunk: Buffer) => {
      err += chunk.toString();
      const m = /serving MCP at (http:\/\/\S+)\/mcp/.exec(err);
      if (m) resolve(m[1]!);
    });
    child.on("exit", () => reject(new Error(`server exited: ${err}`)));
  });
  const server = { url, child, exited, stderr: () => err };
  running.push(server);
  return server;
}

async function connect(transport: StreamableHTTPClientTransport | SSEClientTransport): Promise<Client> {
  const client = new Client({ name: "http-e2e", version: "1.0.0" });
  await client.connect(transport);
  return client;
}

const call = async (client: Client, name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as CallToolResult;

describe("the server over HTTP", () => {
  it("serves Streamable HTTP and SSE over one store: a hash from one client resolves for another", async () => {
    const server = await startHttp(["--store", tempStorePath()]);
    const streamable = await connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)));
    const sse = await connect(new SSEClientTransport(new URL(`${server.url}/sse`)));
    expect((await streamable.listTools()).tools.map((t) => t.name)).toContain("compress_tool_result");
    expect((await sse.listTools()).tools.map((t) => t.name)).toContain("headroom_retrieve");
    const compressed = await call(streamable, "compress_tool_result", { content: needleLogs() });
    const { hash } = compressed.structuredContent as { hash: string };
    const fromSse = await call(sse, "headroom_retrieve", { hash, query: "PG-5523" });
    expect(fromSse.isError).toBeFalsy();
    expect((fromSse.structuredContent as { content: string }).content).toContain("PG-5523");
    const other = await connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)));
    expect((await call(other, "headroom_retrieve", { hash })).isError).toBeFalsy();
    await Promise.all([streamable.close(), sse.close(), other.close()]);

    const health = (await (await fetch(`${server.url}/health`)).json()) as { status: string; store: { kind: string; entries: number } };
    expect(health).toMatchObject({ status: "ok", store: { kind: "sqlite", entries: 1 } });
  });

  it("answers a stateless POST without a session", async () => {
    const server = await startHttp(["--store", "memory"]);
    const response = await fetch(`${server.url}/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { result: { tools: unknown[] } };
    expect(body.result.tools.length).toBe(7);
  });

  it("requires the bearer token when one is set", async () => {
    const server = await startHttp(["--store", "memory", "--token", "s3cret-token"]);
    const post = (authorization?: string) =>
      fetch(`${server.url}/mcp`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
      });
    expect((await post()).status).toBe(401);
    expect((await post("Bearer wrong-token")).status).toBe(401);
    expect((await post("Bearer s3cret-token")).status).toBe(200);
    const client = await connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers: { authorization: "Bearer s3cret-token" } } }));
    expect((await client.listTools()).tools.length).toBe(7);
    await client.close();
  });

  it("rejects foreign origins and hosts, oversized bodies and malformed JSON", async () => {
    const server = await startHttp(["--store", "memory", "--max-input-mb", "0.01"]);
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${server.url}/mcp`, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers }, body });
    expect((await post("{}", { origin: "http://evil.example" })).status).toBe(403);
    expect((await post(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }), { origin: `${server.url}` })).status).toBe(200);
    const big = await post(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "compress_tool_result", arguments: { content: "x".repeat(2 * 1024 * 1024) } } }));
    expect(big.status).toBe(413);
    const malformed = await post("{not json");
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: number } }).error.code).toBe(-32700);
    const port = new URL(server.url).port;
    const rebinding = spawnSync("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", `Host: attacker.example:${port}`, `${server.url}/health`], { encoding: "utf8" });
    if (rebinding.status === 0) expect(rebinding.stdout).toBe("403");
    expect((await fetch(`${server.url}/health`)).status).toBe(200); // still serving
  });

  it("refuses to bind beyond loopback without a token", () => {
    const refused = spawnSync(process.execPath, [CLI, "--http", "--host", "0.0.0.0", "--port", "0"], { encoding: "utf8" });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/needs? a bearer token|set a bearer token with --token/);
  });

  it("finishes a call in flight on SIGTERM, then exits cleanly", async () => {
    const server = await startHttp(["--store", tempStorePath(), "--log-level", "debug"]);
    const client = await connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)));
    // ~18 MB of log records: a second or more of work, so SIGTERM lands while the call runs
    const records = JSON.parse(fixture("json/app-log-records.json")) as unknown[];
    const pending = call(client, "compress_tool_result", { content: JSON.stringify([...records, ...records, ...records, ...records]) });
    while (!server.stderr().includes("POST /mcp tools/call compress_tool_result")) await new Promise((resolve) => setTimeout(resolve, 10));
    server.child.kill("SIGTERM");
    const result = await pending;
    expect(result.isError).toBeFalsy();
    expect(await server.exited).toBe(0);
  });
});
