import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ListToolsRequestSchema, type Tool } from "@modelcontextprotocol/sdk/types.js";
import { packageRoot } from "../paths.js";

/**
 * The answer to `tools/list`, computed at build time. The SDK turns every zod schema into JSON
 * Schema on every `tools/list`: 35-70 ms here, a quarter of what a host waits for at start-up,
 * for a list that only changes when the code does. The build writes the SDK's own answer to
 * dist/tool-list.json (a test checks it still equals the live one); a server of the same version
 * answers from it, and any other falls back to the SDK.
 */
interface ToolListFile {
  version: string;
  tools: Tool[];
}

export function toolListFile(): string {
  return join(packageRoot(), "dist", "tool-list.json");
}

/** Answers `tools/list` from the build's list when it belongs to this version. */
export function answerToolListFromBuild(server: McpServer, version: string): void {
  let built: ToolListFile;
  try {
    built = JSON.parse(readFileSync(toolListFile(), "utf8")) as ToolListFile;
  } catch {
    return; // not built (running from source): the SDK answers
  }
  if (built.version !== version || !Array.isArray(built.tools)) return;
  const answer = { tools: built.tools };
  server.server.setRequestHandler(ListToolsRequestSchema, () => answer);
}

/** What the SDK itself answers to `tools/list` for a server, through an in-memory client. */
export async function listToolsLive(server: McpServer): Promise<Tool[]> {
  // loaded here only: the running server never needs a client
  const [{ Client }, { InMemoryTransport }] = await Promise.all([import("@modelcontextprotocol/sdk/client/index.js"), import("@modelcontextprotocol/sdk/inMemory.js")]);
  const [serverSide, clientSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: "headroom-mcp-build", version: "1" });
  await client.connect(clientSide);
  try {
    return (await client.listTools()).tools;
  } finally {
    await client.close();
    await server.close();
  }
}
