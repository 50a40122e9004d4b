// A small MCP server to stand behind the gateway in tests: `node upstream-server.mjs [--exit-on-start]`.
// Tools: big (a large log), echo, hang (never answers), crash (the process exits mid-call), grow (adds a tool).
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

if (process.argv.includes("--exit-on-start")) {
  process.stderr.write("upstream-server: refusing to start (test)\n");
  process.exit(3);
}
const server = new McpServer({ name: "test-upstream", version: "1.0.0" });
server.registerTool("big", { description: "A large log", inputSchema: { lines: z.number().int() } }, async ({ lines }) => {
  const out = [];
  for (let i = 0; i < lines; i++) out.push(`2026-11-20T10:${String(Math.floor(i / 60) % 60).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}.000Z INFO [worker-${i % 4}] request ${i} served in ${(i * 37) % 400} ms`);
  out.push("2026-11-20T11:00:00.000Z ERROR [worker-2] upstream gateway timeout for order 5523");
  return { content: [{ type: "text", text: out.join("\n") }] };
});
server.registerTool("echo", { description: "Echo", inputSchema: { text: z.string() } }, async ({ text }) => ({ content: [{ type: "text", text }] }));
server.registerTool("hang", { description: "Never answers" }, () => new Promise(() => {}));
server.registerTool("crash", { description: "Exits mid-call" }, async () => {
  setTimeout(() => process.exit(1), 10);
  return new Promise(() => {});
});
server.registerTool("grow", { description: "Adds a tool (the server then tells its client its tools changed)" }, async () => {
  server.registerTool("grown", { description: "Added at run time" }, async () => ({ content: [{ type: "text", text: "grown" }] }));
  return { content: [{ type: "text", text: "added" }] };
});
await server.connect(new StdioServerTransport());
