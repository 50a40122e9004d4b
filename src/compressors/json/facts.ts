import { analyseArray, type ArraySignals, type QueryContext } from "./signals.js";
import type { Selection } from "./select.js";
import { compactJson, DuplicateKeys, formatKey, formatScalar, isPlainObject, isScalar, Literal, type Json } from "./format.js";

/**
 * Facts about a document that do not depend on the budget — sizes, table shapes, constant fields,
 * rendered rows, item signals — computed once per compression and shared by every render attempt
 * (the lossless one and each lossy retry).
 */
export type Row = { [key: string]: Json };

const MAX_TABLE_COLUMNS = 40;
const MAX_TABLE_CELL = 160;

export interface ArrayFacts {
  objects: boolean;
  scalars: boolean;
  numbers: boolean;
  strings: boolean;
  table: TableShape | undefined;
  /** Largest sub-values (reached through objects) equal in every item of 3+ objects. */
  constants: ConstantPath[];
}

export interface ConstantPath {
  path: string[];
  value: Json;
}

export interface SelectionFacts {
  /** For each item, the index of the first item identical to it (itself if none). */
  firstOf: Int32Array;
  signals: ArraySignals;
  constantKeys: ReadonlySet<string>;
}

export class DocumentFacts {
  // Maps, not WeakMaps: the facts live exactly as long as one compression of one document, and
  // a Map is several times faster for the ~100,000 objects of a large one.
  private readonly sizes = new Map<object, number>();
  private readonly arrays = new WeakMap<Json[], ArrayFacts>();
  private readonly rowCache = new WeakMap<Json[], Array<string | undefined>>();
  private readonly selections = new WeakMap<Json[], SelectionFacts>();
  private readonly trimmedItems = new WeakMap<Json[], Array<Json | undefined>>();
  private readonly constantSizes = new WeakMap<Json[], number>();
  private readonly itemSizeCache = new Map<Json[], Float64Array>();
  private readonly choices = new Map<SelectionFacts, Map<string, Selection>>();
  /** Arrays analysed so far, by a digest of their items. */
  private readonly analysedArrays = new Map<number, Json[][]>();

  constructor(readonly query: QueryContext | undefined) {}

  /** Approximate rendered size (compact JSON length), memoised per object. */
  size(value: Json): number {
    if (value === null) return 4;
    switch (typeof value) {
      case "string":
        return value.length + 2;
      case "number":
        return numberLength(value);
      case "boolean":
        return value ? 4 : 5;
    }
    if (value instanceof Literal) return value.text.length;
    const cached = this.sizes.get(value);
    if (cached !== undefined) return cached;
    let total = 2;
    let nested = false;
    if (Array.isArray(value)) {
      const sizes = this.itemSizes(value);
      for (let i = 0; i < sizes.length; i++) total += sizes[i]! + 1;
      nested = true; // its items' sizes are kept with it
    } else {
      for (const key in value) {
        const child = value[key]!;
        total += key.length + 4 + this.size(child);
        nested ||= child !== null && typeof child === "object";
      }
    }
    // a container of scalars is summed again faster than a Map remembers it (a Map key needs an
    // identity hash, which a fresh object has to grow a field for)
    if (nested) this.sizes.set(value, total);
    return total;
  }

  /**
   * A lower bound on the length of the lossless outline of `value`: the characters of the values
   * it must show. Constants of an array are shown once, other values once per item; arrays
   * inside array items are bounded without their facts (everything but the smallest item's share
   * counted once per item), which stays below whatever they factor out.
   */
  outlineLowerBound(value: Json): number {
    if (value === null || typeof value !== "object" || value instanceof Literal) return leafChars(value);
    if (Array.isArray(value)) {
      const facts = value.length >= 3 ? this.array(value) : undefined;
      if (!facts?.objects) return leafChars(value);
      let total = 0;
      for (const item of value) total += leafChars(item);
      let shared = 0;
      if (facts.table) for (const [, constant] of facts.table.constants) shared += leafChars(constant);
      else for (const constant of facts.constants) shared += leafChars(constant.value);
      return total - (value.length - 1) * shared;
    }
    let total = 0;
    for (const key in value) total += this.outlineLowerBound(value[key]!);
    return total;
  }

  /** `size` of each item of an array, computed once: selection, sizing and duplicate checks all ask per item. */
  itemSizes(items: Json[]): Float64Array {
    let sizes = this.itemSizeCache.get(items);
    if (!sizes) {
      sizes = new Float64Array(items.length);
      for (let i = 0; i < items.length; i++) sizes[i] = this.size(items[i]!);
      this.itemSizeCache.set(items, sizes);
    }
    return sizes;
  }

  array(items: Json[]): ArrayFacts {
    let facts = this.arrays.get(items);
    if (!facts) {
      const objects = items.every(isPlainObject);
      const scalars = !objects && items.every(isScalar);
      facts = {
        objects,
        scalars,
        numbers: scalars && items.every((v) => typeof v === "number"),
        strings: scalars && items.every((v) => typeof v === "string"),
        table: objects ? tableShape(items as Row[], (value) => this.size(value)) : undefined,
        constants: objects && items.length >= 3 ? constantPaths(items as Row[]) : [],
      };
      this.arrays.set(items, facts);
    }
    return facts;
  }

  /** Row `index` of an array that renders as a table (cells joined by commas), made when first asked for. */
  row(items: Json[], table: TableShape, index: number): string {
    let rows = this.rowCache.get(items);
    if (!rows) {
      rows = new Array<string | undefined>(items.length);
      this.rowCache.set(items, rows);
    }
    return (rows[index] ??= tableRow(items[index] as Row, table.columns));
  }

  /**
   * About the length of `row(items, table, index)` without building it: strings counted bare
   * (the budget loop corrects for the quotes of the few that are not).
   */
  rowSize(items: Json[], table: TableShape, index: number): number {
    const item = items[index] as Row;
    let total = table.columns.length - 1;
    for (const column of table.columns) {
      const value = cell(item, column);
      if (value !== undefined) total += typeof value === "string" ? value.length : this.size(value);
    }
    return total;
  }

  /**
   * Item `index` without its constant paths (what a list shows under the constants note), made
   * when first asked for: a cut array shows a few dozen of its thousands of items.
   */
  trimmedItem(items: Json[], index: number): Json {
    const { constants } = this.array(items);
    if (constants.length === 0) return items[index]!;
    let trimmed = this.trimmedItems.get(items);
    if (!trimmed) {
      trimmed = new Array<Json | undefined>(items.length);
      this.trimmedItems.set(items, trimmed);
    }
    return (trimmed[index] ??= withoutPaths(items[index]!, constants));
  }

  /**
   * `size` of `trimmedItem(items, index)` without building it: every item holds every constant
   * path (that is what makes it constant) and the paths are disjoint, so each removes exactly
   * its key and value from the item's size.
   */
  trimmedSize(items: Json[], index: number): number {
    let removed = this.constantSizes.get(items);
    if (removed === undefined) {
      removed = 0;
      for (const { path, value } of this.array(items).constants) removed += path[path.length - 1]!.length + 4 + this.size(value);
      this.constantSizes.set(items, removed);
    }
    return this.itemSizes(items)[index]! - removed;
  }

  selection(items: Json[]): SelectionFacts {
    let facts = this.selections.get(items);
    if (facts) return facts;
    // Documents repeat whole arrays (the same 740 instance types under each of 39 regions): an
    // array equal to one analysed already shares its analysis, which depends on nothing else.
    const buckets = this.itemBuckets(items);
    let print = Math.imul(items.length, 0x9e3779b1);
    for (let i = 0; i < buckets.length; i++) print = Math.imul(print ^ buckets[i]!, 0x01000193);
    const twins = this.analysedArrays.get(print);
    const twin = twins?.find((other) => other.length === items.length && deepEqual(other, items));
    if (twin) {
      facts = this.selections.get(twin)!;
    } else {
      const constantKeys = new Set(this.array(items).constants.filter((c) => c.path.length === 1).map((c) => c.path[0]!));
      // compact JSON of every item only when a query needs the text; identical items have equal sizes
      const texts = this.query ? items.map(compactJson) : undefined;
      const firstOf = texts ? firstOccurrences(texts) : this.firstIdentical(items, buckets);
      facts = { firstOf, signals: analyseArray(items, texts, constantKeys, this.query), constantKeys };
      if (twins) twins.push(items);
      else this.analysedArrays.set(print, [items]);
    }
    this.selections.set(items, facts);
    return facts;
  }

  /** The items chosen from an analysed array for one budget, made once per (analysis, key). */
  remember(selection: SelectionFacts, key: string, choose: () => Selection): Selection {
    let chosen = this.choices.get(selection);
    if (!chosen) {
      chosen = new Map();
      this.choices.set(selection, chosen);
    }
    let made = chosen.get(key);
    if (!made) {
      made = choose();
      chosen.set(key, made);
    }
    return made;
  }

  /** Per item, its fingerprint and size combined: equal items have equal buckets. */
  private itemBuckets(items: Json[]): Int32Array {
    const sizes = this.itemSizes(items);
    const buckets = new Int32Array(items.length);
    for (let i = 0; i < items.length; i++) buckets[i] = (Math.imul(fingerprint(items[i]!, 0), 31) + sizes[i]!) | 0;
    return buckets;
  }

  /**
   * `firstOccurrences` of the items' compact JSON, without serialising them: identical items have
   * equal sizes and fingerprints, and items that share both are compared structurally, which
   * stops at their first difference. A bucket crowded with distinct items (they differ only
   * where the fingerprint does not look) falls back to comparing their JSON.
   */
  private firstIdentical(items: Json[], buckets: Int32Array): Int32Array {
    const out = new Int32Array(items.length);
    // bucket → its first item, in an open-addressing table (a Map of 20,000 numbers costs more
    // than everything else here); buckets holding several distinct items (rare) keep them all
    const slots = 1 << (32 - Math.clz32(items.length * 2 + 1));
    const bucketOf = new Int32Array(slots);
    const firstIn = new Int32Array(slots).fill(-1);
    let shared: Map<number, number[]> | undefined;
    let crowded: Map<number, Map<string, number>> | undefined;
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      const bucket = buckets[i]!;
      out[i] = i;
      let slot = bucket & (slots - 1);
      while (firstIn[slot]! >= 0 && bucketOf[slot] !== bucket) slot = (slot + 1) & (slots - 1);
      const first = firstIn[slot]!;
      if (first < 0) {
        bucketOf[slot] = bucket;
        firstIn[slot] = i;
        continue;
      }
      shared ??= new Map();
      let distinct = shared.get(bucket);
      if (!distinct) {
        distinct = [first];
        shared.set(bucket, distinct);
      }
      if (distinct.length < COMPARED_PER_BUCKET) {
        const same = distinct.find((j) => deepEqual(items[j]!, item));
        if (same === undefined) distinct.push(i);
        else out[i] = same;
        continue;
      }
      crowded ??= new Map();
      let byText = crowded.get(bucket);
      if (!byText) {
        byText = new Map(distinct.map((j) => [compactJson(items[j]!), j]));
        crowded.set(bucket, byText);
      }
      const text = compactJson(item);
      const same = byText.get(text);
      if (same === undefined) byText.set(text, i);
      else out[i] = same;
    }
    return out;
  }
}

/**
 * Characters of the scalar values in `value` that any outline of it shows at least once: strings
 * at their length (bare or longer), numbers and literals as written. An array's items may share
 * parts shown once, at most as much as its smallest item holds.
 */
function leafChars(value: Json): number {
  if (value === null) return 4;
  switch (typeof value) {
    case "string":
      return value.length;
    case "number":
      return numberLength(value);
    case "boolean":
      return value ? 4 : 5;
  }
  if (value instanceof DuplicateKeys) {
    let total = 0;
    for (const [, entry] of value.entries) total += leafChars(entry);
    return total;
  }
  if (value instanceof Literal) return value.text.length;
  if (Array.isArray(value)) {
    if (value.length === 0) return 0;
    let total = 0;
    let smallest = Infinity;
    for (const item of value) {
      const chars = leafChars(item);
      total += chars;
      if (chars < smallest) smallest = chars;
    }
    return total - (value.length - 1) * smallest;
  }
  let total = 0;
  for (const key in value) total += leafChars(value[key]!);
  return total;
}

/**
 * A cheap 32-bit digest of a value: its keys, numbers and booleans, and for each string its
 * length and a few of its characters. Equal values have equal fingerprints; most unequal ones not.
 */
function fingerprint(value: Json, depth: number): number {
  if (value === null) return 0x9e3779b9;
  switch (typeof value) {
    case "string": {
      const n = value.length;
      return n === 0 ? 0x7f4a7c15 : Math.imul(n ^ (value.charCodeAt(0) << 8) ^ (value.charCodeAt(n >> 1) << 16) ^ (value.charCodeAt(n - 1) << 24), 0x85ebca6b) ^ value.charCodeAt(n >> 2);
    }
    case "number":
      return Number.isInteger(value) ? Math.imul(value | 0, 0xc2b2ae35) ^ ((value / 4294967296) | 0) : Math.imul((value * 1e6) | 0, 0x27d4eb2f) ^ 0x165667b1;
    case "boolean":
      return value ? 0x5bd1e995 : 0x1b873593;
  }
  if (value instanceof Literal) return fingerprint(value.text, depth) ^ 0x7feb352d;
  if (depth > 8) return 0x2545f491;
  let hash = Array.isArray(value) ? 0x61c88647 : 0x3c6ef372;
  if (Array.isArray(value)) {
    for (const item of value) hash = Math.imul(hash ^ fingerprint(item, depth + 1), 0x01000193);
  } else {
    for (const key in value) hash = Math.imul(hash ^ fingerprint(key, depth + 1) ^ Math.imul(fingerprint(value[key]!, depth + 1), 3), 0x01000193);
  }
  return hash;
}

const COMPARED_PER_BUCKET = 16;

/** Equal as JSON texts (same keys in the same order, same values). */
function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (a instanceof Literal || b instanceof Literal) return a instanceof Literal && b instanceof Literal && a.text === b.text;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i]!, b[i]!)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  for (let i = 0; i < keysA.length; i++) {
    const key = keysA[i]!;
    if (key !== keysB[i] || !deepEqual(a[key]!, b[key]!)) return false;
  }
  return true;
}

/** Characters of a number in JSON, without building the string for the common case (an integer). */
function numberLength(value: number): number {
  if (Number.isSafeInteger(value)) {
    let length = value < 0 ? 2 : 1;
    for (let rest = Math.abs(value); rest >= 10; rest = Math.floor(rest / 10)) length++;
    return length;
  }
  return String(value).length;
}

export function firstOccurrences(texts: readonly string[]): Int32Array {
  const first = new Map<string, number>();
  const out = new Int32Array(texts.length);
  texts.forEach((text, i) => {
    const seen = first.get(text);
    if (seen === undefined) {
      first.set(text, i);
      out[i] = i;
    } else {
      out[i] = seen;
    }
  });
  return out;
}

/** A table column: a field, or a field of nested objects flattened to `parent.child.leaf`. */
export interface Column {
  label: string;
  path: string[];
}

export interface TableShape {
  columns: Column[];
  constants: Array<[string, Json]>;
}

/** How deep nested objects are flattened into dotted columns (`repository.owner.login` is 3). */
const MAX_FLATTEN_DEPTH = 3;

/**
 * Per key, what its values look like across the items: a leaf (a scalar, an array, or an object
 * shown whole in one cell) or an object whose keys are columns in their turn.
 */
interface KeyShape {
  children: Map<string, KeyShape> | null;
  /** Whether some item holds an object or array here that a cell would show whole. */
  containers: boolean;
}

/**
 * A table fits when the objects share most of their keys and every cell is short: then one
 * header line replaces the repeated keys. Nested objects (`repository: {name, owner: {login}}`)
 * become dotted columns at any depth up to MAX_FLATTEN_DEPTH, as long as every item that has the
 * key holds a non-empty object there (so an empty cell can only mean a missing key); columns
 * identical in all (3+) rows become constants.
 */
export function tableShape(items: readonly Row[], size: (value: Json) => number): TableShape | undefined {
  if (items.length < 2) return undefined;
  const top = new Map<string, KeyShape>();
  let filled = 0;
  for (const item of items) {
    for (const key in item) filled++;
    mergeShape(top, item, 1);
    if (top.size > MAX_TABLE_COLUMNS) return undefined;
  }
  if (top.size === 0 || filled / (top.size * items.length) < 0.6) return undefined;
  const columns: Column[] = [];
  const holdContainers = new Set<Column>();
  const collect = (shapes: Map<string, KeyShape>, path: string[]) => {
    for (const [key, shape] of shapes) {
      const at = [...path, key];
      if (shape.children) collect(shape.children, at);
      else {
        const column = { label: at.map(formatKey).join("."), path: at };
        columns.push(column);
        if (shape.containers) holdContainers.add(column);
      }
    }
  };
  collect(top, []);
  // a cell that holds a whole object or array must stay short
  for (const column of holdContainers) {
    for (const item of items) {
      const value = cell(item, column);
      if (value !== null && typeof value === "object" && size(value) > MAX_TABLE_CELL) return undefined;
    }
  }
  const constants: Array<[string, Json]> = [];
  const varying = columns.filter((column) => {
    if (items.length < 3) return true;
    const first = cell(items[0]!, column);
    if (first === undefined) return true;
    const constant = items.every((item) => sameValue(cell(item, column), first));
    if (constant) constants.push([column.label, first]);
    return !constant;
  });
  if (varying.length > MAX_TABLE_COLUMNS) return undefined;
  return { columns: varying, constants };
}

/** Adds an object's keys to `shapes`; an object at a key is flattened while every value there is one. */
function mergeShape(shapes: Map<string, KeyShape>, value: Row, depth: number): void {
  for (const key in value) {
    const child = value[key]!;
    let shape = shapes.get(key);
    if (!shape) {
      shape = { children: depth < MAX_FLATTEN_DEPTH && isFlattenable(child) ? new Map() : null, containers: false };
      shapes.set(key, shape);
    }
    if (shape.children === null) {
      if (child !== null && typeof child === "object") shape.containers = true;
      continue;
    }
    if (!isFlattenable(child)) {
      shape.children = null; // shown whole in one cell from now on
      shape.containers = true;
      continue;
    }
    mergeShape(shape.children, child as Row, depth + 1);
    if (shape.children.size > MAX_TABLE_COLUMNS) shape.children = null;
  }
}

/** A non-empty plain object: its keys can be columns, and an empty cell still means "missing". */
function isFlattenable(value: Json): boolean {
  if (!isPlainObject(value)) return false;
  for (const _ in value) return true;
  return false;
}

export function cell(item: Row, column: Column): Json | undefined {
  let node: Json | undefined = item;
  for (const key of column.path) {
    if (!isPlainObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

/**
 * The largest parts of the items that are the same in all of them: walking the first item's
 * objects, a path whose value is identical in every item is a constant (and not descended into).
 */
export function constantPaths(items: readonly Row[]): ConstantPath[] {
  const found: ConstantPath[] = [];
  const visit = (node: Row, path: string[]) => {
    for (const key of Object.keys(node)) {
      const value = node[key]!;
      const at = [...path, key];
      if (items.every((item) => sameValue(valueAt(item, at), value))) found.push({ path: at, value });
      else if (isPlainObject(value) && at.length < 6) visit(value, at);
    }
  };
  visit(items[0]!, []);
  return found;
}

function valueAt(item: Row, path: readonly string[]): Json | undefined {
  let node: Json | undefined = item;
  for (const key of path) {
    if (!isPlainObject(node) || !(key in node)) return undefined;
    node = node[key];
  }
  return node;
}

/** A copy of an item without the constant paths (the input is not modified). */
export function withoutPaths(item: Json, constants: readonly ConstantPath[]): Json {
  if (!isPlainObject(item) || constants.length === 0) return item;
  const copy: Row = { ...item };
  for (const { path } of constants) {
    let node: Row = copy;
    for (let i = 0; i < path.length - 1; i++) {
      const next = node[path[i]!];
      if (!isPlainObject(next)) break;
      const child = { ...next };
      node[path[i]!] = child;
      node = child;
    }
    delete node[path[path.length - 1]!];
  }
  return copy;
}

/** Display form of list constants: `metadata.namespace=production`. */
export function labelled(constants: readonly ConstantPath[]): Array<[string, Json]> {
  return constants.map(({ path, value }) => [path.map(formatKey).join("."), value]);
}

/** `constants` hold display labels (already formatted keys). */
export function constantsNote(shape: { constants: Array<[string, Json]> }, noun: "item" | "value" = "item"): string {
  if (shape.constants.length === 0) return "";
  return ` (every ${noun} has ${shape.constants.map(([label, v]) => `${label}=${formatScalar(v)}`).join(", ")})`;
}

export function tableRow(item: Row, columns: readonly Column[]): string {
  return columns
    .map((c) => {
      const v = cell(item, c);
      return v === undefined ? "" : formatScalar(v);
    })
    .join(",");
}



/** Equal as JSON texts; structural, so two large objects that differ early cost little. */
function sameValue(a: Json | undefined, b: Json): boolean {
  return a !== undefined && deepEqual(a, b);
}
