import { parseRecord } from "../../records.js";

/**
 * Splits a log line into its header (timestamp, level, process, thread, component…) and its
 * message. Only lines that start with a timestamp are split; the header is whatever run of
 * conventional header fields follows it. Templates are learnt on messages, so the same event
 * from two threads or components still lands in one cluster.
 */
const TIMESTAMPS: readonly RegExp[] = [
  // 2015-10-18 18:01:47,978 · 2026-11-20T10:07:00.123Z · 2026-11-20 10:07:00+01:00
  /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2}| (?:UTC|GMT|CET|CEST|EET|EEST|WET|EST|EDT|CST|CDT|MST|MDT|PST|PDT|JST|IST|AEST|AEDT|MSK))?/,
  // 03 Dec 2026 05:36:00.123 (Redis) · Tue, 03 Dec 2026 05:36:00 GMT (RFC 2822)
  /^(?:[A-Z][a-z]{2}, )?\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2}(?:\.\d+)?(?: (?:GMT|UTC|[+-]\d{4}))?/,
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
  /^\[?(?:TRACE|DEBUG\d?|INFO|NOTICE|WARN|WARNING|ERROR|SEVERE|FATAL|PANIC|CRITICAL|CRIT|ALERT|EMERG|Trace|Debug|Info|Notice|Warn|Warning|Error|Fatal|Critical|trace|debug|info|notice|warn|warning|error|fatal|crit|alert|emerg|[VDIWEF])\]?(?=\s)|^(?:LOG|STATEMENT|DETAIL|HINT|CONTEXT|QUERY|LOCATION|TRACE|DEBUG\d?|INFO|NOTICE|WARNING|ERROR|FATAL|PANIC):(?=\s)/;
/** Dates written again inside the header, as fixed-column logs do: `2005.06.03`, `2005-06-03-15.42.50.675872`. */
const DATE_FIELD = /^\d{4}[.-]\d{2}[.-]\d{2}(?:-\d{2}\.\d{2}\.\d{2}(?:\.\d+)?)?(?=\s)/;
/** A module path before a bracketed context block: `nova.osapi_compute.wsgi.server [req-… - - -]`. */
const MODULE_BEFORE_BLOCK = /^[A-Za-z_]\w*(?:\.\w+)+(?=\s+\[)/;
const PID = /^\d{1,7}(?=\s)/;
/** Columns of node names and upper-case words before an upper-case level: `R02-M1-N0 RAS KERNEL INFO`. */
const FIELDS_BEFORE_LEVEL =
  /^(?:(?:[^\sa-z]+|\S*[\d@]\S*)\s+){1,4}(?:TRACE|DEBUG\d?|INFO|NOTICE|WARN|WARNING|ERROR|SEVERE|FATAL|PANIC|CRITICAL|CRIT|ALERT|EMERG|LOG|STATEMENT|DETAIL|HINT|CONTEXT)(?::?(?=\s))/;
/** A lone `-`, or a one-character level mark (`*`, `#`, `.` as Redis writes them). */
const DASH = /^[-*#.](?=\s)/;
/** `sshd[24200]:` · `dfs.FSNamesystem:` · `org.apache.hadoop.mapred.Task:` · `executor.Backend:` */
const COMPONENT = /^[A-Za-z_][\w.$@/-]*(?:\([\w.-]*\))?(?:\[\d+\])?:(?=\s|$)/;
/** A host or program (up to three words without colons) directly before `program[pid]:` or ` - `. */
const NAME_BEFORE = /^[^\s:[\]]+(?:\s+[^\s:[\]]+){0,2}(?=\s+(?:[\w./-]+(?:\([\w.-]*\))?\[\d+\]:|-\s))/;

const MAX_FIELDS = 6;

export interface SplitLine {
  header: string;
  message: string;
}

/**
 * The line without its leading timestamp (the whole line when it has none). Fixed-column and
 * relayed logs write the time more than once behind short fields — `- 1131566461 2005.11.09 dn228
 * Nov 9 12:01:01 dn228/dn228 crond[2915]:`, `api.log.1 2017-05-16 00:00:00.008 …` — so the header
 * runs to the last timestamp reached through field-like tokens only (ids, dates, names with digits
 * or punctuation, never a plain word), within the first few tokens.
 */
export function withoutTimestamp(line: string): string {
  let end = timestampEnd(line, 0);
  let at = end > 0 ? end : 0;
  for (let fields = 0; fields < LEADING_FIELDS && at < line.length; fields++) {
    while (line[at] === " " || line[at] === "\t") at++;
    const after = timestampEnd(line, at);
    if (after > at) {
      end = after;
      at = after;
      continue;
    }
    const space = line.indexOf(" ", at);
    const token = line.slice(at, space === -1 ? line.length : space);
    if (space === -1 || !FIELD_LIKE.test(token)) break;
    at = space;
  }
  return end > 0 ? line.slice(end) : line;
}

/** How many tokens may stand before (or between) the timestamps of a header. */
const LEADING_FIELDS = 6;
/** `-`, `1131566461`, `dn228/dn228`, `nova-api.log.1`, `R02-M1-N0`, `APPREAD`: digits or punctuation, a dash, or an upper-case label. */
const FIELD_LIKE = /^(?:-|[A-Z][A-Z_]+|[^\s]*[\d._/:@-][^\s]*)$/;
/** Where a timestamp that starts at `start` ends, or -1. */
function timestampEnd(line: string, start: number): number {
  const rest = start === 0 ? line : line.slice(start);
  for (const pattern of TIMESTAMPS) {
    const m = pattern.exec(rest);
    if (m) return start + m[0].length;
  }
  if (start > 0) {
    const m = DATE_FIELD.exec(rest);
    if (m) return start + m[0].length;
  }
  return -1;
}

export function splitHeader(line: string): SplitLine {
  const structured = line.startsWith("{") ? jsonLine(line) : LOGFMT_HEADER.exec(line);
  if (structured) return Array.isArray(structured) ? { header: structured[0], message: line.slice(structured[0].length) } : structured;
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
    const component = COMPONENT.exec(trimmed);
    if (component) {
      // `program[pid]:` or `Tag:` closes a header; what follows the colon is the message
      rest = trimmed.slice(component[0].length);
      break;
    }
    const m =
      LEVEL.exec(trimmed) ??
      PID.exec(trimmed) ??
      DASH.exec(trimmed) ??
      DATE_FIELD.exec(trimmed) ??
      bracketed(trimmed) ??
      MODULE_BEFORE_BLOCK.exec(trimmed) ??
      NAME_BEFORE.exec(trimmed) ??
      FIELDS_BEFORE_LEVEL.exec(trimmed);
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

/** logfmt's leading time, level and source fields: `time=2026-… level=info caller=api.go:12 msg=…`. */
const LOGFMT_HEADER = /^(?:(?:time|ts|timestamp|t|level|lvl|severity|caller|logger|source|pid)=(?:"[^"]*"|\S+)\s+){2,}/;
const JSON_TIME_KEYS = new Set(["time", "ts", "timestamp", "@timestamp", "t", "date"]);
const JSON_LEVEL_KEYS = new Set(["level", "lvl", "severity", "levelname", "log.level", "stream"]);
const JSON_MESSAGE_KEYS = ["msg", "message", "log", "event", "text"];

/**
 * A JSON-lines record (`{"ts":…,"level":"error","msg":"payment declined","status":502}`, Docker's
 * `{"log":"…","stream":"stderr","time":…}`): its time and level are the header; its message is the
 * text of its message field followed by the other fields as `key=value`, so records of one event
 * share a template whatever their values.
 */
function jsonLine(line: string): SplitLine | null {
  const record = line.endsWith("}") ? parseRecord(line) : undefined;
  if (!record) return null;
  const header: string[] = [];
  const fields: string[] = [];
  let message = "";
  for (const [key, value] of Object.entries(record)) {
    const text = typeof value === "string" ? value : JSON.stringify(value);
    if (JSON_TIME_KEYS.has(key) || JSON_LEVEL_KEYS.has(key)) header.push(text);
    else if (message === "" && JSON_MESSAGE_KEYS.includes(key) && typeof value === "string") message = value.trimEnd();
    else fields.push(`${key}=${text}`);
  }
  return { header: header.join(" "), message: [message, ...fields].filter((f) => f !== "").join(" ") };
}
