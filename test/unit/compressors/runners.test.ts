import { beforeAll, describe, expect, it } from "vitest";
import { createCompressors } from "../../../src/compressors/index.js";
import { splitLines } from "../../../src/compressors/lines.js";
import { classifyLine, LineKind } from "../../../src/compressors/logs/classify.js";
import { logsCompressor } from "../../../src/compressors/logs/index.js";
import { textCompressor } from "../../../src/compressors/text.js";
import { routeCandidates } from "../../../src/router/router.js";
import { parseLog } from "../../../src/compressors/logs/parse.js";
import { createSample } from "../../../src/router/sample.js";
import type { TokenCounter } from "../../../src/tokens/counter.js";
import { runCompressor } from "../../helpers/compress.js";
import { fixture } from "../../helpers/data.js";
import { loadedCounter } from "../../helpers/tokens.js";

/**
 * Real runner and build outputs made on this machine (fixtures/README.md says how). Each is routed
 * to the log compressor by its content alone, and keeps every failure header, every compiler error
 * and every summary line verbatim. `maxShare` is the measured share of the input tokens at the
 * engine's default budget, rounded up (measured: unittest 4.4 %, node spec 36.1 %, TAP 16.2 %,
 * tsc 28.0 %, make 25.2 %, pytest 9.5 %, cargo build 78.7 %, cargo test 72.3 %, javac 52.0 %,
 * go test 19.1 %, jest 35.3 %, mocha 22.0 %). Test and build output keeps its failure blocks
 * whole and is not filled up with routine lines, so what is left over the failures and the
 * summary is the template table; the small runs are mostly failure blocks.
 */
const RUNS = [
  {
    file: "logs/unittest-set.log",
    maxShare: 0.06,
    must: [
      "test_discount_applies_to_every_line (test_set_with_failures.TestInvoiceTotals.test_discount_applies_to_every_line) ... FAIL",
      "test_rounds_half_up (test_set_with_failures.TestInvoiceTotals.test_rounds_half_up) ... FAIL",
      "FAIL: test_discount_applies_to_every_line (test_set_with_failures.TestInvoiceTotals.test_discount_applies_to_every_line)",
      "FAIL: test_rounds_half_up (test_set_with_failures.TestInvoiceTotals.test_rounds_half_up)",
      "Traceback (most recent call last):",
      "AssertionError: Lists differ: [90.0, 50] != [90.0, 45.0]",
      "AssertionError: 2.67 != 2.68",
      "Ran 627 tests in 1.328s",
      "FAILED (failures=2, skipped=2)",
    ],
  },
  {
    file: "logs/node-test-spec.log",
    maxShare: 0.38,
    must: [
      "  ✖ charges the light rate up to 1 kg (1.616983ms)",
      "  ✖ keeps the line order of a merged cart (1.629908ms)",
      "✖ charges the light rate up to 1 kg (1.616983ms)",
      "✖ keeps the line order of a merged cart (1.629908ms)",
      "  AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:",
      "✖ failing tests:",
      "ℹ tests 172",
      "ℹ pass 170",
      "ℹ fail 2",
    ],
  },
  {
    file: "logs/node-test-tap.log",
    maxShare: 0.18,
    must: [
      "    not ok 51 - charges the light rate up to 1 kg",
      "    not ok 61 - keeps the line order of a merged cart",
      "not ok 2 - shipping",
      "not ok 3 - total",
      "# tests 172",
      "# pass 170",
      "# fail 2",
    ],
  },
  {
    file: "logs/tsc-explain.log",
    maxShare: 0.33,
    must: [
      "src/cart.ts(3,16): error TS2345: Argument of type 'Order | undefined' is not assignable to parameter of type 'Order'.",
      "src/cart.ts(5,38): error TS2322: Type 'string' is not assignable to type 'number'.",
      "src/orders.ts(3,9): error TS2322: Type 'string' is not assignable to type 'number'.",
      "src/orders.ts(7,40): error TS2551: Property 'totl' does not exist on type 'Order'. Did you mean 'total'?",
    ],
  },
  {
    file: "logs/make-gcc.log",
    maxShare: 0.27,
    must: [
      "lexer.c:4:20: error: ‘undeclared_offset’ undeclared (first use in this function)",
      "    4 |   return src[at] + undeclared_offset;",
      "parser.c:5:3: error: expected ‘,’ or ‘;’ before ‘if’",
      "make: *** [Makefile:8: lexer.o] Error 1",
      "make: *** [Makefile:8: parser.o] Error 1",
      "make: Target 'app' not remade because of errors.",
    ],
  },
  {
    file: "logs/pytest-inventory.log",
    maxShare: 0.11,
    must: [
      "test_inventory.py::test_safety_stock_is_added FAILED                     [ 97%]",
      "test_inventory.py::test_reorder_point_rounds_partial_days FAILED         [ 98%]",
      "test_inventory.py::TestBatches::test_merge_removes_duplicates FAILED     [ 99%]",
      ">       assert reorder_point(10, 5, safety=15) == 60",
      "E       assert 65 == 60",
      ">       assert reorder_point(2.5, 3) == 8",
      "E       assert 7.5 == 8",
      "E       AssertionError: assert [1, 2, 3, 4] == [1, 2, 3, 4, 4]",
      "============ 3 failed, 346 passed, 1 skipped, 40 warnings in 1.05s =============",
      "FAILED test_inventory.py::test_safety_stock_is_added - assert 65 == 60",
      "FAILED test_inventory.py::test_reorder_point_rounds_partial_days - assert 7.5...",
      "FAILED test_inventory.py::TestBatches::test_merge_removes_duplicates - Assert...",
    ],
  },
  {
    file: "logs/cargo-build.log",
    maxShare: 0.85,
    must: [
      "error[E0308]: mismatched types",
      "error: could not compile `ledger` (lib) due to 2 previous errors; 2 warnings emitted",
    ],
  },
  {
    file: "logs/cargo-test.log",
    maxShare: 0.8,
    must: [
      "test tests::freezing ... FAILED",
      "thread 'tests::freezing' (21164) panicked at units/src/lib.rs:16:29:",
      "assertion `left == right` failed",
      "test result: FAILED. 63 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.15s",
      "error: test failed, to rerun pass `-p units --lib`",
      "error: 1 target failed:",
    ],
  },
  {
    file: "logs/javac-lint.log",
    maxShare: 0.58,
    must: [
      "src/Shipping.java:22: error: incompatible types: int cannot be converted to String",
      "src/Shipping.java:23: error: incompatible types: String cannot be converted to int",
      "src/Shipping.java:33: error: incompatible types: possible lossy conversion from double to long",
      "3 errors",
      "11 warnings",
    ],
  },
  {
    file: "logs/go-test.log",
    maxShare: 0.22,
    must: [
      "--- FAIL: TestMake (0.00s)",
      "    --- FAIL: TestMake/Many___spaces (0.00s)",
      "FAIL\texample.com/shop/slug\t0.010s",
      "    tax_test.go:29: Gross(100, 0.05) = 105, want 105.01",
      "--- FAIL: TestReducedRates (0.00s)",
      "    --- FAIL: TestReducedRates/energy (0.00s)",
      "FAIL\texample.com/shop/tax\t0.013s",
    ],
  },
  {
    file: "logs/jest-money.log",
    maxShare: 0.4,
    must: [
      "FAIL test/money.test.js",
      "    ✕ groups thousands (3 ms)",
      "    ✕ never gives a negative share (2 ms)",
      "  ● format › groups thousands",
      "  ● split › never gives a negative share",
      "Test Suites: 1 failed, 1 total",
      "Tests:       2 failed, 182 passed, 184 total",
    ],
  },
  {
    file: "logs/mocha-cart.log",
    maxShare: 0.25,
    must: [
      "    1) ignores lines with zero quantity",
      "    2) rejects an expired coupon",
      "  210 passing (25ms)",
      "  2 failing",
      "  1) total",
      "  2) coupons",
    ],
  },
] as const;

let tokens: TokenCounter;
beforeAll(async () => {
  tokens = await loadedCounter();
});

/** Every occurrence of each line of `must` in the input is in the output, numbered and verbatim. */
function expectKept(input: string, output: string, must: readonly string[]): void {
  const lines = splitLines(input);
  const shown = new Map<number, string>();
  for (const row of output.split("\n")) {
    const m = /^\s*(\d+) {2}(.*)$/.exec(row);
    if (m) shown.set(Number(m[1]), m[2]!);
  }
  for (const line of must) {
    const at = lines.flatMap((l, i) => (l === line ? [i + 1] : []));
    expect(at.length, `fixture line: ${line}`).toBeGreaterThan(0);
    for (const n of at) expect(shown.get(n), `line ${n}: ${line}`).toBe(line);
  }
}

describe.each(RUNS)("runner output $file", ({ file, maxShare, must }) => {
  it("is routed to the log compressor by its content", () => {
    const [first] = routeCandidates(createSample(fixture(file), undefined), {}, createCompressors());
    expect(first!.compressor.contentType).toBe("logs");
    expect(first!.reason).toMatch(/^detected logs/);
  });

  it(`keeps every failure, error and summary line verbatim, within ${maxShare * 100} % of the input tokens`, () => {
    const text = fixture(file);
    const out = runCompressor(logsCompressor, tokens, text);
    expectKept(text, out.text, must);
    expect(tokens.measure(out.text).tokens).toBeLessThanOrEqual(tokens.measure(text).tokens * maxShare);
  });
});

describe("a 627-test unittest run with 2 failures", () => {
  it("fits the failures, their tracebacks and the summary in a 5 % budget (measured: 5.0 % with the template table)", () => {
    const text = fixture("logs/unittest-set.log");
    const input = tokens.measure(text).tokens;
    const out = runCompressor(logsCompressor, tokens, text, { budget: Math.round(input * 0.05) });
    expectKept(text, out.text, RUNS[0].must);
    expect(tokens.measure(out.text).tokens).toBeLessThanOrEqual(input * 0.055);
  });

  it("keeps every `Traceback` header on the text path too: a header before a new stack is not a repeat", () => {
    const text = fixture("logs/unittest-set.log");
    const out = runCompressor(textCompressor, tokens, text);
    expect(out.text.split("\n").filter((l) => l === "Traceback (most recent call last):")).toHaveLength(2);
  });
});

describe("output a reviewer made on this machine, that the rules were not tuned on", () => {
  it("javac -Xlint:all with 301 warnings quoting source lines goes to logs, and keeps all 3 errors with their carets", async () => {
    const text = fixture("logs/javac-many-warnings.log");
    const [first] = routeCandidates(createSample(text, undefined), {}, createCompressors());
    expect(first!.compressor.contentType).toBe("logs");
    const out = runCompressor(logsCompressor, tokens, text);
    for (const line of splitLines(text).filter((l) => / error: /.test(l))) expect(out.text).toContain(line);
    expect(out.text).toContain("3 errors");
    expect(out.text).toContain("301 warnings");
    expect(tokens.measure(out.text).tokens).toBeLessThan(tokens.measure(text).tokens * 0.1);
  });

  it("coloured pytest output goes to logs without its colour codes, every failure and the summary kept", () => {
    const text = fixture("logs/pytest-colour.log");
    const [first] = routeCandidates(createSample(text, undefined), {}, createCompressors());
    expect(first!.compressor.contentType).toBe("logs");
    const out = runCompressor(logsCompressor, tokens, text);
    expect(out.text).not.toContain("\u001b");
    expect(out.text).toContain("[headroom: colour codes removed; the original keeps them]");
    for (const line of ["E       AssertionError: value mismatch", "E       ValueError: boom unexpected", "FAILED test_sample.py::test_div_fail - AssertionError: value mismatch"]) {
      expect(out.text, line).toContain(line);
    }
    expect(out.text).toMatch(/^\s*\d+ {2}test_sample\.py:\d+: ValueError$/m);
    expect(out.text).toMatch(/2 failed, 200 passed, 1 skipped in [\d.]+s/);
  });
});

describe("structured logs: logfmt and JSON lines", () => {
  // the shapes Go's slog/logrus, zap, pino and Docker's json-file driver write
  const at = (i: number) => new Date(Date.UTC(2026, 10, 20, 10, 0, i)).toISOString();
  const logfmt = Array.from({ length: 400 }, (_, i) =>
    i % 50 === 7
      ? `time=${at(i)} level=error msg="upstream request failed" service=billing-worker err="dial tcp 10.0.3.${i % 250}:8443: connect: connection refused"`
      : i % 10 === 3
        ? `time=${at(i)} level=warn msg="slow query" service=billing-worker duration_ms=${200 + i} table=invoices`
        : `time=${at(i)} level=info msg="request served" service=api method=GET path=/v1/items/${i} status=200 duration_ms=${i % 40}`,
  ).join("\n");
  const jsonLines = Array.from({ length: 400 }, (_, i) =>
    JSON.stringify(
      i === 211
        ? { level: "fatal", time: at(i), pid: 7, msg: "cannot open ledger database", path: "/var/lib/ledger/db", err: "EACCES" }
        : i % 40 === 9
          ? { level: "error", time: at(i), pid: 7, msg: "payment declined", order: 1000 + i, status: 502 }
          : { level: "info", time: at(i), pid: 7, msg: "request served", path: `/v1/items/${i}`, status: 200, ms: i % 40 },
    ),
  ).join("\n");
  const docker = Array.from({ length: 300 }, (_, i) => JSON.stringify({ log: i === 150 ? "Error: listen EADDRINUSE: address already in use :::3000\n" : `GET /health 200 ${i % 9}ms\n`, stream: i === 150 ? "stderr" : "stdout", time: at(i) })).join("\n");

  it.each([
    ["logfmt", logfmt, 'msg="upstream request failed"', 3],
    ["JSON lines", jsonLines, '"level":"fatal"', 3],
    ["Docker json-file", docker, "EADDRINUSE", 2],
  ])("%s goes to the log compressor, one template per event, every error wording kept", (_, text, error, templates) => {
    const [first] = routeCandidates(createSample(text, undefined), {}, createCompressors());
    expect(first!.compressor.contentType).toBe("logs");
    expect(parseLog(splitLines(text)).clusters.length).toBeLessThanOrEqual(templates + 1);
    const out = runCompressor(logsCompressor, tokens, text);
    const errorLines = splitLines(text).filter((l) => l.includes(error));
    expect(out.text).toContain(errorLines[0]);
    expect(tokens.measure(out.text).tokens).toBeLessThan(tokens.measure(text).tokens * 0.3);
  });
});

describe("runner line kinds", () => {
  it.each([
    ["Ran 627 tests in 1.328s", LineKind.Summary],
    ["FAILED (failures=2, skipped=2)", LineKind.Summary],
    ["FAILED (errors=1)", LineKind.Summary],
    ["OK", LineKind.Summary],
    ["OK (skipped=3)", LineKind.Summary],
    ["# tests 172", LineKind.Summary],
    ["# pass 170", LineKind.Summary],
    ["# fail 2", LineKind.Summary],
    ["ℹ tests 172", LineKind.Summary],
    ["ℹ fail 2", LineKind.Summary],
    ["✖ failing tests:", LineKind.Summary],
    ["Found 4 errors in 2 files.", LineKind.Summary],
    ["3 errors generated.", LineKind.Summary],
    ["make: *** [Makefile:8: lexer.o] Error 1", LineKind.Summary],
    ["make[2]: *** [src/Makefile:40: all] Error 2", LineKind.Summary],
    ["FAIL: test_rounds_half_up (test_set_with_failures.TestInvoiceTotals.test_rounds_half_up)", LineKind.Failure],
    ["ERROR: test_load (pkg.tests.TestLoad.test_load)", LineKind.Failure],
    ["test_rounds_half_up (m.TestInvoiceTotals.test_rounds_half_up) ... FAIL", LineKind.Failure],
    ["Traceback (most recent call last):", LineKind.Failure],
    ["    not ok 51 - charges the light rate up to 1 kg", LineKind.Failure],
    ["  ✖ charges the light rate up to 1 kg (1.616983ms)", LineKind.Failure],
    ["src/a.ts(3,5): error TS2322: Type 'string' is not assignable to type 'number'.", LineKind.Failure],
    ["lexer.c:4:20: error: ‘undeclared_offset’ undeclared (first use in this function)", LineKind.Failure],
    ["src/Main.java:12: error: cannot find symbol", LineKind.Failure],
    ["mod1.c:3:12: warning: ‘unused_1’ defined but not used [-Wunused-variable]", LineKind.Warning],
    ["[INFO] BUILD FAILURE", LineKind.Summary],
    ["[ERROR] Tests run: 304, Failures: 2, Errors: 0, Skipped: 0", LineKind.Summary],
    ["Tests run: 304, Failures: 2, Errors: 0, Skipped: 0", LineKind.Summary],
    ["12 tests completed, 1 failed", LineKind.Summary],
    ["67% tests passed, 1 tests failed out of 3", LineKind.Summary],
    ["Failed!  - Failed:     1, Passed:    99, Skipped:     0, Total:   100, Duration: 1 s", LineKind.Summary],
    ["Tests: 10, Assertions: 12, Failures: 1.", LineKind.Summary],
    ["tests: 98 passed, 2 failed", LineKind.Summary],
    ["3 errors", LineKind.Summary],
    ["11 warnings", LineKind.Summary],
    ["rspec ./spec/cart_spec.rb:12 # Cart totals every line", LineKind.Failure],
    ["    2) rejects an expired coupon", LineKind.Failure],
    ["--- FAIL: TestReducedRates/energy (0.00s)", LineKind.Failure],
    ["test tests::freezing ... FAILED", LineKind.Failure],
    ["03-17 16:13:38.811  1702  2395 E AudioTrack: start() status -12", LineKind.Error],
    ["2016-09-28 04:30:31, Error                 CBS    Failed to get next element", LineKind.Error],
    ["03-17 16:13:38.811  1702  2395 W Bluetooth: isOn: true", LineKind.Warning],
    ["03-17 16:13:38.811  1702  2395 D PowerManager: acquire lock=1", LineKind.Plain],
    ["2016-09-28 04:30:31, Info                  CBS    Loaded Servicing Stack v6.1.7601.23505", LineKind.Plain],
    ["Jun 14 15:16:01 combo kernel: EXT4-fs error (device sda1): ext4_find_entry:1455: inode #2", LineKind.Error],
    ["Jun 14 15:16:01 combo nginx[881]: connect() failed (111: Connection refused) while connecting to upstream", LineKind.Error],
    ["1702:M 20 Nov 2026 10:07:00.123 # Failed listening on port 6391 (TCP), aborting.", LineKind.Error],
    ["warning: build failed, waiting for other jobs to finish...", LineKind.Warning],
    ["  ✓ returns an error when the cart is empty (2 ms)", LineKind.Plain],
    ["Tests: 0 failed, 12 passed", LineKind.Summary],
    ["Library referenced via 'es2022.error' from file 'lib.es2022.d.ts'", LineKind.Plain],
    ["test_copy (test.test_set.TestBasicOpsBytes.test_copy) ... ok", LineKind.Plain],
    ["    ok 12 - prices 12 units at 2.50", LineKind.Plain],
    ["  ✔ prices 1 units at 2.50 (1.316394ms)", LineKind.Plain],
  ])("%s", (line, kind) => {
    expect(classifyLine(line)).toBe(kind);
  });
});
