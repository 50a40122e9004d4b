/**
 * How single values are written in the outline. Strings go bare when nothing could misread them
 * and JSON-quoted otherwise, so `"true"`, `"42"`, `""` and `" x"` never lose their type or
 * whitespace. Nested values that are not expanded are written as compact JSON.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function isPlainObject(value: unknown): value is { [key: string]: Json } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const RESERVED = new Set(["true", "false", "null", "-", "#", "..."]);

/** A string may go bare when it cannot be confused with another value or with the outline syntax. */
export function canBeBare(s: string): boolean {
  if (s.length === 0 || s.length > 400) return false;
  // anything a reader (or JavaScript) could take for a number stays quoted: "42", "1e3", "0x1f"
  if (RESERVED.has(s) || !Number.isNaN(Number(s)) || /^[-+]?(infinity|nan)$/i.test(s)) return false;
  const first = s.charCodeAt(0);
  const last = s.charCodeAt(s.length - 1);
  if (first <= 32 || last <= 32) return false;
  // structural characters of the outline and of JSON
  if (/[,"\\\n\r\t\u0000-\u001f\u2028\u2029]/.test(s)) return false;
  if (/^[[{#\-*>|]/.test(s) || s.startsWith("[headroom")) return false;
  return true;
}

export function formatScalar(value: Json | undefined): string {
  if (value === undefined) return "";
  if (typeof value === "string") return canBeBare(value) ? value : JSON.stringify(value);
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  return JSON.stringify(value);
}

const BARE_KEY = /^[A-Za-z_$][\w$-]*$/;

export function formatKey(key: string): string {
  return BARE_KEY.test(key) ? key : JSON.stringify(key);
}

/** Path syntax used in markers and accepted by retrieval: `$.items[3].name`, `$["odd key"]`. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  return BARE_KEY.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}
