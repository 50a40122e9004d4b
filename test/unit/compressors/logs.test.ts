import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { classifyLine, LineKind } from "../../../src/compressors/logs/classify.js";
import { Drain } from "../../../src/compressors/logs/drain.js";
import { splitHeader } from "../../../src/compressors/logs/header.js";
import { logsCompressor } from "../../../src/compressors/logs/index.js";
import { maskMessage } from "../../../src/compressors/logs/mask.js";
import { parseLog } from "../../../src/compressors/logs/parse.js";
import { splitLines } from "../../../src/compressors/lines.js";
import type { Engine } from "../../../src/engine/engine.js";
import { createSample } from "../../../src/router/sample.js";
import type { TokenCounter } from "../../../src/tokens/counter.js";
import { omittedTotal, runCompressor } from "../../helpers/compress.js";
import { fixture } from "../../helpers/data.js";
import { memoryEngine } from "../../helpers/engine.js";
import { loadedCounter } from "../../helpers/tokens.js";

let tokens: TokenCounter;
let engine: Engine;
beforeAll(async () => {
  tokens = await loadedCounter();
  engine = (await memoryEngine(tokens)).engine;
});


const loghub = new URL("../../../../shared/data/loghub/", import.meta.url);

describe("grouping on real service logs made on this machine", () => {
  // fixtures/generate-service-logs.sh: PostgreSQL 15 and Redis 7 driven by workloads, labelled by rule
  it.each(["Postgres", "Redis"])("%s groups lines by event (GA ≥ 0.95)", (system) => {
    const dir = new URL(`../../../fixtures/service-logs/${system}/`, import.meta.url);
    const lines = readFileSync(new URL(`${system}_2k.log`, dir), "utf8").trimEnd().split("\n");
    const truth = readFileSync(new URL(`${system}_2k.log_structured.csv`, dir), "utf8").trimEnd().split("\n").slice(1).map((row) => /,(E\d+)$/.exec(row)![1]!);
    expect(truth).toHaveLength(lines.length);
    expect(groupingAccuracy(Array.from(parseLog(lines).clusterOf), truth)).toBeGreaterThanOrEqual(0.95);
  });
});

describe("grouping on header formats the shared data does not have", () => {
  // bench/make-format-logs.mjs writes labelled logs from templates of our own in eight formats
  const dir = mkdtempSync(join(tmpdir(), "format-logs-"));
  execFileSync(process.execPath, [fileURLToPath(new URL("../../../bench/make-format-logs.mjs", import.meta.url)), dir, "--lines", "800"]);
  const systems = readdirSync(dir);
  it.each(systems)("%s groups lines by event (GA ≥ 0.75)", (system) => {
    const lines = readFileSync(join(dir, system, `${system}_2k.log`), "utf8").trimEnd().split("\n");
    const truth = readFileSync(join(dir, system, `${system}_2k.log_structured.csv`), "utf8").trimEnd().split("\n").slice(1).map((row) => /,(E\d+),/.exec(row)![1]!);
    expect(truth).toHaveLength(lines.length);
    expect(groupingAccuracy(Array.from(parseLog(lines).clusterOf), truth)).toBeGreaterThanOrEqual(0.75);
  });
  it("averages GA ≥ 0.9 over the eight formats", () => {
    const scores = systems.map((system) => {
      const lines = readFileSync(join(dir, system, `${system}_2k.log`), "utf8").trimEnd().split("\n");
      const truth = readFileSync(join(dir, system, `${system}_2k.log_structured.csv`), "utf8").trimEnd().split("\n").slice(1).map((row) => /,(E\d+),/.exec(row)![1]!);
      return groupingAccuracy(Array.from(parseLog(lines).clusterOf), truth);
    });
    expect(scores.reduce((a, b) => a + b, 0) / scores.length).toBeGreaterThanOrEqual(0.9);
  });
});
describe("log parsing", () => {
  it("splits conventional headers from messages", () => {
    expect(splitHeader("081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_1 terminating").message).toBe(
      "PacketResponder 1 for block blk_1 terminating",
    );
    expect(splitHeader("2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.mapreduce.v2.app.MRAppMaster: Created MRAppMaster").message).toBe("Created MRAppMaster");
    expect(splitHeader("Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186").message).toBe("Invalid user webmaster from 173.234.31.186");
    expect(splitHeader("2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - Notification time out: 3200").message).toBe(
      "Notification time out: 3200",
    );
    expect(splitHeader("20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged 3579").message).toBe("onStandStepChanged 3579");
    expect(splitHeader(" ✓ test/a.test.ts > adds 1ms")).toEqual({ header: "", message: " ✓ test/a.test.ts > adds 1ms" });
  });

  it("groups a log it was never tuned on like its events: dpkg's, whose package names sometimes have no digit", () => {
    const lines = splitLines(fixture("logs/dpkg.log")).filter((line) => line !== "");
    // the event: the action, and for `status` lines the state; for `startup` lines both words
    const truth = lines.map((line) => {
      const words = line.split(" ");
      return words[2] === "status" ? `status ${words[3]}` : words[2] === "startup" ? `startup ${words[3]} ${words[4]}` : words[2]!;
    });
    const { clusterOf } = parseLog(lines);
    expect(groupingAccuracy(Array.from(clusterOf), truth)).toBeGreaterThanOrEqual(0.95);
  });

  it("splits headers of other common shapes, written here by hand (none of them is in the shared data)", () => {
    // syslog with a PAM module in the program name
    expect(splitHeader("Mar  3 10:02:11 build-07 su(pam_unix)[4417]: session opened for user deploy").message).toBe("session opened for user deploy");
    // month-day timestamps, pid, tid, one-letter level and tag (Android's logcat)
    expect(splitHeader("11-20 10:07:00.123  2210  2231 W AudioFlinger: buffer underrun on track 3").message).toBe("buffer underrun on track 3");
    // a source file name before the timestamp, a module path and a bracketed request context (Python services)
    expect(splitHeader('api.log.2 2026-11-20 10:07:00.008 2571 INFO app.web.server [req-1f2e a1b2 c3d4 - - -] 10.0.0.7 "GET /v1/items HTTP/1.1" status: 200').message).toBe(
      '10.0.0.7 "GET /v1/items HTTP/1.1" status: 200',
    );
    // a comma after the timestamp and a capitalised level
    expect(splitHeader("2026-11-20 10:07:00, Info                  Setup  Installing update 7 of 12").message).toBe("Setup  Installing update 7 of 12");
    // a dash, epoch seconds and the date again in fixed columns
    expect(splitHeader("- 1763632020 2026.11.20 rack3-n12 node booted in 41 s").message).toBe("rack3-n12 node booted in 41 s");
    // a relayed syslog line: a label, epoch, date and node, then the syslog timestamp and program again
    expect(splitHeader("- 1763632020 2026.11.20 n17 Nov 20 10:07:00 n17/n17 crond(pam_unix)[881]: session closed for user ops").message).toBe("session closed for user ops");
    // fixed columns of node names and upper-case words before the level
    expect(splitHeader("ALERTX 1763632020 2026.11.20 R1-M0-N3 2026-11-20-10.07.00.123456 R1-M0-N3 RAS KERNEL FATAL torus receiver z+ input pipe error").message).toBe(
      "torus receiver z+ input pipe error",
    );
    // numeric id, node, component and state columns, then epoch seconds and a flag
    expect(splitHeader("40211 node-12 unix.hw state_change.up 1763632020 1 Component State Change: eth0 up").message).toBe("Component State Change: eth0 up");
    // the tag ends the header: a `key:` at the start of the message stays in the message
    expect(splitHeader("11-20 10:07:00.123  2210  2231 W Bluetooth: isEnabled: true").message).toBe("isEnabled: true");
    // a time zone after the time, a user@database column and PostgreSQL's `LOG:` / `STATEMENT:` labels
    expect(splitHeader("2026-11-20 10:07:00.827 UTC [28259] app@shop ERROR:  division by zero").message).toBe("division by zero");
    expect(splitHeader("2026-11-20 10:07:00.827 UTC [28259] LOG:  checkpoint starting: time").message).toBe("checkpoint starting: time");
    // pid:role, a day-month-year date and a one-character level mark (Redis)
    expect(splitHeader("1702:M 20 Nov 2026 10:07:00.123 * Background saving started by pid 1790").message).toBe("Background saving started by pid 1790");
    // a plain word before a time of day is a message, not a header field
    expect(splitHeader("Meeting moved to 10:30:00 tomorrow").header).toBe("");
  });

  it("reads a parenthesised group of words holding a variable as one value, whatever its length", () => {
    expect(maskMessage("(ops) CMD (run-parts /etc/cron.hourly)").tokens).toEqual(["(ops)", "CMD", "<*>"]);
    expect(maskMessage("(ops) CMD (/usr/lib/sa/sa1 1 1)")).toEqual({ tokens: ["(ops)", "CMD", "<*>"], values: ["(/usr/lib/sa/sa1 1 1)"] });
    // one value each, even after another value: every line of the event has the same length
    expect(maskMessage("Process com.android.browser (pid 4012) has died").tokens).toEqual(["Process", "com.android.browser", "<*>", "has", "died"]);
    expect(maskMessage("Process 10.0.0.7:8080 (pid 4012) has died").tokens).toEqual(["Process", "<*>", "<*>", "has", "died"]);
    // values and units alone still join the value before them
    expect(maskMessage("5174 bytes (5.05 KB) received").tokens).toEqual(["<*>", "received"]);
    // a group of words without a variable stays words
    expect(maskMessage("Wake reason: RTC (Alarm clock)").tokens).toEqual(["Wake", "reason:", "RTC", "(Alarm", "clock)"]);
  });

  it("merges clusters that differ only by values Drain routed apart, and keeps enumerated events apart", () => {
    const apps = ["com.example.mail", "com.example.maps:sync", "org.sample.player", "net.demo.chat", "com.example.camera"];
    const lines: string[] = [];
    for (let i = 0; i < 40; i++) {
      lines.push(`11-20 10:07:${String(i % 60).padStart(2, "0")}.100  900  901 I ActivityManager: Process ${apps[i % apps.length]} (pid ${4000 + i}) has died`);
      lines.push(`11-20 10:07:${String(i % 60).padStart(2, "0")}.200  900  901 D Radio: isOn: ${i % 3 === 0 ? "true" : "false"}`);
      lines.push(`11-20 10:07:${String(i % 60).padStart(2, "0")}.300  900  901 I Power: VM ${["Started", "Stopped", "Paused", "Resumed"][i % 4]} (lifecycle event)`);
      lines.push(`11-20 10:07:${String(i % 60).padStart(2, "0")}.400  900  901 D Screen: onReceive action: example.intent.SCREEN_${i % 2 ? "ON" : "OFF"}`);
    }
    const parsed = parseLog(lines);
    const clustersOf = (offset: number) => new Set(lines.map((_, i) => i).filter((i) => i % 4 === offset).map((i) => parsed.clusterOf[i]));
    expect(clustersOf(0).size).toBe(1); // many app names in one place: a variable
    expect(clustersOf(1).size).toBe(1); // a boolean is a value
    expect(clustersOf(2).size).toBe(4); // four verbs: four events
    expect(clustersOf(3).size).toBe(2); // two action names: two events
  });

  it("masks variables and keeps what they stood for", () => {
    expect(maskMessage("lifetime <1 sec, 1234 bytes (1.2 KB) sent to 10.0.0.1:8080")).toEqual({
      tokens: ["lifetime", "<*>", "sent", "to", "<*>"],
      values: ["<1 sec, 1234 bytes (1.2 KB)", "10.0.0.1:8080"],
    });
    expect(maskMessage("onExtend:1514038530000 totalCalories=4760").tokens).toEqual(["onExtend:<*>", "totalCalories=<*>"]);
  });

  it("clusters lines of one event together and different events apart", () => {
    const drain = new Drain();
    const a = drain.add(maskMessage("Received block blk_1 of size 67108864 from /10.0.0.1").tokens);
    const b = drain.add(maskMessage("Received block blk_2 of size 512 from /10.0.0.2").tokens);
    const c = drain.add(maskMessage("Deleting block blk_3 file /mnt/data/blk_3").tokens);
    expect(a.id).toBe(b.id);
    expect(c.id).not.toBe(a.id);
  });

  it("splits a cluster on an enumerated keyword, not on a name", () => {
    const lines = [
      ...Array.from({ length: 20 }, (_, i) => `[10.30 16:49:${String(i).padStart(2, "0")}] chrome.exe - host${i}.example.com:443 open through proxy proxy.local:5070 HTTPS`),
      "[10.30 16:50:00] chrome.exe - host99.example.com:443 open through proxy proxy.local:5070 SOCKS5",
      ...["root", "admin", "root"].map((user, i) => `Dec 10 06:55:4${i} LabSZ sshd[2420${i}]: Disconnecting: Too many authentication failures for ${user} [preauth]`),
    ];
    const parsed = parseLog(lines);
    expect(parsed.clusterOf[20]).not.toBe(parsed.clusterOf[0]);
    expect(parsed.clusterOf[21]).toBe(parsed.clusterOf[22]);
  });

  it.runIf(existsSync(loghub))("groups real logs like their ground truth (HDFS, OpenSSH, Proxifier)", () => {
    for (const system of ["HDFS", "OpenSSH", "Proxifier"]) {
      const lines = splitLines(readFileSync(new URL(`${system}/${system}_2k.log`, loghub), "utf8"));
      const truth = readFileSync(new URL(`${system}/${system}_2k.log_structured.csv`, loghub), "utf8")
        .split("\n")
        .slice(1)
        .filter(Boolean)
        .map((row) => /,(E\d+),/.exec(row.split(",").slice(-3).join(",") + ",")?.[1] ?? /,(E\d+),/.exec(row)![1]!);
      expect(groupingAccuracy(Array.from(parseLog(lines).clusterOf), truth), system).toBeGreaterThan(0.9);
    }
  });
});

describe("log compressor on a test-runner log", () => {
  const log = () => fixture("logs/vitest-run.log");

  it("keeps every failure with its assertion, the summary, and the first and last lines", () => {
    const text = log();
    const out = runCompressor(logsCompressor, tokens, text);
    const must = [
      " FAIL  test/checkout-3.test.mjs > checkout-3 > refunds a partial payment 5",
      "RangeError: refund of 120 exceeds the captured amount 100",
      " FAIL  test/pricing-2.test.mjs > pricing-2 > maps order 40 to its shipment",
      "AssertionError: expected { id: 40, status: 'shipped', …(1) } to deeply equal { id: 40, status: 'delivered', …(1) }",
      '-   "status": "delivered",',
      '+   "status": "shipped",',
      " FAIL  test/sessions-0.test.mjs > sessions-0 > computes the total of case 12",
      "AssertionError: expected 0.30000000000000004 to be 0.3 // Object.is equality",
      "+ 0.30000000000000004",
      " × test/sessions-0.test.mjs > sessions-0 > computes the total of case 12 8ms",
      " Test Files  3 failed | 37 passed (40)",
      "      Tests  3 failed | 1997 passed (2000)",
    ];
    const kept = new Set(out.text.split("\n").map((l) => l.replace(/^\s*\d+ {2}/, "")));
    for (const line of must) expect(kept, line).toContain(line);
    const lines = splitLines(text);
    expect(out.text).toContain(`   1  ${lines[0]}`);
    expect(out.text).toContain(`${lines.length}  ${lines[lines.length - 1]}`);
    expect(tokens.measure(out.text).tokens).toBeLessThan(tokens.measure(text).tokens * 0.1);
  });

  it("shows kept lines verbatim and counts every omitted one", () => {
    const text = log();
    const lines = splitLines(text);
    const out = runCompressor(logsCompressor, tokens, text);
    const shown = out.text.split("\n").filter((l) => /^\s*\d+ {2}/.test(l));
    for (const row of shown) {
      const m = /^\s*(\d+) {2}(.*)$/.exec(row)!;
      expect(m[2]).toBe(lines[Number(m[1]) - 1]);
    }
    expect(shown.length + omittedTotal(out)).toBe(lines.length);
    for (const o of out.omitted) expect(Object.values(o.categories).reduce((a, b) => a + b, 0)).toBe(o.omitted);
    expect(out.text).toMatch(/^\s+T\d+ ×1997 {2}✓ <\*> > <\*> > handles case <\*> of <\*> <\*>/m);
  });

  it("is deterministic", () => {
    expect(runCompressor(logsCompressor, tokens, log()).text).toBe(runCompressor(logsCompressor, tokens, log()).text);
  });

  it("retrieves the original lines a query asks for, with their line numbers", async () => {
    const result = await engine.compress({ content: log() });
    expect(result.content_type).toBe("logs");
    const found = await engine.retrieve({ hash: result.hash!, query: "refunds a partial payment" });
    expect(found.unit).toBe("lines");
    expect(found.content.split("\n")[0]).toMatch(/^\d+: .*refunds a partial payment/);
    const line = Number(found.content.split("\n")[0]!.split(":")[0]);
    expect(found.content.split("\n")[0]).toBe(`${line}: ${splitLines(log())[line - 1]}`);
  });

  it("keeps the lines a query points at even when they are plain", () => {
    const out = runCompressor(logsCompressor, tokens, log(), { query: "what did case 33 of refunds-1 do?" });
    expect(out.text).toMatch(/^\s*\d+ {2} ✓ test\/refunds-1\.test\.mjs > refunds-1 > handles case 33 of refunds-1 \d+ms$/m);
  });

  it("declines short inputs (the router moves on)", () => {
    expect(logsCompressor.compress({ sample: createSample("a\nb", undefined), hash: "x", budgetTokens: 1, originalTokens: 2, countTokens: () => 1 })).toBeNull();
  });
});

describe("distinct error templates", () => {
  it("shows every one of 150 error templates verbatim at least once, with its count, at the default budget", () => {
    const subsystems = ["disk", "net", "db", "cache", "queue", "auth", "mail", "dns", "tls", "cron"];
    const faults = ["timed out after", "refused by peer after", "corrupted at offset", "exhausted its quota of", "lost its lease after"];
    const kinds = ["read", "write", "flush"];
    const errorOf = (t: number) => `ERROR ${subsystems[t % 10]}-${kinds[Math.floor(t / 10) % 3]} ${faults[Math.floor(t / 30) % 5]} ${1000 + t} ms`;
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const time = `2026-11-20 10:${String(Math.floor(i / 60) % 60).padStart(2, "0")}:${String(i % 60).padStart(2, "0")},${String(i % 1000).padStart(3, "0")}`;
      lines.push(i % 10 === 3 ? `${time} ${errorOf(Math.floor(i / 10) % 150).replace(/\d+ ms$/, `${i} ms`)}` : `${time} INFO worker-${i % 8} processed batch ${i} in ${i % 90} ms`);
    }
    const text = lines.join("\n");
    const out = runCompressor(logsCompressor, tokens, text);
    const shown = out.text.split("\n");
    for (let t = 0; t < 150; t++) {
      const wording = errorOf(t).replace(/ \d+ ms$/, "");
      expect(shown.some((row) => /^\s*\d+ {2}/.test(row) && row.includes(wording)), wording).toBe(true);
    }
    expect(tokens.measure(out.text).tokens).toBeLessThan(tokens.measure(text).tokens / 3);
  });
});

describe("a query that names something exact", () => {
  it("keeps the lines it names, not every line that shares a word with it", () => {
    const text = fixture("logs/pytest-colour.log");
    const out = runCompressor(logsCompressor, tokens, text, { query: "test_square[137]" });
    const shown = out.text.split("\n").filter((l) => /^\s*\d+ {2}.*test_square\[\d+\]/.test(l));
    expect(shown).toHaveLength(1);
    expect(shown[0]).toContain("test_square[137] PASSED");
  });
});

describe("a query only adds", () => {
  /** A journal of a day on a server: routine lines, and three that matter, far apart. */
  function journal(): { text: string; mustKeep: string[] } {
    const lines: string[] = [];
    const units = ["nginx", "billing-worker", "cron", "sshd", "postgres"];
    for (let i = 0; i < 1150; i++) {
      const t = `Nov 20 ${String(8 + Math.floor(i / 120)).padStart(2, "0")}:${String(Math.floor(i / 2) % 60).padStart(2, "0")}:${String((i * 7) % 60).padStart(2, "0")}`;
      const unit = units[i % units.length]!;
      lines.push(`${t} web-01 ${unit}[${1000 + (i % 37)}]: ${unit === "billing-worker" ? `processed invoice batch ${i} (${i % 50} invoices) for billing run` : `request ${i} handled in ${(i * 13) % 300} ms`}`);
    }
    const mustKeep = [
      "Nov 20 12:14:03 web-01 kernel: Out of memory: Killed process 1022 (billing-worker) total-vm:4194304kB, anon-rss:3987456kB",
      "Nov 20 12:14:03 web-01 systemd[1]: billing-worker.service: Main process exited, code=killed, status=9/KILL",
      "Nov 20 13:02:44 web-01 sshd[4410]: error: Failed password for invalid user admin from 203.0.113.9 port 52211 ssh2",
    ];
    lines.splice(500, 0, mustKeep[0]!, mustKeep[1]!);
    lines.splice(900, 0, mustKeep[2]!);
    return { text: lines.join("\n"), mustKeep };
  }

  it("keeps with a query every error line it keeps without one", () => {
    const { text, mustKeep } = journal();
    const plain = runCompressor(logsCompressor, tokens, text).text;
    for (const line of mustKeep) expect(plain).toContain(line);
    for (const query of ["why did billing-worker die?", "billing-worker", "invoice batch 700", "nginx slow requests"]) {
      const queried = runCompressor(logsCompressor, tokens, text, { query }).text;
      for (const line of mustKeep) expect(queried, query).toContain(line);
    }
  });

  it("on every log fixture, the error lines kept with a query include those kept without", () => {
    const texts = [...readdirSync(new URL("../../../fixtures/logs/", import.meta.url)).filter((f) => f.endsWith(".log")).map((f) => fixture(`logs/${f}`)), journal().text];
    if (existsSync(loghub)) for (const system of ["HDFS", "OpenSSH", "Proxifier", "Zookeeper", "Hadoop", "Spark"]) texts.push(readFileSync(new URL(`${system}/${system}_2k.log`, loghub), "utf8"));
    // the numbered lines of a result that the classifier calls an error, a failure or a summary
    const errorLinesIn = (output: string) =>
      new Set(output.split("\n").filter((line) => /^\s*\d+ {2}/.test(line) && [LineKind.Error, LineKind.Failure, LineKind.Summary].includes(classifyLine(line.replace(/^\s*\d+ {2}/, "")))));
    for (const text of texts) {
      const without = errorLinesIn(runCompressor(logsCompressor, tokens, text).text);
      for (const query of ["error", "why did it fail?", "connection timeout", "block"]) {
        const withQuery = errorLinesIn(runCompressor(logsCompressor, tokens, text, { query }).text);
        for (const line of without) expect(withQuery.has(line), `${query}: ${line}`).toBe(true);
      }
    }
  });
});

/** Grouping accuracy: the share of lines whose cluster holds exactly the lines of their event. */
function groupingAccuracy(clusters: readonly number[], events: readonly string[]): number {
  const byCluster = new Map<number, number[]>();
  const eventSize = new Map<string, number>();
  clusters.forEach((c, i) => {
    (byCluster.get(c) ?? byCluster.set(c, []).get(c)!).push(i);
    eventSize.set(events[i]!, (eventSize.get(events[i]!) ?? 0) + 1);
  });
  let correct = 0;
  for (const members of byCluster.values()) {
    const event = events[members[0]!]!;
    if (members.every((i) => events[i] === event) && eventSize.get(event) === members.length) correct += members.length;
  }
  return correct / clusters.length;
}
