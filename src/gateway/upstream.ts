import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { ToolListChangedNotificationSchema, type CallToolResult, type Tool } from "@modelcontextprotocol/sdk/types.js";
import type { Logger } from "../log.js";
import type { UpstreamSpec } from "./upstream-config.js";

/**
 * One server behind the gateway: an MCP client over stdio (a child process) or Streamable HTTP.
 * It connects in the background, keeps the list of its tools, and when it fails to start, exits
 * or stops answering it is restarted with backoff; meanwhile calls to it fail with a clear reason
 * and everything else keeps working. `close()` ends the child (no orphans).
 */
export type UpstreamState = "starting" | "ready" | "down" | "closed";

export interface UpstreamStatus {
  name: string;
  state: UpstreamState;
  tools: number;
  restarts: number;
  error?: string;
}

const BACKOFF_MS = [1000, 2000, 5000, 10_000, 30_000];
/** Stderr lines of a child kept for the reason it failed. */
const STDERR_TAIL_CHARS = 600;

export class Upstream {
  state: UpstreamState = "starting";
  tools: Tool[] = [];
  restarts = 0;
  error: string | undefined;
  private client: Client | undefined;
  private firstAttempt: Promise<void>;
  private retryTimer: NodeJS.Timeout | undefined;
  private stderrTail = "";

  constructor(
    readonly spec: UpstreamSpec,
    private readonly logger: Logger,
    private readonly onToolsChanged: () => void,
    private readonly timeouts: { connectMs: number; callMs: number },
  ) {
    this.firstAttempt = this.connect();
  }

  /** Resolves once the first attempt to connect has succeeded or failed (it never rejects). */
  settled(): Promise<void> {
    return this.firstAttempt;
  }

  status(): UpstreamStatus {
    return { name: this.spec.name, state: this.state, tools: this.tools.length, restarts: this.restarts, ...(this.error ? { error: this.error } : {}) };
  }

  async call(tool: string, args: Record<string, unknown> | undefined): Promise<CallToolResult> {
    const client = this.client;
    if (this.state !== "ready" || !client) throw new Error(this.unavailable());
    try {
      return (await client.callTool({ name: tool, arguments: args ?? {} }, undefined, { timeout: this.timeouts.callMs })) as CallToolResult;
    } catch (error) {
      // a call that times out or loses its server says so; the restart is already under way if it died
      throw new Error(`${this.spec.name} did not answer ${tool}: ${message(error)}${this.state === "ready" ? "" : `; ${this.unavailable()}`}`);
    }
  }

  async close(): Promise<void> {
    this.state = "closed";
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.close().catch(() => undefined);
  }

  private unavailable(): string {
    if (this.state === "starting") return `the upstream server "${this.spec.name}" is still starting; try again in a moment`;
    return `the upstream server "${this.spec.name}" is not available (${this.error ?? "not connected"}); headroom-mcp restarts it with backoff (restart ${this.restarts}), and its other tools keep working`;
  }

  private async connect(): Promise<void> {
    if (this.state === "closed") return;
    const client = new Client({ name: "headroom-mcp-gateway", version: "1" });
    const transport = this.transport();
    let connected = false;
    transport.onclose = () => {
      if (connected && this.client === client) this.failed(`it exited or closed the connection${this.stderrNote()}`);
    };
    try {
      await withTimeout(client.connect(transport), this.timeouts.connectMs, "it did not finish starting");
      connected = true;
      this.client = client;
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => void this.refreshTools(client));
      await this.refreshTools(client);
      this.state = "ready";
      this.error = undefined;
      this.logger.info(`upstream ${this.spec.name}: ready, ${this.tools.length} tools`);
    } catch (error) {
      await client.close().catch(() => undefined);
      this.failed(`${message(error)}${this.stderrNote()}`);
    }
  }

  private async refreshTools(client: Client): Promise<void> {
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : undefined, { timeout: this.timeouts.callMs });
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor);
    this.tools = tools;
    this.onToolsChanged();
  }

  private failed(reason: string): void {
    if (this.state === "closed") return;
    const wasReady = this.state === "ready";
    this.state = "down";
    this.error = reason;
    this.client = undefined;
    if (wasReady) this.onToolsChanged();
    const delay = BACKOFF_MS[Math.min(this.restarts, BACKOFF_MS.length - 1)]!;
    this.logger.warn(`upstream ${this.spec.name}: ${reason}; restarting in ${delay / 1000} s`);
    this.retryTimer = setTimeout(() => {
      this.restarts++;
      this.stderrTail = "";
      void this.connect();
    }, delay);
    this.retryTimer.unref();
  }

  private transport(): Transport {
    const t = this.spec.transport;
    if (t.kind === "http") {
      return new StreamableHTTPClientTransport(new URL(t.url), t.headers ? { requestInit: { headers: t.headers } } : undefined);
    }
    const transport = new StdioClientTransport({
      command: t.command,
      args: t.args,
      // the child gets this process's environment (PATH, HOME) plus its own entries, as hosts do
      env: { ...(process.env as Record<string, string>), ...t.env },
      stderr: "pipe",
      ...(t.cwd ? { cwd: t.cwd } : {}),
    });
    transport.stderr?.on("data", (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-STDERR_TAIL_CHARS);
    });
    return transport;
  }

  private stderrNote(): string {
    const tail = this.stderrTail.trim().split("\n").slice(-3).join(" | ");
    return tail ? ` (its stderr: ${tail})` : "";
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} within ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
