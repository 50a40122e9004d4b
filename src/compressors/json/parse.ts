import { DuplicateKeys, HOLDS_LITERAL, JsonNumber, type Json } from "./format.js";

/**
 * Reads JSON text so that no value is shown other than as written. `JSON.parse` turns
 * 1790001234567890123 into …120, 1e309 into Infinity (written `null`), -0 into 0, and keeps only
 * the last value of a repeated key. It is still the fast path: a check that cannot miss (it may
 * fire needlessly) decides whether the text could hold such a value, and only then is the text
 * read again by a parser that keeps those values as literals (format.ts).
 */
export function readJson(text: string): Json {
  const value = JSON.parse(text) as Json;
  const keys = keysUnlessLossyNumber(text);
  if (keys !== LOSSY && keys === keyCount(value)) return value;
  return new ExactReader(text).document();
}

const LOSSY = -1;

/**
 * The number of keys in a text JSON.parse accepted, or LOSSY as soon as a number literal might
 * not survive as a double. A literal loses nothing when it has at most 15 significant digits and
 * an exponent within the normal range (any two such decimals map to different doubles, and the
 * shortest form of that double is the same decimal), so LOSSY means 16+ mantissa digits, a
 * three-digit exponent, or a negative zero. Strings are skipped with indexOf, so digits and colons
 * inside them count for nothing; keys are the strings followed by a colon.
 */
function keysUnlessLossyNumber(text: string): number {
  const n = text.length;
  let keys = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(text, i) + 1;
      while (isSpace(text.charCodeAt(i))) i++;
      if (text.charCodeAt(i) === COLON) keys++;
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      const end = numberEnd(text, i);
      if (mayLoseDigits(text, i, end)) return LOSSY;
      i = end;
    } else {
      i++;
    }
  }
  return keys;
}

/** Index of the quote that closes the string opening at `start`. */
function stringEnd(text: string, start: number): number {
  let end = text.indexOf('"', start + 1);
  for (;;) {
    if (end === -1) return text.length; // not reached for text JSON.parse accepted
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
}

function numberEnd(text: string, start: number): number {
  let i = start;
  for (;;) {
    const c = text.charCodeAt(i);
    if ((c >= ZERO && c <= NINE) || c === MINUS || c === PLUS || c === DOT || c === 0x65 || c === 0x45) i++;
    else return i;
  }
}

function mayLoseDigits(text: string, start: number, end: number): boolean {
  let digits = 0;
  let nonZero = false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x65 || c === 0x45) {
      let exponentDigits = 0;
      for (let j = i + 1; j < end; j++) if (text.charCodeAt(j) >= ZERO) exponentDigits++;
      if (exponentDigits >= 3) return true;
      break;
    }
    if (c >= ZERO && c <= NINE) {
      digits++;
      if (c !== ZERO) nonZero = true;
    }
  }
  return digits >= 16 || (!nonZero && text.charCodeAt(start) === MINUS);
}

function keyCount(value: Json): number {
  if (value === null || typeof value !== "object") return 0;
  let count = 0;
  if (Array.isArray(value)) {
    for (const item of value) if (item !== null && typeof item === "object") count += keyCount(item);
    return count;
  }
  for (const key in value) {
    count++;
    const child = (value as { [key: string]: Json })[key]!;
    if (child !== null && typeof child === "object") count += keyCount(child);
  }
  return count;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Thrown only if the text is not JSON after all (JSON.parse accepted it, so this means a bug). */
class NotJson extends Error {}

/**
 * A plain recursive-descent reader for text JSON.parse has already accepted: it keeps lossy
 * numbers as JsonNumber, objects with repeated keys as DuplicateKeys, and marks every container
 * above such a value with HOLDS_LITERAL.
 */
class ExactReader {
  private at = 0;
  /** Where the next backslash is, found once for many strings (a backslash-free document is searched once). */
  private nextBackslash = -1;

  constructor(private readonly text: string) {}

  document(): Json {
    const value = this.value();
    this.skipSpace();
    if (this.at !== this.text.length) throw new NotJson("trailing text");
    return value;
  }

  private value(): Json {
    this.skipSpace();
    const c = this.text.charCodeAt(this.at);
    if (c === QUOTE) return this.string();
    if (c === 0x7b) return this.object();
    if (c === 0x5b) return this.array();
    if (c === 0x74) return this.word("true", true);
    if (c === 0x66) return this.word("false", false);
    if (c === 0x6e) return this.word("null", null);
    return this.number();
  }

  private object(): Json {
    const start = this.at;
    this.at++; // {
    const object: { [key: string]: Json } = {};
    let holds = false;
    this.skipSpace();
    if (this.text.charCodeAt(this.at) === 0x7d) {
      this.at++;
      return object;
    }
    for (;;) {
      this.skipSpace();
      const key = this.string();
      this.skipSpace();
      this.expect(COLON);
      const value = this.value();
      if (Object.hasOwn(object, key)) {
        // rare: read the object again, keeping every entry in order
        this.at = start;
        return this.objectWithRepeatedKeys();
      }
      // a "__proto__" key must become a property, as JSON.parse makes it, not the prototype
      if (key === "__proto__") Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
      else object[key] = value;
      holds ||= holdsLiteral(value);
      if (this.endOfContainer(0x7d)) break;
    }
    if (holds) markHoldsLiteral(object);
    return object;
  }

  private objectWithRepeatedKeys(): DuplicateKeys {
    this.at++; // {
    const entries: Array<[string, Json]> = [];
    for (;;) {
      this.skipSpace();
      const key = this.string();
      this.skipSpace();
      this.expect(COLON);
      entries.push([key, this.value()]);
      if (this.endOfContainer(0x7d)) return new DuplicateKeys(entries);
    }
  }

  /** After a member: true at the closing bracket, false at a comma (both consumed). */
  private endOfContainer(close: number): boolean {
    this.skipSpace();
    const c = this.text.charCodeAt(this.at++);
    if (c === close) return true;
    if (c !== 0x2c) throw new NotJson("expected a comma or the end of the container");
    return false;
  }

  private array(): Json {
    this.at++; // [
    const items: Json[] = [];
    let holds = false;
    this.skipSpace();
    if (this.text.charCodeAt(this.at) === 0x5d) {
      this.at++;
      return items;
    }
    for (;;) {
      const value = this.value();
      holds ||= holdsLiteral(value);
      items.push(value);
      if (this.endOfContainer(0x5d)) break;
    }
    if (holds) markHoldsLiteral(items);
    return items;
  }

  private string(): string {
    const start = this.at;
    if (this.text.charCodeAt(start) !== QUOTE) throw new NotJson("expected a string");
    const end = stringEnd(this.text, start);
    this.at = end + 1;
    if (this.nextBackslash < start) this.nextBackslash = this.text.indexOf("\\", start) >>> 0; // none: 2^32 - 1
    return this.nextBackslash < end ? (JSON.parse(this.text.slice(start, end + 1)) as string) : this.text.slice(start + 1, end);
  }

  private number(): Json {
    const start = this.at;
    let i = start;
    for (; i < this.text.length; i++) {
      const c = this.text.charCodeAt(i);
      // digits, + - . e E
      if (!((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45)) break;
    }
    if (i === start) throw new NotJson("unexpected character");
    this.at = i;
    const literal = this.text.slice(start, i);
    const value = Number(literal);
    if (!mayLoseDigits(this.text, start, i)) return value;
    return Object.is(value, -0) || !sameDecimal(literal, value) ? new JsonNumber(literal) : value;
  }

  private word<T extends Json>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.at)) throw new NotJson(`expected ${word}`);
    this.at += word.length;
    return value;
  }

  private expect(c: number): void {
    if (this.text.charCodeAt(this.at) !== c) throw new NotJson(`expected ${String.fromCharCode(c)}`);
    this.at++;
  }

  private skipSpace(): void {
    while (isSpace(this.text.charCodeAt(this.at))) this.at++;
  }
}

function holdsLiteral(value: Json): boolean {
  return value !== null && typeof value === "object" && (value instanceof JsonNumber || value instanceof DuplicateKeys || HOLDS_LITERAL in value);
}

function markHoldsLiteral(container: object): void {
  (container as { [HOLDS_LITERAL]?: true })[HOLDS_LITERAL] = true;
}

/** Whether a number literal and a double's shortest form denote the same decimal (`1.50` and 1.5 do; `1e309` and Infinity do not). */
function sameDecimal(literal: string, value: number): boolean {
  if (!Number.isFinite(value)) return false;
  return decimalKey(literal) === decimalKey(String(value));
}

/** A decimal as sign, significant digits and exponent: `-0.0120e3` → `-12e1`. */
function decimalKey(text: string): string {
  const match = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!match) return text;
  const [, sign, whole = "", fraction = "", exponent = "0"] = match;
  let digits = whole + fraction;
  let shift = Number(exponent) - fraction.length;
  const leading = /^0*/.exec(digits)![0].length;
  digits = digits.slice(leading);
  if (digits.length === 0) return `${sign}0`;
  const trailing = /0*$/.exec(digits)![0].length;
  digits = digits.slice(0, digits.length - trailing);
  shift += trailing;
  return `${sign}${digits}e${shift}`;
}
