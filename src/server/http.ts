import { randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SSEServerTransport } from "@modelcontextprotocol/sdk/server/sse.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import { describeStoreAtStartup } from "../ccr/backend.js";
import { describeEmbeddings } from "../memory/embeddings.js";
import type { Config, HttpConfig } from "../config.js";
import { headroomFromConfig, type Headroom } from "../headroom.js";
import type { Logger } from "../log.js";
import { isLoopback, splitHostPort } from "./loopback.js";
import { createMcpServer } from "./server.js";
import { SessionTable } from "./sessions.js";

/**
 * MCP over HTTP: Streamable HTTP at `/mcp` (sessions, and stateless POSTs without a session),
 * legacy HTTP+SSE at `/sse` + `/messages`, and `GET /health`. Every session gets its own MCP
 * server over one shared engine and store, so a hash handed to one client resolves for another.
 *
 * Safe by default: loopback unless `--host` says otherwise, and then only with a bearer token
 * (which /health needs too unless `--public-health`); `Host` and `Origin` are checked against an
 * allow-list (DNS-rebinding protection); bodies over the limit get 413, bodies too slow to arrive
 * 408; malformed JSON gets a JSON-RPC parse error; abandoned sessions are closed (see sessions.ts).
 */
export interface HttpOptions extends HttpConfig {
  maxBodyBytes: number;
}

const SHUTDOWN_GRACE_MS = 10_000;
// node checks its request timeouts only this often (30 s by default, which would let a 30 s
// timeout run to a minute)
const TIMEOUT_CHECK_MS = 1_000;
// a client that vanished without closing its stream (a laptop shut mid-session) is found by TCP
// keep-alive probes, and its session then starts to idle
const TCP_KEEPALIVE_MS = 60_000;

export interface RunningHttp {
  url: string;
  close(): Promise<void>;
}

type Transport = StreamableHTTPServerTransport | SSEServerTransport;

export async function serveHttp(config: Config, options: HttpOptions, logger: Logger, version: string): Promise<RunningHttp> {
  const headroom = headroomFromConfig(config, logger);
  // over HTTP a client's roots name folders on its machine, not this one: only --allow-dir counts
  const files = { allowDirs: config.allowDirs, clientRoots: false, cwd: process.cwd(), maxBytes: config.maxInputBytes };
  // one set of upstream servers for every session
  const gateway = config.upstreams.length > 0 ? new (await import("../gateway/gateway.js")).Gateway(config.upstreams, headroom.engine, logger, config.upstreamTimeouts) : undefined;
  const sessions = new SessionTable<Transport>({ idleMs: options.sessionIdleMs, max: options.maxSessions }, logger);
  let inFlight = 0;
  let streams = 0;
  let port = options.port;

  const server: Server = createServer(
    {
      // a body trickled a byte at a time would otherwise hold its socket for node's 300 s
      requestTimeout: options.requestTimeoutMs,
      headersTimeout: options.requestTimeoutMs,
      connectionsCheckingInterval: TIMEOUT_CHECK_MS,
      keepAlive: true,
      keepAliveInitialDelay: TCP_KEEPALIVE_MS,
    },
    (req, res) => {
      inFlight++;
      res.on("close", () => inFlight--);
      handle(req, res).catch((error: unknown) => {
        logger.error("http request failed", error);
        if (!res.headersSent) json(res, 500, { error: "internal error" });
        else res.end();
      });
    },
  );

  /** Long-lived responses: shutdown does not wait for them to end by themselves. */
  const countStream = (res: ServerResponse): void => {
    streams++;
    res.once("close", () => streams--);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (!hostAllowed(req.headers.host, options.host, port)) return json(res, 403, { error: `Host ${req.headers.host ?? "(none)"} is not allowed` });
    const isHealth = req.method === "GET" && url.pathname === "/health";
    if (isHealth && (options.publicHealth || !options.token)) return health(res, headroom, version);
    if (!originAllowed(req.headers.origin, options.allowedOrigins, port)) return json(res, 403, { error: `Origin ${req.headers.origin} is not allowed` });
    if (options.token && !bearerMatches(req.headers.authorization, options.token)) {
      res.setHeader("WWW-Authenticate", 'Bearer realm="headroom-mcp"');
      return json(res, 401, { error: "missing or wrong bearer token: send Authorization: Bearer <token>" });
    }
    if (isHealth) return health(res, headroom, version);
    if (url.pathname === "/mcp") return streamable(req, res);
    if (url.pathname === "/sse" && req.method === "GET") return openSse(res);
    if (url.pathname === "/messages" && req.method === "POST") return sseMessage(req, res, url.searchParams.get("sessionId"));
    return json(res, 404, { error: "not found: MCP is served at /mcp (Streamable HTTP) and /sse (legacy SSE)" });
  };

  const streamable = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const sessionId = header(req, "mcp-session-id");
    if (sessionId) return inSession(req, res, sessionId);
    if (req.method !== "POST") return json(res, 400, rpcError(-32000, "Mcp-Session-Id header required: start a session with an initialize POST"));
    const body = await readJson(req, res, options.maxBodyBytes, logger);
    if (body === undefined) return;
    logger.debug(`POST /mcp ${describeRpc(body)}`);
    return isInitializeRequest(body) ? startSession(req, res, body) : stateless(req, res, body);
  };

  const inSession = async (req: IncomingMessage, res: ServerResponse, sessionId: string): Promise<void> => {
    const transport = sessions.get(sessionId);
    if (!(transport instanceof StreamableHTTPServerTransport)) return sessionGone(res, "initialize a new one with a POST without Mcp-Session-Id");
    sessions.track(sessionId, res);
    if (req.method !== "POST") {
      if (req.method === "GET") countStream(res);
      return transport.handleRequest(req, res);
    }
    const body = await readJson(req, res, options.maxBodyBytes, logger);
    if (body === undefined) return;
    logger.debug(`POST /mcp ${describeRpc(body)} (session ${sessionId.slice(0, 8)})`);
    return transport.handleRequest(req, res, body);
  };

  const startSession = async (req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> => {
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.add(id, transport);
        sessions.track(id, res);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.remove(transport.sessionId);
    };
    await createMcpServer(headroom, logger, version, { files, gateway }).connect(transport);
    return transport.handleRequest(req, res, body);
  };

  /** A POST without a session: one server and transport for this request only. */
  const stateless = async (req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> => {
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    const mcp = createMcpServer(headroom, logger, version, { files, gateway });
    res.on("close", () => {
      void transport.close();
      void mcp.close();
    });
    await mcp.connect(transport);
    return transport.handleRequest(req, res, body);
  };

  const openSse = async (res: ServerResponse): Promise<void> => {
    const transport = new SSEServerTransport("/messages", res);
    const id = transport.sessionId;
    sessions.add(id, transport);
    sessions.track(id, res);
    countStream(res);
    res.once("close", () => sessions.remove(id));
    await createMcpServer(headroom, logger, version, { files, gateway }).connect(transport);
  };

  const sseMessage = async (req: IncomingMessage, res: ServerResponse, sessionId: string | null): Promise<void> => {
    const transport = sessionId ? sessions.get(sessionId) : undefined;
    if (!sessionId || !(transport instanceof SSEServerTransport)) return sessionGone(res, "open GET /sse for a new one");
    sessions.track(sessionId, res);
    const body = await readJson(req, res, options.maxBodyBytes, logger);
    if (body === undefined) return;
    return transport.handlePostMessage(req, res, body);
  };

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const shown = options.host.includes(":") ? `[${options.host}]` : options.host;
  const url = `http://${shown}:${port}`;
  const store = describeStoreAtStartup(config.store);
  logger[store.warning ? "warn" : "info"](`v${version} serving MCP at ${url}/mcp (Streamable HTTP) and ${url}/sse (SSE); ${store.text}; ${describeEmbeddings(config.embeddings)}`);
  headroom.warmUpSoon();

  let closing: Promise<void> | undefined;
  return {
    url,
    close() {
      closing ??= (async () => {
        server.close();
        const deadline = Date.now() + SHUTDOWN_GRACE_MS;
        // requests still being answered finish first; open streams are ended after
        while (inFlight > streams && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        await sessions.closeAll();
        server.closeAllConnections();
        await gateway?.close();
        await headroom.close();
      })();
      return closing;
    },
  };
}

/** The MCP spec's answer for an unknown session: 404, after which the client starts a new one. */
function sessionGone(res: ServerResponse, remedy: string): void {
  json(res, 404, rpcError(-32001, `session not found: it expired, ended or never existed; ${remedy}`));
}

async function health(res: ServerResponse, headroom: Headroom, version: string): Promise<void> {
  const info = await headroom.engine.storeInfo();
  json(res, 200, { status: "ok", version, store: { kind: info.kind, entries: info.entries, ...(info.degraded ? { degraded: info.degraded } : {}) } });
}

function hostAllowed(host: string | undefined, bound: string, port: number): boolean {
  const parts = host === undefined ? undefined : splitHostPort(host);
  if (!parts || (parts.port !== undefined && parts.port !== String(port))) return false;
  if (isLoopback(parts.name)) return true;
  if (isLoopback(bound)) return false;
  return bound === "0.0.0.0" || bound === "::" || parts.name.toLowerCase() === bound.toLowerCase();
}

function originAllowed(origin: string | undefined, allowed: readonly string[], port: number): boolean {
  if (!origin) return true; // not a browser: nothing to rebind
  if (allowed.includes(origin) || allowed.includes("*")) return true;
  try {
    const url = new URL(origin);
    return isLoopback(url.hostname) && (url.port === String(port) || url.port === "");
  } catch {
    return false;
  }
}

function bearerMatches(authorization: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(.+)$/i.exec(authorization ?? "")?.[1]?.trim();
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Reads and parses a JSON body within the limit; answers 413/400 itself and returns undefined.
 * Also undefined when the body never arrived: node has answered 408 and closed the socket.
 */
async function readJson(req: IncomingMessage, res: ServerResponse, limit: number, logger: Logger): Promise<unknown> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limit) {
    json(res, 413, rpcError(-32600, `request body is ${declared} bytes, over the ${limit}-byte limit`));
    req.resume();
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) {
        json(res, 413, rpcError(-32600, `request body is over the ${limit}-byte limit`));
        req.destroy();
        return undefined;
      }
      chunks.push(chunk);
    }
  } catch (error) {
    logger.debug(`request body not received (${error instanceof Error ? error.message : String(error)})`);
    return undefined;
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    json(res, 400, rpcError(-32700, "parse error: the body is not valid JSON"));
    return undefined;
  }
}

function describeRpc(body: unknown): string {
  const message = body as { method?: unknown; params?: { name?: unknown } };
  if (typeof message?.method !== "string") return "(batch or response)";
  return typeof message.params?.name === "string" ? `${message.method} ${message.params.name}` : message.method;
}

function rpcError(code: number, message: string) {
  return { jsonrpc: "2.0", error: { code, message }, id: null };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
