/**
 * How single values are written in the outline. Strings go bare when nothing could misread them
 * and JSON-quoted otherwise, so `"true"`, `"42"`, `""` and `" x"` never lose their type or
 * whitespace. Nested values that are not expanded are written as compact JSON.
 */
export type Json = null | boolean | number | string | Literal | Json[] | { [key: string]: Json };

/**
 * A value JavaScript cannot hold as the document wrote it, kept as its JSON text (see parse.ts):
 * a number whose double is not the number written, or an object with a repeated key. It is a
 * leaf everywhere — shown verbatim, never summarised, equal only to the same text.
 */
export abstract class Literal {
  abstract readonly text: string;

  /** A literal reaching `JSON.stringify` would be written as `{"text":…}`: fail loudly instead (the engine then passes the original through). */
  toJSON(): never {
    throw new Error("internal: a JSON literal reached JSON.stringify; use compactJson");
  }
}

/** A number literal whose double differs from it: beyond 2^53, more digits than a double keeps, out of range, or `-0`. */
export class JsonNumber extends Literal {
  constructor(readonly text: string) {
    super();
  }
}

/** An object with a repeated key, every entry in document order (JSON.parse would keep the last value only). */
export class DuplicateKeys extends Literal {
  private compact: string | undefined;

  constructor(readonly entries: ReadonlyArray<readonly [string, Json]>) {
    super();
  }

  get text(): string {
    return (this.compact ??= `{${this.entries.map(([key, value]) => `${JSON.stringify(key)}:${compactJson(value)}`).join(",")}}`);
  }

  /** Keys that occur more than once, each with its count. */
  repeated(): Array<[string, number]> {
    const counts = new Map<string, number>();
    for (const [key] of this.entries) counts.set(key, (counts.get(key) ?? 0) + 1);
    return [...counts].filter(([, n]) => n > 1);
  }
}

/**
 * Marks containers (arrays, objects) that hold a literal somewhere below them. An enumerable
 * symbol: `JSON.stringify`, `Object.keys` and `for…in` skip it, and spreading a marked object
 * copies it, so the trimmed copies the crusher makes stay marked.
 */
export const HOLDS_LITERAL: unique symbol = Symbol("holds a JSON literal");

/** Compact JSON text of a value; literals are written as the document wrote them. */
export function compactJson(value: Json): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (value instanceof Literal) return value.text;
  if (!(HOLDS_LITERAL in value)) return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(compactJson).join(",")}]`;
  const parts: string[] = [];
  for (const key of Object.keys(value)) parts.push(`${JSON.stringify(key)}:${compactJson(value[key]!)}`);
  return `{${parts.join(",")}}`;
}

export function isPlainObject(value: unknown): value is { [key: string]: Json } {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Literal);
}

export function isScalar(value: Json): value is null | boolean | number | string | Literal {
  return value === null || typeof value !== "object" || value instanceof Literal;
}

const RESERVED = new Set(["true", "false", "null", "-", "#", "..."]);

/** A string may go bare when it cannot be confused with another value or with the outline syntax. */
export function canBeBare(s: string): boolean {
  if (s.length === 0 || s.length > 400) return false;
  // anything a reader (or JavaScript) could take for a number stays quoted: "42", "1e3", "0x1f"
  if (RESERVED.has(s) || !Number.isNaN(Number(s)) || /^[-+]?(infinity|nan)$/i.test(s)) return false;
  // leading or trailing space of any kind (a no-break space too) would be lost to a reader
  if (/^\s|\s$/u.test(s)) return false;
  // a lone surrogate cannot be written bare: only its \u escape keeps it
  if (LONE_SURROGATE.test(s)) return false;
  // structural characters of the outline and of JSON
  if (/[,"\\\n\r\t\u0000-\u001f\u2028\u2029]/.test(s)) return false;
  if (/^[[{#\-*>|]/.test(s) || s.startsWith("[headroom")) return false;
  return true;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function formatScalar(value: Json | undefined): string {
  if (value === undefined) return "";
  if (typeof value === "string") return canBeBare(value) ? value : JSON.stringify(value);
  return formatInline(value);
}

/**
 * A nested value written inline in the outline's own syntax rather than as JSON: `[bug,p1]`,
 * `{name:good first issue,color:7057ff}`. Strings are bare unless they would be misread here too
 * (a closing bracket or brace quoted besides what `canBeBare` quotes); numbers as written.
 */
export function formatInline(value: Json): string {
  if (value === null || typeof value !== "object") return typeof value === "string" ? (canBeBare(value) && !INLINE_STRUCTURE.test(value) ? value : JSON.stringify(value)) : compactJson(value);
  if (value instanceof Literal || value instanceof DuplicateKeys) return compactJson(value);
  if (Array.isArray(value)) return `[${value.map(formatInline).join(",")}]`;
  const parts: string[] = [];
  for (const key of Object.keys(value)) parts.push(`${formatKey(key)}:${formatInline(value[key]!)}`);
  return `{${parts.join(",")}}`;
}

/** Only a closing bracket or brace could end an inline value early (a key never holds a colon unquoted, and `canBeBare` already quotes commas and leading brackets). */
const INLINE_STRUCTURE = /[\]}]/;

const BARE_KEY = /^[A-Za-z_$][\w$-]*$/;

export function formatKey(key: string): string {
  return BARE_KEY.test(key) ? key : JSON.stringify(key);
}

/** Path syntax used in markers and accepted by retrieval: `$.items[3].name`, `$["odd key"]`. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  return BARE_KEY.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}
