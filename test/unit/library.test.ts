import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { closeDefaultHeadroom, compressToolResult, createHeadroom, withCompression, type CompressionOptions, type Headroom } from "../../src/index.js";
import { quietLogger } from "../helpers/engine.js";

const folder = mkdtempSync(join(tmpdir(), "headroom-library-"));
const store = { kind: "sqlite" as const, path: join(folder, "store.sqlite") };
let headroom: Headroom;

beforeAll(() => {
  headroom = createHeadroom({ store, ttlMs: 3_600_000, storeMaxBytes: 1e9, logger: quietLogger, sweepAtStart: false });
});

afterAll(async () => {
  await headroom.close();
  await closeDefaultHeadroom();
  rmSync(folder, { recursive: true, force: true });
});

/** `lines` log lines of a service, one of them the failure the model is after. */
function serviceLog(lines: number): string {
  return Array.from({ length: lines }, (_, i) =>
    i === lines - 83 ? "2026-11-20 10:06:57 ERROR worker-1 payment PG-5523 declined: card expired" : `2026-11-20 10:${String(Math.floor(i / 60) % 60).padStart(2, "0")}:${String(i % 60).padStart(2, "0")} INFO worker-${i % 4} processed batch ${i} in ${(i * 37) % 900} ms`,
  ).join("\n");
}

const text = (result: CallToolResult): string => (result.content[0]?.type === "text" ? result.content[0].text : "");
const handleOf = (result: CallToolResult): string => /hash=([0-9a-f]{24})/.exec(text(result))?.[1] ?? "";

/** A server with wrapped tools, and a client talking to it in memory. */
async function connect(options: CompressionOptions): Promise<Client> {
  const server = new McpServer({ name: "logs", version: "1.0.0" });
  server.registerTool(
    "tail_logs",
    { description: "The service's log", inputSchema: { lines: z.number().int(), query: z.string().optional() } },
    withCompression("tail_logs", async ({ lines }) => ({ content: [{ type: "text", text: serviceLog(lines) }] }), { ...options, queryFrom: "query" }),
  );
  // no input schema: the handler gets only `extra`
  server.registerTool(
    "status",
    { description: "Everything at once" },
    withCompression("status", () => ({ content: [{ type: "text", text: serviceLog(600) }] }), options),
  );
  // an output schema: the SDK wants structuredContent, so the wrapper lets the result through
  server.registerTool(
    "counts",
    { description: "Counts", outputSchema: { log: z.string() } },
    withCompression("counts", () => ({ structuredContent: { log: serviceLog(600) }, content: [{ type: "text", text: serviceLog(600) }] }), options),
  );
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: "test", version: "1.0.0" });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  return client;
}

describe("withCompression on an McpServer", () => {
  it("answers a large call compressed, with a handle the store redeems", async () => {
    const client = await connect({ headroom });
    const result = (await client.callTool({ name: "tail_logs", arguments: { lines: 600, query: "PG-5523" } })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    expect(text(result)).toMatch(/^\[headroom: tail_logs result compressed from [\d,]+ to [\d,]+ characters; the whole result: headroom_retrieve hash=[0-9a-f]{24}/);
    expect(text(result)).toContain("PG-5523");
    const back = await headroom.engine.retrieve({ hash: handleOf(result) });
    expect(back.content).toBe(serviceLog(600));
    await client.close();
  });

  it("passes small results, tools without an input schema work, and structured results stay whole", async () => {
    const client = await connect({ headroom });
    const small = (await client.callTool({ name: "tail_logs", arguments: { lines: 5 } })) as CallToolResult;
    expect(text(small)).toBe(serviceLog(5));
    const status = (await client.callTool({ name: "status", arguments: {} })) as CallToolResult;
    expect(text(status)).toMatch(/^\[headroom: status result compressed/);
    const counts = (await client.callTool({ name: "counts", arguments: {} })) as CallToolResult;
    expect(counts.isError).toBeFalsy();
    expect(counts.structuredContent).toEqual({ log: serviceLog(600) });
    expect(text(counts)).toBe(serviceLog(600));
    await client.close();
  });
});

describe("compressToolResult", () => {
  it("keeps originals in a default Headroom on the given store, readable by another on the same file", async () => {
    const result = await compressToolResult("status", { content: [{ type: "text", text: serviceLog(600) }] }, { store, logger: quietLogger });
    const hash = handleOf(result);
    expect(hash).toMatch(/^[0-9a-f]{24}$/);
    expect((await headroom.engine.retrieve({ hash })).content).toBe(serviceLog(600));
    await closeDefaultHeadroom();
    // a later call opens a new one
    const again = await compressToolResult("status", { content: [{ type: "text", text: serviceLog(700) }] }, { store, logger: quietLogger });
    expect(handleOf(again)).toMatch(/^[0-9a-f]{24}$/);
  });

  it("returns the result unchanged when the environment names an unusable store", async () => {
    const saved = process.env.HEADROOM_STORE;
    process.env.HEADROOM_STORE = "ftp://nowhere";
    try {
      const original: CallToolResult = { content: [{ type: "text", text: serviceLog(600) }] };
      expect(await compressToolResult("status", original, { logger: quietLogger })).toBe(original);
    } finally {
      if (saved === undefined) delete process.env.HEADROOM_STORE;
      else process.env.HEADROOM_STORE = saved;
    }
  });
});
