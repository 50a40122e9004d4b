import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { fixture, serviceLog } from "../helpers/data.js";
import { CLI, tempStorePath } from "../helpers/server.js";

const HASH = /hash=([0-9a-f]{24})/;

describe("headroom-mcp compress / retrieve / stats", () => {
  it("compresses a file, and retrieve gives back the exact line through the same store", () => {
    const store = tempStorePath();
    const dir = mkdtempSync(join(tmpdir(), "headroom-cli-"));
    const { text, errorLine } = serviceLog();
    writeFileSync(join(dir, "app.log"), text);
    const compressed = cli(["compress", join(dir, "app.log"), "--store", store]);
    expect(compressed.status).toBe(0);
    expect(compressed.stdout).toContain(errorLine);
    expect(compressed.stdout.length).toBeLessThan(text.length * 0.05);
    const hash = HASH.exec(compressed.stdout)![1]!;

    const line = cli(["retrieve", hash, "--query", "ERROR", "--store", store]);
    expect(line.status).toBe(0);
    expect(line.stdout).toContain(errorLine);
    expect(line.stdout.split("\n").length).toBeLessThan(5);

    const whole = cli(["retrieve", hash, "--store", store, "--limit", "1000000"]);
    expect(whole.stdout).toBe(text);

    const stats = cli(["stats", "--json", "--store", store]);
    expect(stats.status).toBe(0);
    const parsed = JSON.parse(stats.stdout) as { all_time: { compressions: number; retrievals: number }; store: { entries: number } };
    expect(parsed.all_time.compressions).toBe(1);
    expect(parsed.all_time.retrievals).toBe(2);
    expect(parsed.store.entries).toBe(1);
    expect(cli(["stats", "--store", store]).stdout).toMatch(/^store: sqlite .*1 originals/m);
  });

  it("reads stdin, takes --query, --type and --max-tokens, and prints the whole result with --json", () => {
    const store = tempStorePath();
    const content = fixture("json/github-issues.json");
    const run = cli(["compress", "--json", "--query", "crash", "--max-tokens", "800", "--type", "json", "--store", store], { input: content });
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as { hash: string; content_type: string; compressed_tokens: number; original_tokens: number };
    expect(result.content_type).toBe("json");
    expect(result.compressed_tokens).toBeLessThanOrEqual(800);
    expect(cli(["retrieve", result.hash, "--store", store, "--limit", "1000000"]).stdout).toBe(content);
  });

  it("leaves a small input as it is", () => {
    const run = cli(["compress", "-", "--store", "memory"], { input: "just a few words\n" });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe("just a few words\n");
  });

  it.each([
    [["compress", "/nonexistent/file.log"], 2, "/nonexistent/file.log does not exist"],
    [["compress", "a", "b"], 2, "compress reads one FILE"],
    [["compress", "--type", "yaml"], 2, "--type must be one of"],
    [["compress", "--offset", "3"], 2, '--offset is not an option of "compress"'],
    [["retrieve"], 2, "retrieve needs the HASH"],
    [["retrieve", "nothex"], 2, "hash must be the 24 hex characters"],
    [["retrieve", "0123456789abcdef01234567"], 3, "no original is stored under hash=0123456789abcdef01234567"],
    [["stats", "extra"], 2, "stats takes no argument"],
    [["run", "ls"], 2, "run needs -- before the command"],
    [["run", "--"], 2, "run needs a command after --"],
  ])("%j fails with exit code %i and says why", (args, status, message) => {
    const run = cli(["--store", tempStorePath(), ...args]);
    expect(run.status).toBe(status);
    expect(run.stderr.split("\n")[0]).toContain(message);
    expect(run.stdout).toBe("");
  });

  it("with a store that ends with the command hands out no hash: the input comes back as it was, with a warning", () => {
    const { text } = serviceLog();
    const run = cli(["compress", "--store", "memory"], { input: text });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(text);
    expect(run.stderr).toMatch(/the store is "memory".*give --store a file/);
  });

  it("refuses binary input", () => {
    const dir = mkdtempSync(join(tmpdir(), "headroom-cli-"));
    writeFileSync(join(dir, "blob.bin"), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3]));
    const run = cli(["compress", join(dir, "blob.bin"), "--store", "memory"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/is binary/);
  });
});

describe("headroom-mcp run", () => {
  const log = serviceLog();
  const dir = mkdtempSync(join(tmpdir(), "headroom-run-"));
  writeFileSync(join(dir, "app.log"), log.text);
  const catAndFail = `cat ${join(dir, "app.log")}; echo "tests failed" >&2; exit 3`;

  it("prints the combined output compressed and exits with the command's code", () => {
    const store = tempStorePath();
    const run = cli(["run", "--store", store, "--", "sh", "-c", catAndFail]);
    expect(run.status).toBe(3);
    expect(run.stdout).toContain(log.errorLine);
    expect(run.stdout).toContain("tests failed");
    expect(run.stdout.length).toBeLessThan(log.text.length * 0.05);
    const hash = HASH.exec(run.stdout)![1]!;
    expect(cli(["retrieve", hash, "--store", store, "--limit", "1000000"]).stdout).toBe(`${log.text}tests failed\n`);
  });

  it("passes small outputs, signals and missing commands through as a shell would", () => {
    const small = cli(["run", "--store", "memory", "--", "sh", "-c", "echo hello; exit 0"]);
    expect(small).toMatchObject({ status: 0, stdout: "hello\n" });
    expect(cli(["run", "--store", "memory", "--", "sh", "-c", "kill -TERM $$"]).status).toBe(143);
    const missing = cli(["run", "--store", "memory", "--", "no-such-command-here"]);
    expect(missing.status).toBe(127);
    expect(missing.stderr).toMatch(/cannot run no-such-command-here: command not found/);
  });

  it("writes every byte to a slow pipe before it exits", () => {
    const bytes = Buffer.alloc(600_000, 0);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) % 256;
    writeFileSync(join(dir, "blob.bin"), bytes);
    const piped = spawnSync("sh", ["-c", `"${process.execPath}" "${CLI}" run --store memory -- cat "${join(dir, "blob.bin")}" | (sleep 0.5; wc -c)`], { encoding: "utf8" });
    expect(piped.stdout.trim()).toBe(String(bytes.length));
  });

  it("with HEADROOM_OFF=1 leaves the output untouched", () => {
    const run = cli(["run", "--store", "memory", "--", "sh", "-c", catAndFail], { env: { HEADROOM_OFF: "1" } });
    expect(run.status).toBe(3);
    expect(run.stdout).toBe(log.text);
    expect(run.stderr).toBe("tests failed\n");
  });
});
