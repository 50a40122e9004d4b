import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ListRootsRequestSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";

export const CLI = fileURLToPath(new URL("../../dist/bin/main.js", import.meta.url));

export function tempStorePath(): string {
  return join(mkdtempSync(join(tmpdir(), "headroom-e2e-")), "store.sqlite");
}

export interface RunningServer {
  client: Client;
  stderr: () => string;
  call(name: string, args: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

/** Starts the built server as a separate process and connects the SDK client to it over stdio. */
export async function startServer(args: string[], options: { nodeArgs?: string[]; env?: Record<string, string>; cwd?: string; roots?: string[] } = {}): Promise<RunningServer> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [...(options.nodeArgs ?? []), CLI, ...args],
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...options.env },
    stderr: "pipe",
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const client = new Client({ name: "headroom-e2e", version: "1.0.0" }, options.roots ? { capabilities: { roots: { listChanged: true } } } : {});
  const roots = options.roots;
  if (roots) client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: roots.map((dir) => ({ uri: pathToFileURL(dir).href, name: dir })) }));
  await client.connect(transport);
  return {
    client,
    stderr: () => stderr,
    call: async (name, toolArgs) => (await client.callTool({ name, arguments: toolArgs })) as CallToolResult,
    close: () => client.close(),
  };
}

export function text(result: CallToolResult, block = 0): string {
  const item = result.content[block];
  if (!item || item.type !== "text") throw new Error(`block ${block} is not text`);
  return item.text;
}
