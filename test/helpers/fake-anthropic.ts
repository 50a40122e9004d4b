import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One block the scripted "model" says: plain text, or a tool call. */
export type ModelBlock = { type: "text"; text: string } | { type: "tool_use"; name: string; input: Record<string, unknown>; id?: string };

/** What the model answers to one main-loop request: blocks, or a bare string (one text block). */
export type ModelTurn = string | ModelBlock[];

/** The parsed body of a Messages API request, loosely typed: tests only read what they need. */
export interface MessagesRequest {
  model?: string;
  stream?: boolean;
  tools?: Array<{ name: string; description?: string; input_schema?: unknown }>;
  messages: Array<{ role: string; content: string | ContentBlock[] }>;
  [key: string]: unknown;
}

export interface ContentBlock {
  type: string;
  text?: string;
  content?: string | ContentBlock[];
  tool_use_id?: string;
  is_error?: boolean;
  [key: string]: unknown;
}

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
  /** true for requests that carry `tools` (the agent loop), which the script answers. */
  mainLoop: boolean;
}

export type Script = (request: MessagesRequest, turn: number) => ModelTurn | Promise<ModelTurn>;

export interface FakeAnthropic {
  url: string;
  requests: RecordedRequest[];
  /** Main-loop requests only, in order. */
  mainLoop(): MessagesRequest[];
  /** Paths the fake did not recognise (answered with an empty 200 JSON), for tests to assert on or debug. */
  unknownPaths: string[];
  close(): Promise<void>;
}

// Claude Code streams over long-lived connections; a cap keeps a runaway client from filling memory.
const MAX_BODY_BYTES = 64 * 1024 * 1024;
const MAX_RECORDED = 500;

/**
 * A Messages API stand-in on loopback. Only requests that carry `tools` reach `script`; Claude Code's side
 * requests (titles, summaries, quota probes) get a short text so they never block the run.
 */
export async function startFakeAnthropic(script: Script): Promise<FakeAnthropic> {
  const requests: RecordedRequest[] = [];
  const unknownPaths: string[] = [];
  let turn = 0;
  let toolIds = 0;

  const server = createServer((req, res) => {
    readBody(req)
      .then(async (raw) => {
        const path = req.url ?? "/";
        let body: unknown = raw;
        try {
          body = raw.length > 0 ? JSON.parse(raw) : undefined;
        } catch {
          // keep the raw text: a non-JSON body is itself worth seeing in a failing test
        }
        const pathname = path.split("?")[0]!;
        const isMessages = req.method === "POST" && pathname === "/v1/messages";
        const mainLoop = isMessages && isRecord(body) && Array.isArray(body.tools) && body.tools.length > 0;
        if (requests.length < MAX_RECORDED) requests.push({ method: req.method ?? "GET", path, body, mainLoop });

        if (isMessages) {
          const request = (isRecord(body) ? body : { messages: [] }) as MessagesRequest;
          let blocks: ModelBlock[];
          if (mainLoop) {
            let said: ModelTurn;
            try {
              said = await script(request, turn++);
            } catch (error) {
              said = `fake-anthropic script error: ${(error as Error).message}`;
            }
            blocks = typeof said === "string" ? [{ type: "text", text: said }] : said;
          } else {
            blocks = [{ type: "text", text: "ok" }];
          }
          const withIds = blocks.map((b) => (b.type === "tool_use" ? { ...b, id: b.id ?? `toolu_fake_${String(++toolIds).padStart(4, "0")}` } : b));
          if (request.stream === false) sendJson(res, 200, messageJson(request, withIds));
          else sendStream(res, request, withIds);
          return;
        }
        if (req.method === "POST" && pathname === "/v1/messages/count_tokens") {
          // a rough count is enough: Claude Code only uses it for context-size bookkeeping
          sendJson(res, 200, { input_tokens: Math.ceil(raw.length / 4) });
          return;
        }
        // Claude Code probes reachability of the base URL with `HEAD /` before the first request
        if (!(req.method === "HEAD" && pathname === "/")) unknownPaths.push(`${req.method} ${path}`);
        sendJson(res, 200, {});
      })
      .catch((error: Error) => {
        if (!res.headersSent) sendJson(res, 500, { type: "error", error: { type: "api_error", message: error.message } });
        else res.destroy();
      });
  });
  // never let a stuck client keep the test process alive
  server.requestTimeout = 30_000;
  server.headersTimeout = 30_000;
  server.keepAliveTimeout = 1_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    unknownPaths,
    mainLoop: () => requests.filter((r) => r.mainLoop).map((r) => r.body as MessagesRequest),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Flattens a tool_result's content to the text the model reads (text blocks joined by newlines; other blocks as a placeholder). */
export function toolResultText(block: ContentBlock): string {
  const content = block.content;
  if (content === undefined) return "";
  if (typeof content === "string") return content;
  return content.map((c) => (c.type === "text" ? (c.text ?? "") : `[${c.type}]`)).join("\n");
}

/** The tool_result blocks of a request's last message (what the model received from its last tool calls). */
export function lastToolResults(request: MessagesRequest): ContentBlock[] {
  const last = request.messages.at(-1);
  if (!last || typeof last.content === "string") return [];
  return last.content.filter((c) => c.type === "tool_result");
}

/** The text of the single tool_result in a request's last message; throws if there is not exactly one. */
export function lastToolResultText(request: MessagesRequest): string {
  const results = lastToolResults(request);
  if (results.length !== 1) throw new Error(`expected one tool_result in the last message, found ${results.length}`);
  return toolResultText(results[0]!);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error("request body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), "request-id": "req_fake" });
  res.end(text);
}

let messageIds = 0;
function messageId(): string {
  return `msg_fake_${String(++messageIds).padStart(4, "0")}`;
}

function stopReason(blocks: ModelBlock[]): "tool_use" | "end_turn" {
  return blocks.some((b) => b.type === "tool_use") ? "tool_use" : "end_turn";
}

function messageJson(request: MessagesRequest, blocks: ModelBlock[]): unknown {
  return {
    id: messageId(),
    type: "message",
    role: "assistant",
    model: request.model ?? "claude-fake",
    content: blocks,
    stop_reason: stopReason(blocks),
    stop_sequence: null,
    usage: { input_tokens: 10, output_tokens: 10 },
  };
}

function sendStream(res: ServerResponse, request: MessagesRequest, blocks: ModelBlock[]): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive", "request-id": "req_fake" });
  const event = (type: string, data: Record<string, unknown>) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  event("message_start", {
    message: {
      id: messageId(),
      type: "message",
      role: "assistant",
      model: request.model ?? "claude-fake",
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    },
  });
  blocks.forEach((block, index) => {
    if (block.type === "text") {
      event("content_block_start", { index, content_block: { type: "text", text: "" } });
      event("content_block_delta", { index, delta: { type: "text_delta", text: block.text } });
    } else {
      event("content_block_start", { index, content_block: { type: "tool_use", id: block.id, name: block.name, input: {} } });
      event("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: JSON.stringify(block.input) } });
    }
    event("content_block_stop", { index });
  });
  event("message_delta", { delta: { stop_reason: stopReason(blocks), stop_sequence: null }, usage: { output_tokens: 10 } });
  event("message_stop", {});
  res.end();
}

/** Everything the model reads in a request's last message: tool_results and any text blocks (hook context), in order. */
export function lastMessageText(request: MessagesRequest): string {
  const last = request.messages.at(-1);
  if (!last) return "";
  if (typeof last.content === "string") return last.content;
  return last.content.map((c) => (c.type === "tool_result" ? toolResultText(c) : c.type === "text" ? (c.text ?? "") : `[${c.type}]`)).join("\n");
}
