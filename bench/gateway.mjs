// Gateway mode: what a call costs through headroom-mcp compared with calling the upstream server
// directly (both over stdio, the SDK's client), and the tokens the host receives either way.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { TokenCounter } from "../dist/index.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const upstream = join(root, "test/helpers/upstream-server.mjs");

async function connect(args) {
  const client = new Client({ name: "bench", version: "1.0.0" });
  await client.connect(new StdioClientTransport({ command: process.execPath, args, stderr: "ignore" }));
  return client;
}

async function p50(fn, runs) {
  const times = [];
  let last;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    last = await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length / 2)], last };
}

export async function gatewayBench(quick) {
  const store = join(mkdtempSync(join(tmpdir(), "headroom-bench-gateway-")), "store.sqlite");
  const direct = await connect([upstream]);
  const gateway = await connect([join(root, "dist/bin/main.js"), "--store", store, "--log-level", "warn", "--upstream", `test=${process.execPath} ${upstream}`]);
  await gateway.listTools();
  const runs = quick ? 50 : 300;
  const echo = { text: "a small result" };
  // warm both paths first
  for (let i = 0; i < 20; i++) {
    await direct.callTool({ name: "echo", arguments: echo });
    await gateway.callTool({ name: "test__echo", arguments: echo });
  }
  const smallDirect = await p50(() => direct.callTool({ name: "echo", arguments: echo }), runs);
  const smallGateway = await p50(() => gateway.callTool({ name: "test__echo", arguments: echo }), runs);
  const lines = { lines: 2600 };
  const bigDirect = await p50(() => direct.callTool({ name: "big", arguments: lines }), quick ? 5 : 20);
  const bigGateway = await p50(() => gateway.callTool({ name: "test__big", arguments: lines }), quick ? 5 : 20);
  const tokens = new TokenCounter();
  const textOf = (result) => result.content.map((b) => b.text ?? "").join("\n");
  const bytes = Buffer.byteLength(textOf(bigDirect.last));
  const result = {
    small: { direct: smallDirect.p50, gateway: smallGateway.p50 },
    big: { bytes, direct: bigDirect.p50, gateway: bigGateway.p50, tokensDirect: (await tokens.count(textOf(bigDirect.last))).tokens, tokensGateway: (await tokens.count(textOf(bigGateway.last))).tokens },
  };
  await direct.close();
  await gateway.close();
  return result;
}
