import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult, type Tool } from "@modelcontextprotocol/sdk/types.js";
import type { Engine } from "../engine/engine.js";
import type { Logger } from "../log.js";
import { compressCallResult } from "./forward.js";
import { Upstream, type UpstreamStatus } from "./upstream.js";
import type { CompressionSettings, UpstreamSpec } from "./upstream-config.js";

/**
 * Gateway mode: headroom-mcp is the one server a host knows, and the servers behind it are its
 * upstreams. Their tools are offered as `NAME__TOOL` next to headroom's own; each call goes to its
 * upstream and a large text result comes back compressed, its original in the store.
 *
 * Forwarded tools are offered without their output schema unless compression is off for them: a
 * compressed result drops `structuredContent` (it holds the same data, uncompressed, so a host
 * reading it would save nothing), and a result without it would not match a declared schema.
 * Upstream prompts and resources are not offered.
 */
const SEPARATOR = "__";
/** How long a first `tools/list` waits for upstreams still starting (a cold `npx` can take a while). */
const FIRST_LIST_WAIT_MS = 15_000;

export class Gateway {
  private readonly upstreams = new Map<string, Upstream>();
  private readonly listeners = new Set<() => void>();

  constructor(
    specs: readonly UpstreamSpec[],
    private readonly engine: Pick<Engine, "compress">,
    private readonly logger: Logger,
    timeouts: { connectMs: number; callMs: number },
  ) {
    for (const spec of specs) this.upstreams.set(spec.name, new Upstream(spec, logger, () => this.changed(), timeouts));
  }

  /** Waits (a bounded time) for every upstream's first attempt to start. */
  async settled(waitMs = FIRST_LIST_WAIT_MS): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all([...this.upstreams.values()].map((u) => u.settled())), new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
  }

  status(): UpstreamStatus[] {
    return [...this.upstreams.values()].map((u) => u.status());
  }

  /** Every upstream tool, namespaced; an upstream that is down keeps its last list, marked so. */
  tools(): Tool[] {
    const tools: Tool[] = [];
    for (const upstream of this.upstreams.values()) {
      const down = upstream.state === "ready" ? "" : `[currently unavailable: ${upstream.error ?? "starting"}] `;
      for (const tool of upstream.tools) {
        const { outputSchema, ...rest } = tool;
        const keepSchema = outputSchema !== undefined && settingsFor(upstream.spec, tool.name).off === true;
        tools.push({
          ...rest,
          name: `${upstream.spec.name}${SEPARATOR}${tool.name}`,
          description: `${down}${tool.description ?? ""}${tool.description ? " " : ""}(via ${upstream.spec.name}; large results come back compressed by headroom)`,
          ...(keepSchema ? { outputSchema } : {}),
        });
      }
    }
    return tools;
  }

  /** The upstream and tool a namespaced name points to, if it is one of theirs. */
  route(name: string): { upstream: Upstream; tool: string } | undefined {
    const at = name.indexOf(SEPARATOR);
    if (at <= 0) return undefined;
    const upstream = this.upstreams.get(name.slice(0, at));
    return upstream ? { upstream, tool: name.slice(at + SEPARATOR.length) } : undefined;
  }

  async call(upstream: Upstream, tool: string, args: Record<string, unknown> | undefined): Promise<CallToolResult> {
    let result: CallToolResult;
    try {
      result = await upstream.call(tool, args);
    } catch (error) {
      return { isError: true, content: [{ type: "text", text: `upstream_unavailable: ${error instanceof Error ? error.message : String(error)}` }] };
    }
    const settings = settingsFor(upstream.spec, tool);
    const query = settings.queryArg && typeof args?.[settings.queryArg] === "string" ? (args[settings.queryArg] as string) : undefined;
    try {
      return (
        await compressCallResult(this.engine, `${upstream.spec.name}${SEPARATOR}${tool}`, result, {
          ...(settings.off !== undefined ? { off: settings.off } : {}),
          ...(settings.minChars !== undefined ? { minChars: settings.minChars } : {}),
          ...(settings.maxTokens !== undefined ? { maxTokens: settings.maxTokens } : {}),
          ...(query !== undefined ? { query } : {}),
        }, this.logger)
      ).result;
    } catch (error) {
      this.logger.error(`compressing a result of ${upstream.spec.name}${SEPARATOR}${tool} failed; passing it through`, error);
      return result;
    }
  }

  /**
   * Puts the gateway in front of a server's own `tools/list` and `tools/call`: upstream tools are
   * listed after headroom's, calls to them are forwarded, and the rest goes to the SDK's handlers.
   * A method, so that a server without upstreams never loads this module (nor the SDK's clients).
   * Returns what undoes the subscription to tool changes.
   */
  attach(server: McpServer): () => void {
    return attachGateway(server, this);
  }

  onToolsChanged(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    await Promise.all([...this.upstreams.values()].map((u) => u.close()));
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}

function settingsFor(spec: UpstreamSpec, tool: string): CompressionSettings {
  return { ...spec.settings, ...spec.settings.tools?.[tool] };
}

/** The SDK's own handlers, kept to answer for headroom's tools (the protocol class keeps them in a map). */
type Handlers = { _requestHandlers: Map<string, (request: unknown, extra: unknown) => Promise<unknown>> };

/** Puts `gateway` in front of a server's own `tools/list` and `tools/call` (see Gateway.attach). */
function attachGateway(server: McpServer, gateway: Gateway): () => void {
  const handlers = (server.server as unknown as Handlers)._requestHandlers;
  const ownList = handlers.get("tools/list");
  const ownCall = handlers.get("tools/call");
  if (!ownList || !ownCall) throw new Error("attachGateway needs a server with its tools registered");
  server.server.setRequestHandler(ListToolsRequestSchema, async (request, extra) => {
    await gateway.settled();
    const own = (await ownList(request, extra)) as { tools: Tool[] };
    return { tools: [...own.tools, ...gateway.tools()] };
  });
  server.server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const routed = gateway.route(request.params.name);
    if (!routed) return (await ownCall(request, extra)) as CallToolResult;
    return gateway.call(routed.upstream, routed.tool, request.params.arguments);
  });
  return gateway.onToolsChanged(() => {
    if (server.isConnected()) server.sendToolListChanged();
  });
}
