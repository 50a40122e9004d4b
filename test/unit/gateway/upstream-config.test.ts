import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config.js";
import { parseUpstreamFlag, readUpstreamConfig, splitWords } from "../../../src/gateway/upstream-config.js";

function file(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), "headroom-upstreams-")), "mcp.json");
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

describe("upstream servers", () => {
  it("reads a host's mcpServers shape, stdio and http, with headroom settings per server and per tool", () => {
    const path = file({
      mcpServers: {
        github: { command: "npx", args: ["-y", "@modelcontextprotocol/server-github"], env: { GITHUB_TOKEN: "t" }, headroom: { queryArg: "q", tools: { search_code: { maxTokens: 2000 }, get_me: { off: true } } } },
        docs: { type: "http", url: "https://docs.example/mcp", headers: { Authorization: "Bearer x" } },
      },
    });
    expect(readUpstreamConfig(path)).toEqual([
      {
        name: "github",
        transport: { kind: "stdio", command: "npx", args: ["-y", "@modelcontextprotocol/server-github"], env: { GITHUB_TOKEN: "t" }, cwd: undefined },
        settings: { queryArg: "q", tools: { search_code: { maxTokens: 2000 }, get_me: { off: true } } },
      },
      { name: "docs", transport: { kind: "http", url: "https://docs.example/mcp", headers: { Authorization: "Bearer x" } }, settings: {} },
    ]);
  });

  it.each([
    ["{ not json", /could not be read as JSON/],
    [{ servers: {} }, /no "mcpServers" object/],
    [{ mcpServers: { "a__b": { command: "x" } } }, /no "__"/],
    [{ mcpServers: { a: { args: ["x"] } } }, /"command" is required/],
    [{ mcpServers: { a: { type: "sse", url: "http://x" } } }, /type "sse" is not supported/],
    [{ mcpServers: { a: { command: "x", headroom: { maxTokens: "lots" } } } }, /maxTokens must be a whole number/],
  ])("refuses %j with what to fix", (content, message) => {
    expect(() => readUpstreamConfig(file(content))).toThrow(message);
  });

  it("takes --upstream NAME=COMMAND ARGS, words split as a shell would", () => {
    expect(parseUpstreamFlag(`fs=node "/opt/my servers/fs.js" /data`).transport).toEqual({ kind: "stdio", command: "node", args: ["/opt/my servers/fs.js", "/data"], env: undefined, cwd: undefined });
    expect(parseUpstreamFlag("docs=https://docs.example/mcp").transport).toEqual({ kind: "http", url: "https://docs.example/mcp", headers: undefined });
    expect(splitWords(`a 'b c' "d \\"e\\"" f\\ g`)).toEqual(["a", "b c", 'd "e"', "f g"]);
    expect(() => parseUpstreamFlag("no-command")).toThrow(/NAME=COMMAND/);
    expect(() => loadConfig(["--upstream", "a=x", "--upstream", "a=y"], {})).toThrow(/two upstream servers are named "a"/);
    expect(() => loadConfig(["compress", "--upstream", "a=x"], {})).toThrow(/--upstream is not an option of "compress"/);
  });
});
