import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect as connectTcp } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { LATEST_PROTOCOL_VERSION, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
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

/** GET through node:http, which (unlike fetch) sends the Host header it is given. */
function getStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on("error", reject)
      .end();
  });
}

const MCP_HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };

/** Opens a Streamable HTTP session by hand (no GET stream, as an abandoning client would) and returns its id. */
async function openSession(url: string): Promise<string> {
  const init = await fetch(`${url}/mcp`, {
    method: "POST",
    headers: MCP_HEADERS,
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: "raw", version: "1" } } }),
  });
  await init.text();
  const id = init.headers.get("mcp-session-id");
  expect(init.status).toBe(200);
  expect(id).toBeTruthy();
  const initialized = await postInSession(url, id!, { jsonrpc: "2.0", method: "notifications/initialized" });
  expect(initialized.status).toBe(202);
  return id!;
}

async function postInSession(url: string, sessionId: string, message: unknown): Promise<{ status: number; text: string }> {
  const response = await fetch(`${url}/mcp`, { method: "POST", headers: { ...MCP_HEADERS, "mcp-session-id": sessionId }, body: JSON.stringify(message) });
  return { status: response.status, text: await response.text() };
}

const listTools = (url: string, sessionId: string) => postInSession(url, sessionId, { jsonrpc: "2.0", id: 2, method: "tools/list" });

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

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

  it("reads a `path` only from --allow-dir folders: a remote client's roots name its own machine", async () => {
    const dir = mkdtempSync(join(tmpdir(), "headroom-http-path-"));
    writeFileSync(join(dir, "app.log"), needleLogs().map((r) => JSON.stringify(r)).join("\n"));
    const closed = await startHttp(["--store", "memory"]);
    const client = await connect(new StreamableHTTPClientTransport(new URL(`${closed.url}/mcp`)));
    const refused = await call(client, "compress_tool_result", { path: join(dir, "app.log") });
    expect(refused.isError).toBe(true);
    expect((refused.content[0] as { text: string }).text).toMatch(/reads no files.*--allow-dir/);
    await client.close();
    const open = await startHttp(["--store", "memory", "--allow-dir", dir]);
    const allowed = await connect(new StreamableHTTPClientTransport(new URL(`${open.url}/mcp`)));
    const read = await call(allowed, "compress_tool_result", { path: join(dir, "app.log") });
    expect(read.isError).toBeFalsy();
    expect((read.content[0] as { text: string }).text).toContain("PG-5523");
    await allowed.close();
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
    expect(await getStatus(`${server.url}/health`, { host: `attacker.example:${port}` })).toBe(403);
    expect((await fetch(`${server.url}/health`)).status).toBe(200); // still serving
  });

  it("takes no name for loopback by its look: 127.0.0.1.evil.com is a foreign Host and Origin", async () => {
    const server = await startHttp(["--store", "memory"]);
    const port = new URL(server.url).port;
    for (const host of [`127.0.0.1.evil.com:${port}`, "127.0.0.1.evil.com", `localhost.evil.com:${port}`, `0x7f.1:${port}`, `127.0.0.1:${Number(port) + 1}`]) {
      expect(await getStatus(`${server.url}/health`, { host }), host).toBe(403);
    }
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, "127.0.0.1"]) expect(await getStatus(`${server.url}/health`, { host }), host).toBe(200);
    const post = (origin: string) => fetch(`${server.url}/mcp`, { method: "POST", headers: { ...MCP_HEADERS, origin }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }) });
    for (const origin of [`http://127.0.0.1.evil.com:${port}`, "http://127.0.0.1.evil.com", `http://localhost.evil.com:${port}`]) expect((await post(origin)).status, origin).toBe(403);
    for (const origin of [`http://localhost:${port}`, `http://127.0.0.1:${port}`]) expect((await post(origin)).status, origin).toBe(200);
  });

  it("refuses to bind beyond loopback without a token", () => {
    const refused = spawnSync(process.execPath, [CLI, "--http", "--host", "0.0.0.0", "--port", "0"], { encoding: "utf8" });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/needs? a bearer token|set a bearer token with --token/);
    // a name that merely starts like a loopback address is a name: one line saying so, then the usage
    const lookalike = spawnSync(process.execPath, [CLI, "--http", "--host", "127.attacker.example", "--port", "0"], { encoding: "utf8" });
    expect(lookalike.status).toBe(2);
    expect(lookalike.stderr.split("\n")[0]).toMatch(/^headroom-mcp: --host 127\.attacker\.example is not a loopback address .*needs a bearer token: set --token or HEADROOM_TOKEN/);
  });

  it("asks for the token on /health when one is set, unless --public-health", async () => {
    const guarded = await startHttp(["--store", "memory", "--token", "s3cret-token"]);
    expect((await fetch(`${guarded.url}/health`)).status).toBe(401);
    expect((await fetch(`${guarded.url}/health`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    const allowed = await fetch(`${guarded.url}/health`, { headers: { authorization: "Bearer s3cret-token" } });
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toMatchObject({ status: "ok", store: { kind: "memory" } });

    const open = await startHttp(["--store", "memory", "--token", "s3cret-token", "--public-health"]);
    expect((await fetch(`${open.url}/health`)).status).toBe(200);
    expect((await fetch(`${open.url}/mcp`, { method: "POST", headers: MCP_HEADERS, body: "{}" })).status).toBe(401); // only /health is public
  });

  it("closes sessions idle past --session-idle; clients still connected keep theirs", async () => {
    const server = await startHttp(["--store", "memory", "--session-idle", "1s", "--log-level", "debug"]);
    const streamable = await connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)));
    const sse = await connect(new SSEClientTransport(new URL(`${server.url}/sse`)));
    const abandoned = await openSession(server.url);
    expect((await listTools(server.url, abandoned)).status).toBe(200);

    await until(() => server.stderr().includes(`session ${abandoned.slice(0, 8)} closed: idle`), "the abandoned session to expire");
    const gone = await listTools(server.url, abandoned);
    expect(gone.status).toBe(404);
    expect(JSON.parse(gone.text)).toMatchObject({ jsonrpc: "2.0", error: { code: -32001, message: expect.stringMatching(/session not found.*initialize a new one/) } });
    const stream = await fetch(`${server.url}/mcp`, { headers: { accept: "text/event-stream", "mcp-session-id": abandoned } });
    expect(stream.status).toBe(404);
    await stream.text();
    const deleted = await fetch(`${server.url}/mcp`, { method: "DELETE", headers: { "mcp-session-id": abandoned } });
    expect(deleted.status).toBe(404);

    // the SDK clients hold their streams open, so they were never idle
    expect((await streamable.listTools()).tools.length).toBe(7);
    expect((await sse.listTools()).tools.length).toBe(7);
    expect((await listTools(server.url, await openSession(server.url))).status).toBe(200); // a new session works
    await Promise.all([streamable.close(), sse.close()]);
  });

  it("keeps at most --max-sessions: a new session closes the one idle longest", async () => {
    const server = await startHttp(["--store", "memory", "--max-sessions", "3"]);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await openSession(server.url));
    expect((await listTools(server.url, ids[0]!)).status).toBe(404); // the fourth pushed out the first
    for (const id of ids.slice(1)) expect((await listTools(server.url, id)).status).toBe(200);
    expect(server.stderr()).toMatch(/session \S+ closed: idle for \d+ s, to stay within 3 sessions/);

    expect((await listTools(server.url, ids[1]!)).status).toBe(200); // used last: now the third is idle longest
    ids.push(await openSession(server.url));
    expect((await listTools(server.url, ids[2]!)).status).toBe(404);
    for (const id of [ids[1]!, ids[3]!, ids[4]!]) expect((await listTools(server.url, id)).status).toBe(200);

    // legacy SSE sessions count too: an SSE client takes the slot of the session idle longest
    const sse = await connect(new SSEClientTransport(new URL(`${server.url}/sse`)));
    expect((await listTools(server.url, ids[1]!)).status).toBe(404);
    expect((await sse.listTools()).tools.length).toBe(7);
    for (const id of [ids[3]!, ids[4]!]) expect((await listTools(server.url, id)).status).toBe(200);
    await sse.close();
  });

  it("answers 408 and closes the socket when a body trickles in slower than --request-timeout", async () => {
    const server = await startHttp(["--store", "memory", "--request-timeout", "1s"]);
    const { hostname, port } = new URL(server.url);
    const socket = connectTcp(Number(port), hostname);
    let received = "";
    socket.on("data", (chunk: Buffer) => (received += chunk.toString()));
    const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    socket.on("error", () => {});
    const started = Date.now();
    socket.write(`POST /mcp HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`);
    const trickle = setInterval(() => socket.writable && socket.write(" "), 100);
    try {
      await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error("the socket was not closed")), 15_000))]);
    } finally {
      clearInterval(trickle);
    }
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    // a prompt request on the same server is unaffected
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
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
