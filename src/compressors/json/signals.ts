import { bm25Scores } from "../../relevance/bm25.js";
import { compactJson, DuplicateKeys, isPlainObject, JsonNumber, Literal, type Json } from "./format.js";

/**
 * What makes an item of an array worth keeping. Two strengths:
 * - critical: error signals and exact query anchors; kept even beyond the budget (up to a cap);
 * - notable: query relevance, warnings, rare values, rare keys, numeric outliers; kept in order of
 *   score while the budget lasts, and counted by reason in the marker when they do not fit.
 */
export interface Notable {
  index: number;
  score: number;
  label: string;
}

export interface ArraySignals {
  /** index → reason, for items that must be kept. */
  critical: Map<number, string>;
  /** Ranked best first. */
  notable: Notable[];
  /** Per item, its value of the categorical field that best describes the array (`status=ok`). */
  categoryOf: (index: number) => string | undefined;
}

export interface QueryContext {
  text: string;
  /** Lower-cased exact anchors (UUIDs, quoted strings, ids with digits…). */
  anchors: string[];
}

/** Error words (group 1) and warning words (group 2), found in one pass over a value. */
const SIGNAL_WORDS =
  /\b(?:(errors?|exceptions?|fail|failed|failing|failures?|fatal|critical|crash(?:ed|es|ing)?|panic(?:ked)?|abort(?:ed)?|timeout|timed[ _]out|denied|rejected|refused|unauthori[sz]ed|forbidden|unavailable|oomkilled|crashloopbackoff|segfault|traceback|unhealthy)|(warn|warning|warnings|deprecated))\b/gi;
const ERROR_KEYS = /^(errors?|err|exceptions?|failures?|fault|stack_?trace|traceback|error_?message|error_?code)$/i;
const STATUS_KEYS = /^(status|state|level|log_?level|lvl|severity|result|outcome|conclusion|phase|health|health_?status)$/i;
const BAD_STATUS =
  /^(error|err|failed|failure|fail|fatal|critical|crit|crashed|crash|panic|emerg|emergency|alert|unhealthy|dead|down|killed|oomkilled|crashloopbackoff|timeout|timed_?out|rejected|denied|broken)$/i;
const FALSE_MEANS_FAILURE = /^(success|succeeded|ok|passed|healthy|ready)$/i;
const HTTP_STATUS_KEYS = /(^|_)(status|status_?code|http_?status|response_?code)$/i;

const SCAN_DEPTH = 8;
const SCAN_STRING_CHARS = 4000;

/**
 * The word tests on keys and values, remembered for one array: its thousands of items repeat the
 * same keys and categorical values, and a regex test costs more than a look-up.
 */
class SignalWords {
  /** Set by the error scan when it passed a warning word where `hasWarning` looks (reset per item by the caller). */
  warned = false;
  private readonly keys = new Map<string, number>();
  /** Global (it is searched with exec from lastIndex): one per instance. */
  private readonly words = new RegExp(SIGNAL_WORDS);
  private readonly values = new Map<string, number>();

  static readonly ERROR_KEY = 1;
  static readonly STATUS_KEY = 2;
  static readonly FALSE_MEANS_FAILURE = 4;
  static readonly HTTP_STATUS_KEY = 8;
  static readonly ERROR_TEXT = 1;
  static readonly WARNING_TEXT = 2;
  static readonly BAD_STATUS = 4;

  key(key: string): number {
    let flags = this.keys.get(key);
    if (flags === undefined) {
      flags =
        (ERROR_KEYS.test(key) ? SignalWords.ERROR_KEY : 0) |
        (STATUS_KEYS.test(key) ? SignalWords.STATUS_KEY : 0) |
        (FALSE_MEANS_FAILURE.test(key) ? SignalWords.FALSE_MEANS_FAILURE : 0) |
        (HTTP_STATUS_KEYS.test(key) ? SignalWords.HTTP_STATUS_KEY : 0);
      this.keys.set(key, flags);
    }
    return flags;
  }

  /** Whether a value has error words (ERROR_TEXT), warning words (WARNING_TEXT), or is a bad status. */
  value(value: string): number {
    if (!mayHoldSignalWord(value)) return 0;
    if (value.length > MAX_REMEMBERED_VALUE) return this.test(value);
    let flags = this.values.get(value);
    if (flags === undefined) {
      flags = this.test(value);
      if (this.values.size < MAX_REMEMBERED_VALUES) this.values.set(value, flags);
    }
    return flags;
  }

  private test(value: string): number {
    const head = value.length > SCAN_STRING_CHARS ? value.slice(0, SCAN_STRING_CHARS) : value;
    const words = this.words;
    let flags = 0;
    words.lastIndex = 0;
    for (let match = words.exec(head); match; match = words.exec(head)) {
      flags |= match[1] !== undefined ? SignalWords.ERROR_TEXT : SignalWords.WARNING_TEXT;
      if (flags === (SignalWords.ERROR_TEXT | SignalWords.WARNING_TEXT)) break;
    }
    const trimmed = value.trim();
    if (trimmed.length <= LONGEST_BAD_STATUS && BAD_STATUS.test(trimmed)) flags |= SignalWords.BAD_STATUS;
    return flags;
  }
}

const LONGEST_BAD_STATUS = 16;

/**
 * Whether a value could hold an error, warning or bad-status word: every such word is a run of
 * 3+ letters with a letter outside a–f, except the status "dead". Ids, hashes, UUIDs and
 * timestamps — most of the unique values of a large array — fail this at once, before the
 * regular expressions and the cache (which they would only fill).
 */
function mayHoldSignalWord(value: string): boolean {
  let run = 0;
  let beyondHex = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i) | 0x20; // lower case for letters
    if (c >= 0x61 && c <= 0x7a) {
      run++;
      if (c > 0x66) beyondHex = true;
      if (run >= 3 && beyondHex) return true;
    } else {
      run = 0;
      beyondHex = false;
    }
  }
  return value.length <= 12 && /^\s*dead\s*$/i.test(value);
}

/** Longer values are rarely repeated: hashing them for a look-up costs about what the test does. */
const MAX_REMEMBERED_VALUE = 80;
const MAX_REMEMBERED_VALUES = 20_000;

/** First error signal found in an item, as a short reason, or undefined. */
function errorSignal(item: Json, skipKeys: ReadonlySet<string>, words: SignalWords): string | undefined {
  if (typeof item === "string") {
    const flags = words.value(item);
    if (flags & SignalWords.WARNING_TEXT) words.warned = true;
    return flags & SignalWords.ERROR_TEXT ? "error text" : undefined;
  }
  if (item === null || typeof item !== "object" || item instanceof JsonNumber) return undefined;
  return scanForError(item, 0, skipKeys, words);
}

function scanForError(node: Json, depth: number, skipKeys: ReadonlySet<string>, words: SignalWords): string | undefined {
  if (depth > SCAN_DEPTH) return undefined;
  if (Array.isArray(node)) {
    for (const child of node) {
      const found = scanValue(child, depth, words);
      if (found) return found;
    }
    return undefined;
  }
  if (node instanceof DuplicateKeys) {
    // every value of a repeated key counts: `"status":"ok","status":"failed"` is a failure
    for (const [key, value] of node.entries) {
      const found = scanEntry(key, value, depth, skipKeys, words);
      if (found) return found;
    }
    return undefined;
  }
  if (!isPlainObject(node)) return undefined;
  for (const key in node) {
    const found = scanEntry(key, node[key]!, depth, skipKeys, words, depth === 0);
    if (found) return found;
  }
  return undefined;
}

/** `noteWarnings`: a top-level field of an object item, whose warning words count (see `analyseArray`). */
function scanEntry(key: string, value: Json, depth: number, skipKeys: ReadonlySet<string>, words: SignalWords, noteWarnings = false): string | undefined {
  if (depth === 0 && skipKeys.has(key)) return undefined;
  const kind = words.key(key);
  if (kind & SignalWords.ERROR_KEY && isTruthy(value)) return `${key} present`;
  if (typeof value === "string") {
    const flags = words.value(value);
    if (noteWarnings && flags & SignalWords.WARNING_TEXT) words.warned = true;
    if (kind & SignalWords.STATUS_KEY && flags & SignalWords.BAD_STATUS) return `${key}=${value}`;
    if (flags & SignalWords.ERROR_TEXT) return "error text";
  } else if (typeof value === "boolean") {
    if (value === false && kind & SignalWords.FALSE_MEANS_FAILURE) return `${key}=false`;
  } else if (typeof value === "number") {
    if (kind & SignalWords.HTTP_STATUS_KEY && Number.isInteger(value) && value >= 500 && value <= 599) return `${key}=${value}`;
  } else if (value !== null) {
    return scanForError(value, depth + 1, skipKeys, words);
  }
  return undefined;
}

const NO_KEYS: ReadonlySet<string> = new Set();

function scanValue(value: Json, depth: number, words: SignalWords): string | undefined {
  if (typeof value === "string") return words.value(value) & SignalWords.ERROR_TEXT ? "error text" : undefined;
  if (value !== null && typeof value === "object") return scanForError(value, depth + 1, NO_KEYS, words);
  return undefined;
}

function isTruthy(value: Json): boolean {
  if (value === null || value === false || value === 0 || value === "") return false;
  if (value instanceof JsonNumber) return Number(value.text) !== 0;
  if (Array.isArray(value)) return value.length > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  return true;
}

function hasWarning(item: Json, skipKeys: ReadonlySet<string>, words: SignalWords): boolean {
  if (typeof item === "string") return (words.value(item) & SignalWords.WARNING_TEXT) !== 0;
  if (!isPlainObject(item)) return false;
  for (const key in item) {
    if (skipKeys.has(key)) continue;
    const value = item[key];
    if (typeof value === "string" && words.value(value) & SignalWords.WARNING_TEXT) return true;
  }
  return false;
}

const MIN_ITEMS_FOR_STATISTICS = 8;
const OUTLIER_SIGMA = 2;
const MAX_CATEGORY_VALUES = 50;
const RARE_SHARE = 0.05;
/** Up to this many items matching an exact query anchor are always kept. */
const MAX_IDENTIFIED = 20;
/** If one critical reason covers more than this share of the items it is the norm, not a signal. */
const NORM_SHARE = 0.5;

/**
 * Analyses an array. `texts` are the items' compact JSON when the caller has them (a query needs
 * them; they are made here otherwise) and `constantKeys` are fields equal in every item (factored out, so they carry
 * no signal).
 */
export function analyseArray(
  items: readonly Json[],
  texts: readonly string[] | undefined,
  constantKeys: ReadonlySet<string>,
  query: QueryContext | undefined,
): ArraySignals {
  const n = items.length;
  const critical = new Map<number, string>();
  const notable: Notable[] = [];

  const words = new SignalWords();
  const reasons = new Map<number, string>();
  const reasonCounts = new Map<string, number>();
  // an item the error scan went all the way through has had its warnings noted on the way
  const warned = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    words.warned = false;
    const reason = errorSignal(items[i]!, constantKeys, words);
    if (words.warned && !reason) warned[i] = 1;
    if (reason) {
      reasons.set(i, reason);
      reasonCounts.set(reason, (reasonCounts.get(reason) ?? 0) + 1);
    }
  }
  for (const [i, reason] of reasons) {
    // "error text" matching half of all items (say every log line says "no errors") is not a
    // signal; structured reasons (`status=failed`, `error present`) always are.
    if (reason === "error text" && n >= MIN_ITEMS_FOR_STATISTICS && reasonCounts.get(reason)! > n * NORM_SHARE) {
      notable.push({ index: i, score: 2.4, label: "error text" });
    } else {
      critical.set(i, reason);
    }
  }

  if (query) addQuerySignals(texts ?? items.map(compactJson), query, critical, notable);

  for (let i = 0; i < n; i++) {
    if (critical.has(i)) continue;
    // a scan that stopped at an error (a demoted "error text") did not see every field
    if (reasons.has(i) ? hasWarning(items[i]!, constantKeys, words) : warned[i] === 1) notable.push({ index: i, score: 2.5, label: "warnings" });
  }

  let categoryLabels: Array<string | undefined> = [];
  if (n >= MIN_ITEMS_FOR_STATISTICS && items.every(isPlainObject)) {
    const objects = items as ReadonlyArray<{ [key: string]: Json }>;
    categoryLabels = addFieldSignals(objects, constantKeys, notable);
  } else if (n >= MIN_ITEMS_FOR_STATISTICS) {
    addScalarSignals(items, notable);
  }

  notable.sort((a, b) => b.score - a.score || a.index - b.index);
  return { critical, notable, categoryOf: (i) => categoryLabels[i] };
}

function addQuerySignals(texts: readonly string[], query: QueryContext, critical: Map<number, string>, notable: Notable[]): void {
  if (query.anchors.length > 0) {
    const matches: number[] = [];
    texts.forEach((text, i) => {
      const lower = text.toLowerCase();
      if (!critical.has(i) && query.anchors.some((a) => lower.includes(a))) matches.push(i);
    });
    // an "id" that a large share of the items contain does not identify anything: rank it instead
    const identifying = matches.length <= Math.max(MAX_IDENTIFIED, texts.length * RARE_SHARE);
    for (const i of matches) {
      if (identifying) critical.set(i, "query match");
      else notable.push({ index: i, score: 3.9, label: "query match" });
    }
  }
  const scores = bm25Scores(texts, query.text);
  let max = 0;
  for (const s of scores) if (s > max) max = s;
  if (max <= 0) return;
  scores.forEach((s, i) => {
    if (s >= 0.35 * max && !critical.has(i)) notable.push({ index: i, score: 3 + s / max, label: "query relevant" });
  });
}

interface FieldStats {
  present: number;
  /** Multi-valued (inside an array): no numeric statistics, no category field. */
  multi: boolean;
  numeric: number[];
  numericIndex: number[];
  categories: Map<string, number[]>;
  tooManyCategories: boolean;
  /** Last item counted in `present` (items are visited in order). */
  lastItem: number;
}

const WALK_DEPTH = 5;
const WALK_ARRAY_ELEMENTS = 20;

/** A field of the items, by path (`status.phase`, `labels[].name`), made once per array: a tree, so each leaf of each item costs one look-up by key. */
class FieldNode {
  private children: Map<string, FieldNode> | undefined;
  private elements: FieldNode | undefined;
  /** Shared by every node with this path (a key "a.b" and a key b under a). */
  stats: FieldStats | undefined;

  constructor(readonly path: string) {}

  child(key: string): FieldNode {
    this.children ??= new Map();
    let node = this.children.get(key);
    if (!node) {
      node = new FieldNode(this.path === "" ? key : `${this.path}.${key}`);
      this.children.set(key, node);
    }
    return node;
  }

  /** The field of this array's elements. */
  element(): FieldNode {
    return (this.elements ??= new FieldNode(`${this.path}[]`));
  }
}

/**
 * Gathers each field's statistics over the items: how many items have it, its numbers, its
 * values (while they are few enough to be categories). Each distinct (path, value) pair of an
 * item is counted once, so a multi-valued field counts items, not occurrences.
 */
class FieldStatistics {
  /** In the order the fields were first met: ties between fields go to the first. */
  readonly byPath = new Map<string, FieldStats>();
  private readonly root = new FieldNode("");
  private item = 0;
  /** (path, value) pairs of the current item seen inside arrays. */
  private seen: Set<string> | undefined;

  constructor(private readonly skipKeys: ReadonlySet<string>) {}

  add(item: { [key: string]: Json }, index: number): void {
    this.item = index;
    this.seen = undefined;
    this.walk(item, this.root, 0, false);
  }

  private walk(node: Json, field: FieldNode, depth: number, multi: boolean): void {
    if (Array.isArray(node)) {
      if (depth >= WALK_DEPTH) return;
      if (node.length === 0) this.leaf(field, "[]", multi);
      const end = Math.min(node.length, WALK_ARRAY_ELEMENTS);
      const elements = field.element();
      for (let i = 0; i < end; i++) this.walk(node[i]!, elements, depth + 1, true);
      return;
    }
    if (node !== null && typeof node === "object" && !(node instanceof Literal)) {
      if (depth >= WALK_DEPTH) return;
      for (const key in node) {
        if (depth === 0 && this.skipKeys.has(key)) continue;
        this.walk(node[key]!, field.child(key), depth + 1, multi);
      }
      return;
    }
    this.leaf(field, node, multi);
  }

  private leaf(field: FieldNode, value: Json, multi: boolean): void {
    // outside arrays a path occurs once per item; inside them the same (path, value) may repeat
    if (multi) {
      const id = `${field.path}\u0000${typeof value === "string" ? value : compactJson(value)}`;
      this.seen ??= new Set();
      if (this.seen.has(id)) return;
      this.seen.add(id);
    }
    let stats = field.stats;
    if (!stats) {
      stats = this.byPath.get(field.path);
      if (!stats) {
        stats = { present: 0, multi, numeric: [], numericIndex: [], categories: new Map(), tooManyCategories: false, lastItem: -1 };
        this.byPath.set(field.path, stats);
      }
      field.stats = stats;
    }
    const i = this.item;
    if (stats.lastItem !== i) {
      stats.lastItem = i;
      stats.present++;
    }
    if (!multi && typeof value === "number" && Number.isFinite(value)) {
      stats.numeric.push(value);
      stats.numericIndex.push(i);
    }
    if (!stats.tooManyCategories) {
      const label = typeof value === "string" ? value : value !== null && typeof value === "object" ? compactJson(value) : String(value);
      if (label.length <= 80) {
        const list = stats.categories.get(label);
        if (list) list.push(i);
        else if (stats.categories.size >= MAX_CATEGORY_VALUES) stats.tooManyCategories = true;
        else stats.categories.set(label, [i]);
      }
    }
  }
}

/** Adds rare-value, rare-key and outlier signals; returns each item's category label. */
function addFieldSignals(
  items: ReadonlyArray<{ [key: string]: Json }>,
  constantKeys: ReadonlySet<string>,
  notable: Notable[],
): Array<string | undefined> {
  const n = items.length;
  const statistics = new FieldStatistics(constantKeys);
  for (let i = 0; i < n; i++) statistics.add(items[i]!, i);
  const fields = statistics.byPath;

  const rareCount = Math.max(1, Math.floor(n * RARE_SHARE));
  let categoryField: string | undefined;
  let categoryRank = Infinity;
  const rareKeyItems = new Map<number, string>();

  for (const [path, stats] of fields) {
    // rare keys: a field only a few items have (reported once per item, the shallowest path)
    if (stats.present <= rareCount && stats.present < n) {
      for (const indices of stats.categories.values()) {
        for (const i of indices) if (!rareKeyItems.has(i)) rareKeyItems.set(i, path);
      }
      continue;
    }
    const categorical =
      !stats.tooManyCategories && stats.categories.size >= 2 && stats.categories.size <= Math.max(2, n / 4) && stats.present >= n * 0.5;
    if (categorical) {
      for (const [value, indices] of rareCategories(stats.categories, stats.present, rareCount)) {
        for (const i of indices) notable.push({ index: i, score: 2 + (1 - indices.length / n) * 0.5, label: `rare ${path}=${value}` });
      }
      if (!stats.multi && stats.present >= n * 0.9 && stats.categories.size <= 12) {
        const leaf = path.slice(path.lastIndexOf(".") + 1);
        const rank = (STATUS_KEYS.test(leaf) || /^(type|kind|category)$/i.test(leaf) ? 0 : 1) * 1000 + path.split(".").length * 100 + stats.categories.size;
        if (rank < categoryRank) {
          categoryRank = rank;
          categoryField = path;
        }
      }
    }
    if (!stats.multi && stats.numeric.length >= MIN_ITEMS_FOR_STATISTICS && stats.numeric.length >= stats.present * 0.8) {
      addOutliers(stats.numeric, stats.numericIndex, `outlier ${path}`, notable);
    }
  }
  for (const [i, path] of rareKeyItems) notable.push({ index: i, score: 2.3, label: `rare key ${path}` });
  const labels = new Array<string | undefined>(n);
  if (categoryField !== undefined) {
    for (const [value, indices] of fields.get(categoryField)!.categories) {
      const label = `${categoryField}=${value}`;
      for (const i of indices) labels[i] = label;
    }
  }
  return labels;
}

/**
 * Pareto rule: the most frequent values that together cover 80% of the items are the norm; if
 * five or fewer values do that, the remaining values that occur at most `rareCount` times are rare.
 * (Twenty evenly spread values have no norm, so none of them is rare.)
 */
function rareCategories(categories: Map<string, number[]>, present: number, rareCount: number): Array<[string, number[]]> {
  const byCount = [...categories].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1));
  let covered = 0;
  let normSize = 0;
  while (normSize < byCount.length && covered < present * 0.8) covered += byCount[normSize++]![1].length;
  if (normSize > 5) return [];
  return byCount.slice(normSize).filter(([, indices]) => indices.length <= rareCount);
}

function addScalarSignals(items: readonly Json[], notable: Notable[]): void {
  const numeric: number[] = [];
  const index: number[] = [];
  const lengths: number[] = [];
  const lengthIndex: number[] = [];
  items.forEach((item, i) => {
    if (typeof item === "number" && Number.isFinite(item)) {
      numeric.push(item);
      index.push(i);
    } else if (typeof item === "string") {
      lengths.push(item.length);
      lengthIndex.push(i);
    }
  });
  if (numeric.length >= MIN_ITEMS_FOR_STATISTICS) addOutliers(numeric, index, "outlier value", notable);
  if (lengths.length >= MIN_ITEMS_FOR_STATISTICS) addOutliers(lengths, lengthIndex, "unusual length", notable);
  // rare types in mixed arrays
  const byType = new Map<string, number[]>();
  items.forEach((item, i) => {
    const type = item === null ? "null" : Array.isArray(item) ? "array" : item instanceof JsonNumber ? "number" : typeof item;
    const list = byType.get(type);
    if (list) list.push(i);
    else byType.set(type, [i]);
  });
  if (byType.size > 1) {
    for (const [type, indices] of byType) {
      if (indices.length <= items.length * 0.2) for (const i of indices) notable.push({ index: i, score: 2.2, label: `rare type ${type}` });
    }
  }
}

function addOutliers(values: readonly number[], indices: readonly number[], label: string, notable: Notable[]): void {
  const { mean, std } = meanAndStd(values);
  if (std === 0) return;
  values.forEach((v, k) => {
    const z = Math.abs(v - mean) / std;
    if (z > OUTLIER_SIGMA) notable.push({ index: indices[k]!, score: 2 + Math.min(1, (z - OUTLIER_SIGMA) / 8) * 0.4, label });
  });
}

export function meanAndStd(values: readonly number[]): { mean: number; std: number } {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let sq = 0;
  for (const v of values) sq += (v - mean) * (v - mean);
  return { mean, std: Math.sqrt(sq / values.length) };
}
