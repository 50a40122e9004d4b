/**
 * Splits a log line into its header (timestamp, level, process, thread, component…) and its
 * message. Only lines that start with a timestamp are split; the header is whatever run of
 * conventional header fields follows it. Templates are learnt on messages, so the same event
 * from two threads or components still lands in one cluster.
 */
const TIMESTAMPS: readonly RegExp[] = [
  // 2015-10-18 18:01:47,978 · 2026-11-20T10:07:00.123Z · 2026-11-20 10:07:00+01:00
  /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?/,
  // 17/06/09 20:10:40 · 2026/11/20 10:07:00
  /^\d{2,4}\/\d{2}\/\d{2,4}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?/,
  // 20171223-22:15:29:606
  /^\d{8}-\d{1,2}:\d{1,2}:\d{1,2}(?::\d{1,3})?/,
  // 081109 203615 (HDFS style)
  /^\d{6} \d{6}\b/,
  // Dec 10 06:55:46 (syslog)
  /^[A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2}/,
  // 03-17 16:13:38.811 (month-day, as Android's logcat writes it)
  /^\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?/,
  // [Sun Dec 04 04:47:44 2005] · [10.30 16:49:06] · [2026-11-20 10:00:00]
  /^\[[^\]]{0,40}\d{1,2}:\d{2}(?::\d{2})?[^\]]{0,20}\]/,
  // 10:07:00.123 · 10:07:00,123
  /^\d{2}:\d{2}:\d{2}(?:[.,]\d+)?\b/,
  // epoch seconds or milliseconds followed by a space
  /^1\d{9}(?:\d{3})?(?:\.\d+)?(?= )/,
];

const LEVEL =
  /^\[?(?:TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|SEVERE|FATAL|CRITICAL|CRIT|ALERT|EMERG|Trace|Debug|Info|Notice|Warn|Warning|Error|Fatal|Critical|trace|debug|info|notice|warn|warning|error|fatal|crit|alert|emerg|[VDIWEF])\]?(?=\s)/;
/** Dates written again inside the header, as fixed-column logs do: `2005.06.03`, `2005-06-03-15.42.50.675872`. */
const DATE_FIELD = /^\d{4}[.-]\d{2}[.-]\d{2}(?:-\d{2}\.\d{2}\.\d{2}(?:\.\d+)?)?(?=\s)/;
/** A module path before a bracketed context block: `nova.osapi_compute.wsgi.server [req-… - - -]`. */
const MODULE_BEFORE_BLOCK = /^[A-Za-z_]\w*(?:\.\w+)+(?=\s+\[)/;
const PID = /^\d{1,7}(?=\s)/;
const DASH = /^-(?=\s)/;
/** `sshd[24200]:` · `dfs.FSNamesystem:` · `org.apache.hadoop.mapred.Task:` · `executor.Backend:` */
const COMPONENT = /^[A-Za-z_][\w.$@/-]*(?:\([\w.-]*\))?(?:\[\d+\])?:(?=\s|$)/;
/** A host or program (up to three words without colons) directly before `program[pid]:` or ` - `. */
const NAME_BEFORE = /^[^\s:[\]]+(?:\s+[^\s:[\]]+){0,2}(?=\s+(?:[\w.-]+(?:\([\w.-]*\))?\[\d+\]:|-\s))/;

const MAX_FIELDS = 6;

export interface SplitLine {
  header: string;
  message: string;
}

/** The line without its leading timestamp (the whole line when it has none). */
export function withoutTimestamp(line: string): string {
  const at = timestampEnd(line, 0);
  if (at > 0) return line.slice(at);
  // one short leading field (a file or source name, a `-`) may come before the timestamp
  const space = line.indexOf(" ");
  if (space > 0 && space <= LEADING_FIELD_MAX) {
    const start = space + 1;
    const after = timestampEnd(line, start);
    if (after > start) return line.slice(after);
  }
  return line;
}

const LEADING_FIELD_MAX = 60;

/** Where a timestamp that starts at `start` ends, or -1. */
function timestampEnd(line: string, start: number): number {
  const rest = start === 0 ? line : line.slice(start);
  for (const pattern of TIMESTAMPS) {
    const m = pattern.exec(rest);
    if (m) return start + m[0].length;
  }
  return -1;
}

export function splitHeader(line: string): SplitLine {
  let rest = withoutTimestamp(line);
  if (rest === line) return { header: "", message: line };

  // `|`-separated headers: 20171223-22:15:29:606|Step_LSC|30002312|message
  if (rest.startsWith("|")) {
    let fields = 0;
    while (rest.startsWith("|") && fields < MAX_FIELDS) {
      const next = rest.indexOf("|", 1);
      const field = next === -1 ? "" : rest.slice(1, next);
      if (next === -1 || /\s/.test(field)) break;
      rest = rest.slice(next);
      fields++;
    }
    if (rest.startsWith("|")) rest = rest.slice(1);
    return { header: line.slice(0, line.length - rest.length), message: rest };
  }

  for (let fields = 0; fields < MAX_FIELDS; fields++) {
    const trimmed = rest.replace(/^[\s,]+/, "");
    const m =
      LEVEL.exec(trimmed) ??
      PID.exec(trimmed) ??
      DASH.exec(trimmed) ??
      DATE_FIELD.exec(trimmed) ??
      bracketed(trimmed) ??
      COMPONENT.exec(trimmed) ??
      MODULE_BEFORE_BLOCK.exec(trimmed) ??
      NAME_BEFORE.exec(trimmed);
    if (!m) break;
    rest = trimmed.slice(m[0].length);
  }
  const message = rest.replace(/^\s+/, "");
  return { header: line.slice(0, line.length - message.length), message };
}

/** A leading `[...]` group with balanced brackets (thread names like `[QuorumPeer[myid=1]/0:2181]`). */
function bracketed(text: string): [string] | null {
  if (!text.startsWith("[")) return null;
  let depth = 0;
  for (let i = 0; i < Math.min(text.length, 200); i++) {
    const c = text[i];
    if (c === "[") depth++;
    else if (c === "]" && --depth === 0) return /\s/.test(text[i + 1] ?? " ") ? [text.slice(0, i + 1)] : null;
  }
  return null;
}
