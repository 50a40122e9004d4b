import { describe, expect, it } from "vitest";
import { INSTALL_USAGE, parseInstallArgs, runInstallCli } from "../../../src/cli/install.js";
import { ConfigError } from "../../../src/config.js";

describe("install arguments", () => {
  it("reads the action, the host and the options", () => {
    expect(parseInstallArgs(["install", "claude-code"], "/p")).toEqual({ action: "install", target: "claude-code", scope: "project", cwd: "/p" });
    expect(parseInstallArgs(["uninstall", "cursor", "--scope", "user", "--dry-run"], "/p")).toEqual({ action: "uninstall", target: "cursor", scope: "user", cwd: "/p", dryRun: true });
    expect(parseInstallArgs(["install", "cursor", "--http", "http://127.0.0.1:8787/mcp", "--token", "t", "--npx"], "/p")).toMatchObject({
      http: { url: "http://127.0.0.1:8787/mcp", token: "t" },
      npx: true,
    });
    expect(parseInstallArgs(["install", "--help"], "/p")).toEqual({ help: true });
    expect(parseInstallArgs(["install", "claude"], "/p")).toMatchObject({ target: "claude-code" });
  });

  it.each([
    [["install"], /needs the host: claude-code or cursor/],
    [["install", "vscode"], /unknown host "vscode"/],
    [["install", "cursor", "extra"], /unexpected argument "extra"/],
    [["install", "cursor", "--scope", "global"], /--scope must be project or user, got "global"/],
    [["install", "cursor", "--token", "t"], /--token goes with --http URL/],
    [["install", "cursor", "--http", "localhost:8787"], /http:\/\/ or https:\/\//],
    [["install", "cursor", "--http", "not a url"], /needs the server's URL/],
    [["install", "cursor", "--force"], /^unknown option --force$/],
    [["install", "cursor", "--scope"], /^option --scope needs a value$/],
  ])("%j is refused", (argv, message) => {
    expect(() => parseInstallArgs(argv, "/p")).toThrow(ConfigError);
    expect(() => parseInstallArgs(argv, "/p")).toThrow(message);
  });

  it("runInstallCli: exit 2 and the usage for bad arguments, the usage for --help", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { cwd: "/p", home: "/h", env: {}, out: (line: string) => out.push(line), err: (line: string) => err.push(line) };
    expect(await runInstallCli(["install", "--bogus"], io)).toBe(2);
    expect(err.join("\n")).toContain("unknown option --bogus");
    expect(err.join("\n")).toContain(INSTALL_USAGE);
    expect(await runInstallCli(["uninstall", "-h"], io)).toBe(0);
    expect(out).toEqual([INSTALL_USAGE]);
  });
});
