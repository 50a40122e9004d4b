/**
 * What a log or build/test-runner line is: a failure marker, an error, a warning, a runner
 * summary, part of a stack trace, or plain. The patterns cover the common runners (vitest, jest,
 * pytest, cargo, go test, tsc, npm, make, JVM/Python/JS/Go/Rust traces) and leveled logs.
 */
export const LineKind = { Plain: 0, Warning: 1, Error: 2, Failure: 3, Summary: 4 } as const;
export type LineKind = (typeof LineKind)[keyof typeof LineKind];

const SUMMARY: readonly RegExp[] = [
  /^\s*(?:[Tt]ests?|[Tt]est [Ss]uites|[Tt]est [Ff]iles|[Ss]uites|[Ss]napshots)\b:?\s+.*\d+\s+(?:passed|failed|total|skipped|todo)/,
  /^\s*=+ .*\b\d+ (?:passed|failed|errors?|skipped|xfailed|xpassed|deselected|warnings?)\b.* in [\d.]+s/,
  /^\s*test result: (?:ok|FAILED)\./,
  /^(?:ok|FAIL)\s+\S+\s+(?:[\d.]+s|\(cached\))/,
  // Maven and Gradle prefix their lines with a level: `[INFO] BUILD FAILURE`, `[ERROR] Tests run: 304, Failures: 2`
  /^\s*(?:\[\w+\]\s+)?(?:BUILD (?:SUCCESSFUL|SUCCESS|FAILED|FAILURE)|Build (?:succeeded|failed))\b/,
  /^\[\w+\]\s+Tests run:\s*\d+/,
  // Gradle, ctest, dotnet test, PHPUnit, and the plain `N passed, N failed` of any runner
  /^\s*\d+ tests? completed, \d+ (?:failed|skipped)/,
  /^\s*\d+% tests passed, \d+ tests? failed out of \d+/,
  /^\s*(?:Failed|Passed)!\s+-\s+Failed:\s+\d+/,
  /^Tests: \d+, Assertions: \d+/,
  /^(?:\w+:\s*)?\d+ passed, \d+ failed(?:, \d+ skipped)?\s*$/,
  /^\s*Found \d+ errors?\b/,
  /^\s*Ran \d+ tests? in /,
  /^\s*(?:\d+ (?:passing|failing|pending)\b)/,
  // cargo test and pytest announce the run: `running 153 tests`, `collected 203 items`
  /^running \d+ tests?$|^collect(?:ing \.\.\. collect)?ed \d+ items?\b/,
  /^\s*(?:Tests run|Results?):\s*\d+/,
  // unittest: `FAILED (failures=2, skipped=1)`, `OK`, `OK (skipped=3)`
  /^(?:FAILED|OK) \((?:failures|errors|skipped|expected failures|unexpected successes)=\d+[^)]*\)\s*$/,
  /^OK\s*$/,
  // TAP and node's spec reporter: `# tests 172`, `# fail 2`, `ℹ pass 170`, `✖ failing tests:`
  /^\s*(?:#|ℹ) (?:tests|suites|pass|fail|cancelled|skipped|todo)\s+\d+\s*$/,
  /^\s*✖ failing tests:/,
  // make and clang/gcc: `make: *** [Makefile:8: lexer.o] Error 1`, `3 errors generated.`
  /^\s*g?make(?:\[\d+\])?: (?:\*\*\*|Target .* not remade because of errors)/,
  /^\s*\d+ (?:errors?|warnings?)(?: and \d+ (?:errors?|warnings?))? generated\b/,
  // javac: `3 errors`, `11 warnings` alone on their lines
  /^\d+ (?:errors?|warnings?)$/,
  // RSpec, eslint, cargo: `12 examples, 2 failures`, `✖ 5 problems (3 errors, 2 warnings)`, `error: could not compile`
  /^\s*\d+ examples?, \d+ failures?/,
  /^\s*✖ \d+ problems? \(/,
  /^\s*error: could not compile\b/,
];

const FAILURE: readonly RegExp[] = [
  /^\s*(?:FAIL|FAILED|✕|×|✗|✘|✖|❌|●)\s/,
  // unittest (`FAIL: test_x (m.C.test_x)`, `test_x (m.C.test_x) ... ERROR`), TAP (`not ok 3 - name`)
  /^(?:FAIL|ERROR): \S/,
  /\s\.\.\. (?:FAIL|ERROR|FAILED)\s*$/,
  /^\s*not ok \d+\b/,
  // mocha: a failing test in the list and its entry among the failures: `    1) rejects an expired coupon`
  /^\s{2,}\d+\) \S/,
  // compilers with a location: gcc/clang/javac `file.c:12:5: error:`, tsc `src/a.ts(3,5): error TS2322:`
  /^\S+?:\d+(?::\d+)?: (?:fatal )?error:/,
  /^\s*--- FAIL:/,
  // RSpec's list of failed examples: `rspec ./spec/cart_spec.rb:12 # Cart totals every line`
  /^rspec \S+:\d+ # /,
  // pytest's header of one failure in its FAILURES section: `____ test_x ____`, `____ TestA.test_b ____`
  /^_{3,} \S.* _{3,}$/,
  /\bpanicked at\b/,
  /^Traceback \(most recent call last\)/,
  /\berror\[E\d{4}\]/,
  /\berror TS\d+:/,
  /^\s*(?:[\w.]+\.)?(?:AssertionError|AssertError|AssertionFailedError)\b/,
  /^\s*(?:Expected|Received|expected|received|Actual|actual)(?:\s+\w+)?:\s/,
  /^\s*[-+] (?:Expected|Received)\b/,
  /^E\s{2,}\S/,
  /npm ERR!|^\s*npm error\b/,
  /^\s*(?:Caused by:|Exception in thread)\s/,
  /^\s*[\w.$]+(?:Exception|Error):\s/,
  /\bFAILED\b/,
];

const ERROR =
  /\b(?:ERROR|FATAL|CRITICAL|SEVERE|EMERG|ALERT|CRIT)\b|\[(?:error|fatal|crit|alert|emerg)\]|^\s*error(?:\[\w+\])?:|\bfatal:|:\s+error:|\bOut of memory\b|\boom-kill|\bKilled process\b|\bsegfault\b|\bcore dumped\b|\bstatus=\d+\/(?:KILL|SEGV|ABRT|BUS)\b/;
const ERROR_WORD = /(?<!\d |[./])\b(?:error|Error|failed|Failed)\b(?![-_=.'"])/;
/** A line that states a level other than error (`WARN … Failed to renew lease`) is at that level. */
const OTHER_LEVEL = /\b(?:INFO|WARN|WARNING|DEBUG|TRACE|NOTICE|Info|Warning|Debug|Notice)\b|\[(?:info|warn|warning|debug|notice)\]|^\S*\d[\d:., -]{6,40}\s[VDIW] [^\s:]+:|\b(?:level|lvl|severity)=["']?(?:info|warn|warning|debug|trace)\b/;
/** `warning: build failed, waiting for other jobs`: a line that says it is a warning is one. */
const WARNING_FIRST = /^\s*(?:warning|warn)\b/i;
/** A passing test's line: its words (`returns an error when…`) name the case, not a failure. */
const PASSING = /^\s*(?:✓|✔|√|PASS\b|ok \d+\b)|\s(?:\.\.\. ok|PASSED\b)|--- PASS:/;
const WARNING = /\b(?:WARN|WARNING)\b|\[warn(?:ing)?\]|^\s*warning(?:\[\w+\])?:|^\S+?:\d+(?::\d+)?: warning:|\bDeprecationWarning\b/;
/**
 * Levels written as a header column rather than a word: logcat's one letter before the tag
 * (`12:00:01.100  1702  2395 E AudioTrack: …`) and a capitalised level after a time
 * (`2016-09-28 04:30:31, Error                 CBS …`).
 */
const HEADER_ERROR = /^\S*\d[\d:., -]{6,40}\s(?:[EF] [^\s:]+:|(?:Error|Fatal|Critical|Severe)[\s,])/;
/** Structured logs: `level=error`, `"level":"error"`, `"severity": "FATAL"`. */
const FIELD_ERROR = /\b(?:level|lvl|severity)=["']?(?:error|fatal|critical|crit|panic|emerg|alert)\b|"(?:level|lvl|severity|levelname)":\s*"(?:error|fatal|critical|crit|panic|emerg|alert)"/i;
const FIELD_WARNING = /\b(?:level|lvl|severity)=["']?warn(?:ing)?\b|"(?:level|lvl|severity|levelname)":\s*"warn(?:ing)?"/i;
const HEADER_WARNING = /^\S*\d[\d:., -]{6,40}\s(?:W [^\s:]+:|Warn(?:ing)?[\s,])/;

/** Lines that continue a failure: stack frames, code frames, diff lines of an assertion. */
const CONTINUATION: readonly RegExp[] = [
  /^\s+at\s+\S/,
  /^\s+File ".*", line \d+/,
  /^\s+\.\.\. \d+ more/,
  /^\s*(?:>\s*)?\d+\s*\|/,
  /^\s*\|/,
  /^\s*-->\s/,
  /^\s*\d+: 0x[0-9a-f]+/,
  /^goroutine \d+/,
  /^\s+\S+\.go:\d+/,
  /^\s*❯\s/,
];

/** One alternation per kind: a single scan of the line instead of one per pattern. */
const ANY_SUMMARY = new RegExp(SUMMARY.map((p) => `(?:${p.source})`).join("|"));
const ANY_FAILURE = new RegExp(FAILURE.map((p) => `(?:${p.source})`).join("|"));
const ANY_CONTINUATION = new RegExp(CONTINUATION.map((p) => `(?:${p.source})`).join("|"));

export function classifyLine(line: string): LineKind {
  if (ANY_SUMMARY.test(line)) return LineKind.Summary;
  if (ANY_FAILURE.test(line)) return LineKind.Failure;
  if (ERROR.test(line) || HEADER_ERROR.test(line) || FIELD_ERROR.test(line)) return LineKind.Error;
  // `EXT4-fs error (device sda1)`, `connect() failed (111: …)`, `# Failed listening on port`: the
  // word itself, unless the line is a passing test's (`✓ returns an error on …`) or a count (`0 failed`)
  if (ERROR_WORD.test(line) && !PASSING.test(line) && !WARNING_FIRST.test(line) && !OTHER_LEVEL.test(line)) return LineKind.Error;
  if (WARNING.test(line) || HEADER_WARNING.test(line) || FIELD_WARNING.test(line)) return LineKind.Warning;
  return LineKind.Plain;
}

export function isContinuation(line: string): boolean {
  return ANY_CONTINUATION.test(line);
}

/** A line that starts a new test, file or section, where a failure block ends. */
export function startsSection(line: string): boolean {
  return /^\s*(?:✓|✔|√|▶|PASS|FAIL|●|=+\s|-{10,}|_{3,} \S|#{1,3}\s|RUN\b|=== RUN|(?:not )?ok \d+\b)|::\S+ (?:PASSED|FAILED|SKIPPED|ERROR|XFAIL|XPASS)\b|\s\.\.\. (?:ok|FAIL|ERROR|skipped\b.*|expected failure|unexpected success|ignored)\s*$/.test(line);
}

/**
 * Lines a test runner or build tool prints for routine progress: not a failure or a summary, but
 * the sign that the text is runner output (so it goes to this compressor, not to plain text).
 */
const RUNNER: readonly RegExp[] = [
  // jest/vitest/mocha/node spec marks, pytest/go/cargo progress, shell prompts, `[3/12]` counters
  /^\s*(?:✓|✔|√|▶|ℹ|PASS\b|RUN\b|ok\s|Compiling|Running|Finished|collected|>\s|\$\s|\[\d+\/\d+\]|\d+\/\d+\s)/,
  // unittest and cargo test: `test_x (module.Class.test_x) ... ok`, `test a::b ... ignored`
  /\s\.\.\. (?:ok|skipped\b.*|expected failure|unexpected success|ignored|passed)\s*$/,
  // pytest -v: `tests/test_a.py::test_b PASSED [ 12%]`
  /::\S+ (?:PASSED|SKIPPED|XFAIL|XPASS|ERROR|FAILED)\b/,
  // TAP: `ok 12 - name`, `# Subtest: name`, its YAML block (`---`, `duration_ms: 0.1`, `...`), `1..61`
  /^\s*(?:ok \d+\b|# Subtest: |1\.\.\d+\s*$|---\s*$|\.\.\.\s*$|duration_ms: )/,
  // go test
  /^\s*(?:=== (?:RUN|PAUSE|CONT)|--- (?:PASS|SKIP):)\s/,
  // compilers with a location: `file.c:12:5: note:`, code frames `  4 | x`, caret lines, `In function`
  /^\S+?:\d+(?::\d+)?: (?:note|warning|error):|^\S+\(\d+,\d+\): (?:error|warning) |^\s*\d*\s+\|\s|^\S+: (?:In function|At top level:|In member function)/,
  // tsc --explainFiles
  /^\s+(?:Imported via|Library referenced via|Matched by include pattern|Default library|Root file specified|Type library referenced via|File is (?:CommonJS|ECMAScript) module)/,
  // Maven/Gradle/npm/pip/docker build
  /^\[(?:INFO|WARNING|ERROR|DEBUG)\]|^> Task :|^npm (?:ERR!|error|warn|WARN|notice|http|verb|verbose|sill|silly|timing|info)\b|^(?:Collecting|Downloading|Requirement already satisfied|Installing collected packages|Successfully installed|Building wheels?)\b|^#\d+ (?:\[|\d+\.\d+ |DONE|CACHED)|^Step \d+\/\d+ :/,
  // javac -verbose: `[parsing started SimpleFileObject[src/A.java]]`, `[loading /modules/…]`, `[wrote out/A.class]`
  /^\[(?:parsing (?:started|completed)|loading|search path for|checking|wrote|total|done in)\b/,
  // eslint: `  12:5  error  'x' is not defined  no-undef`
  /^\s+\d+:\d+\s+(?:error|warning)\s/,
];
const ANY_RUNNER = new RegExp(RUNNER.map((p) => `(?:${p.source})`).join("|"));

export function isRunnerLine(line: string): boolean {
  return ANY_RUNNER.test(line);
}
