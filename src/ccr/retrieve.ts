import { childPath, compactJson, DuplicateKeys, isPlainObject, type Json } from "../compressors/json/format.js";
import { readJson } from "../compressors/json/parse.js";
import { bm25Scores, rankByScore } from "../relevance/bm25.js";
import { exactAnchors } from "../relevance/terms.js";

/**
 * Reading an original back: by page (no query) or by the units that match a query. A unit is
 * an element of a JSON array (or an entry of a JSON object without arrays) or a line of text.
 */
/**
 * A page of an original is bounded by tokens, not characters: hosts cap a tool result in tokens
 * (Claude Code at 25,000), and 60,000 characters of hex-heavy text are 33,000 of them.
 */
export const DEFAULT_PAGE_TOKENS = 20_000;
export const MAX_PAGE_TOKENS = 1_000_000;
export const DEFAULT_MATCH_LIMIT = 50;

/** Counts the tokens of a text (the engine's one token counter). */
export type Measure = (text: string) => number;

export interface Page {
  content: string;
  offset: number;
  next_offset: number | null;
  total_chars: number;
  page: number;
  pages: number;
}

/**
 * Pages hold at most `limit` tokens and are cut at a line break when one falls in the last half
 * of the page, so lines are not split; otherwise (minified JSON) where the tokens run out. Page
 * numbers follow the same walk (`starts`, which a caller may keep for the next page).
 */
export function pageOf(original: string, offset: number, limit: number, measure: Measure, starts = pageStarts(original, limit, measure)): Page {
  let start = Math.min(Math.max(0, offset), original.length);
  // an offset between the two halves of a surrogate pair starts at the pair
  const code = original.charCodeAt(start);
  if (start > 0 && code >= 0xdc00 && code <= 0xdfff) start--;
  const end = pageEnd(original, start, limit, measure);
  let page = starts.findIndex((s) => s > start);
  page = page === -1 ? starts.length : page;
  return {
    content: original.slice(start, end),
    offset: start,
    next_offset: end < original.length ? end : null,
    total_chars: original.length,
    page,
    pages: starts.length,
  };
}

/** A first guess of a page's length in characters; the count then shrinks it until it fits. */
const CHARS_PER_TOKEN_GUESS = 4;

/** Where a page that starts at `start` and holds at most `limit` tokens ends. */
export function pageEnd(text: string, start: number, limit: number, measure: Measure): number {
  let end = Math.min(text.length, start + limit * CHARS_PER_TOKEN_GUESS);
  let tokens = measure(text.slice(start, end));
  for (let tries = 0; tokens > limit && tries < 12; tries++) {
    end = start + Math.max(1, Math.floor((end - start) * (limit / tokens) * 0.98));
    tokens = measure(text.slice(start, end));
  }
  if (end >= text.length) return text.length;
  // never between the two halves of a surrogate pair
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff && end - 1 > start) end--;
  const newline = text.lastIndexOf("\n", end - 1);
  return newline >= start + (end - start) / 2 ? newline + 1 : end;
}

export function pageStarts(text: string, limit: number, measure: Measure): number[] {
  const starts = [0];
  let at = 0;
  while (true) {
    const end = pageEnd(text, at, limit, measure);
    if (end >= text.length) return starts;
    starts.push(end);
    at = end;
  }
}

export interface Unit {
  location: string;
  text: string;
}

export interface Match extends Unit {
  exact: boolean;
}

export interface QueryResult {
  unit: "items" | "lines";
  total_units: number;
  matches: Match[];
  /** Matches beyond the limit or the page size. */
  more: number;
}

/** Splits an original into units and returns those matching the query, exact matches first, then BM25. */
export function queryOriginal(original: string, query: string, limit: number, maxTokens: number, measure: Measure): QueryResult {
  const json = parseJson(original);
  const { units, unit } = json === undefined ? { units: lineUnits(original), unit: "lines" as const } : { units: jsonUnits(json), unit: "items" as const };

  const ordered: Match[] = [];
  const taken = new Set<number>();
  const take = (i: number, exact: boolean) => {
    if (taken.has(i)) return;
    taken.add(i);
    ordered.push({ ...units[i]!, exact });
  };

  if (json !== undefined) {
    const byPath = resolvePath(json, query.trim());
    // a path names one value: the objects that merely contain its keys are not matches
    if (byPath !== undefined) return { unit, total_units: units.length, matches: [{ location: byPath.location, text: compactJson(byPath.value), exact: true }], more: 0 };
  }
  const needle = query.trim().toLowerCase();
  const anchors = exactAnchors(query);
  const lowered = units.map((u) => u.text.toLowerCase());
  if (needle.length >= 2) lowered.forEach((text, i) => text.includes(needle) && take(i, true));
  if (anchors.length > 0) lowered.forEach((text, i) => anchors.some((a) => text.includes(a)) && take(i, true));
  // a query that names something exact (`test_square[137]`, an id) and found it wants that, not
  // every line that shares a word with it
  const exactFound = ordered.length > 0 && (anchors.length > 0 || !/\s/.test(needle));
  if (!exactFound) for (const i of rankByScore(bm25Scores(lowered, query))) take(i, false);

  const matches: Match[] = [];
  let tokens = 0;
  for (const m of ordered) {
    if (matches.length >= limit) break;
    const cost = measure(`${m.location}: ${m.text}\n`);
    if (matches.length > 0 && tokens + cost > maxTokens) break;
    matches.push(m);
    tokens += cost;
  }
  return { unit, total_units: units.length, matches, more: ordered.length - matches.length };
}

function parseJson(text: string): Json | undefined {
  const first = text.trimStart()[0];
  if (first !== "{" && first !== "[") return undefined;
  try {
    return readJson(text);
  } catch {
    return undefined;
  }
}

function lineUnits(text: string): Unit[] {
  return text.split("\n").map((line, i) => ({ location: `${i + 1}`, text: line }));
}

const SPLIT_LARGE_ELEMENT = 4096;

/**
 * Elements of arrays are the units; a large element that itself holds arrays is split further,
 * so a query finds the pod, not the whole list. An object with no arrays yields its entries.
 */
function jsonUnits(root: Json): Unit[] {
  const units: Unit[] = [];
  const visit = (node: Json, path: string, depth: number): void => {
    if (depth > 32) {
      units.push({ location: path, text: compactJson(node) });
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((element, i) => {
        const text = compactJson(element);
        const at = childPath(path, i);
        if (text.length > SPLIT_LARGE_ELEMENT && containsArray(element)) visit(element, at, depth + 1);
        else units.push({ location: at, text });
      });
    } else if (isPlainObject(node)) {
      for (const [key, value] of Object.entries(node)) {
        const at = childPath(path, key);
        if (value !== null && typeof value === "object" && containsArray(value)) visit(value, at, depth + 1);
        else units.push({ location: at, text: compactJson(value) });
      }
    } else {
      units.push({ location: path, text: compactJson(node) });
    }
  };
  visit(root, "$", 0);
  return units;
}

/** The value of `key` in an object; for an object with that key repeated, each value in turn is not one value, so none. */
function valueOfKey(node: Json, key: string): Json | undefined {
  if (node instanceof DuplicateKeys) {
    const values = node.entries.filter(([k]) => k === key);
    return values.length === 1 ? values[0]![1] : undefined;
  }
  return isPlainObject(node) && Object.hasOwn(node, key) ? node[key] : undefined;
}

function containsArray(node: Json): boolean {
  if (Array.isArray(node)) return true;
  if (isPlainObject(node)) return Object.values(node).some((v) => v !== null && typeof v === "object" && containsArray(v));
  return false;
}

const PATH_STEP = /^(?:\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\])/;

/** Resolves `$.items[3].name`, `items[3]` or `[3]` against a document; undefined if not a path. */
function resolvePath(root: Json, query: string): { location: string; value: Json } | undefined {
  let rest = query.startsWith("$") ? query.slice(1) : query.startsWith("[") ? query : `.${query}`;
  if (rest.length === 0 || !/^[.[]/.test(rest)) return undefined;
  let node: Json = root;
  let location = "$";
  while (rest.length > 0) {
    const step = PATH_STEP.exec(rest);
    if (!step) return undefined;
    rest = rest.slice(step[0].length);
    if (step[2] !== undefined) {
      const index = Number(step[2]);
      if (!Array.isArray(node) || index >= node.length) return undefined;
      node = node[index]!;
      location = childPath(location, index);
    } else {
      const key = step[1] ?? (JSON.parse(step[3]!) as string);
      const value = valueOfKey(node, key);
      if (value === undefined) return undefined;
      node = value;
      location = childPath(location, key);
    }
  }
  return { location, value: node };
}
