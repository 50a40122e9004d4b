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
  /^\s*(?:BUILD (?:SUCCESSFUL|SUCCESS|FAILED|FAILURE)|Build (?:succeeded|failed))\b/,
  /^\s*Found \d+ errors?\b/,
  /^\s*Ran \d+ tests? in /,
  /^\s*(?:\d+ (?:passing|failing|pending)\b)/,
  /^\s*(?:Tests run|Results?):\s*\d+/,
];

const FAILURE: readonly RegExp[] = [
  /^\s*(?:FAIL|FAILED|✕|×|✗|✘|❌|●)\s/,
  /^\s*--- FAIL:/,
  /\bpanicked at\b/,
  /^Traceback \(most recent call last\)/,
  /\berror\[E\d{4}\]/,
  /\berror TS\d+:/,
  /^\s*(?:[\w.]+\.)?(?:AssertionError|AssertError|AssertionFailedError)\b/,
  /^\s*(?:Expected|Received|expected|received|Actual|actual)(?:\s+\w+)?:\s/,
  /^\s*[-+] (?:Expected|Received)\b/,
  /^E\s{2,}\S/,
  /npm ERR!|^\s*npm error\b/,
  /make(?:\[\d+\])?: \*\*\*/,
  /^\s*(?:Caused by:|Exception in thread)\s/,
  /^\s*[\w.$]+(?:Exception|Error):\s/,
  /\bFAILED\b/,
];

const ERROR =
  /\b(?:ERROR|FATAL|CRITICAL|SEVERE|EMERG|ALERT|CRIT)\b|\[(?:error|fatal|crit|alert|emerg)\]|^\s*error(?:\[\w+\])?:|\bfatal:|:\s+error:|\bOut of memory\b|\boom-kill|\bKilled process\b|\bsegfault\b|\bcore dumped\b|\bstatus=\d+\/(?:KILL|SEGV|ABRT|BUS)\b/;
const WARNING = /\b(?:WARN|WARNING)\b|\[warn(?:ing)?\]|^\s*warning(?:\[\w+\])?:|\bDeprecationWarning\b/;

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
  if (ERROR.test(line)) return LineKind.Error;
  if (WARNING.test(line)) return LineKind.Warning;
  return LineKind.Plain;
}

export function isContinuation(line: string): boolean {
  return ANY_CONTINUATION.test(line);
}

/** A line that starts a new test, file or section, where a failure block ends. */
export function startsSection(line: string): boolean {
  return /^\s*(?:✓|√|PASS|FAIL|●|=+\s|-{3,}|#{1,3}\s|RUN\b|=== RUN)/.test(line);
}
