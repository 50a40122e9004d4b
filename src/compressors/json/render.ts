import { omissionMarker } from "../../ccr/marker.js";
import type { OmissionRecord } from "../types.js";
import { canBeBare, childPath, formatKey, formatScalar, isPlainObject, type Json } from "./format.js";
import { selectItems } from "./select.js";
import { analyseArray, meanAndStd, type QueryContext } from "./signals.js";

/**
 * Renders a JSON document as a compact outline:
 *
 *   total_count: 2000
 *   items[1000]{id,name,score} (every item has type=file):
 *     1,foo.ts,0.98
 *   tags[3]: a,b,c
 *
 * Uniform arrays of objects become tables with one header; fields equal in every item are
 * stated once; other arrays list one item per line. With a finite budget (in characters) arrays,
 * wide objects and long strings that do not fit are cut down: kept items carry their original
 * index (`#67` or a leading index column) and a marker says what was left out and how to get it.
 */
export interface OutlineOptions {
  hash: string;
  query: QueryContext | undefined;
}

export interface Outline {
  text: string;
  omitted: OmissionRecord[];
}

export function renderOutline(root: Json, budgetChars: number, options: OutlineOptions): Outline {
  const writer = new OutlineWriter(options);
  writer.value(null, root, "$", 0, budgetChars, 0);
  return { text: writer.lines.join("\n"), omitted: writer.omitted };
}

const MAX_DEPTH = 48;
const MIN_ITEMS_TO_CUT = 5;
const WIDE_OBJECT_KEYS = 40;
const LONG_STRING = 1500;
const INLINE_ITEM_CHARS = 240;
const MAX_TABLE_COLUMNS = 40;
const MAX_TABLE_CELL = 160;

type Row = { [key: string]: Json };

class OutlineWriter {
  readonly lines: string[] = [];
  readonly omitted: OmissionRecord[] = [];
  private readonly sizes = new WeakMap<object, number>();

  constructor(private readonly options: OutlineOptions) {}

  value(label: string | null, value: Json, path: string, indent: number, budget: number, depth: number): void {
    const pad = " ".repeat(indent);
    const lead = label === null ? pad : `${pad}${label}: `;
    if (value === null || typeof value !== "object") {
      if (typeof value === "string" && value.length > LONG_STRING && value.length > budget) {
        this.lines.push(lead + this.cutString(value, path, budget));
      } else {
        this.lines.push(lead + formatScalar(value));
      }
      return;
    }
    if (depth >= MAX_DEPTH) {
      this.lines.push(lead + JSON.stringify(value));
      return;
    }
    if (Array.isArray(value)) {
      this.array(label ?? "", value, path, indent, budget, depth);
      return;
    }
    const keys = Object.keys(value);
    if (keys.length === 0) {
      this.lines.push(lead + "{}");
      return;
    }
    const childIndent = label === null ? indent : indent + 2;
    if (label !== null) this.lines.push(`${pad}${label}:`);
    if (keys.length >= WIDE_OBJECT_KEYS && this.size(value) > budget) {
      this.wideObject(value, keys, path, childIndent, budget, depth);
      return;
    }
    const budgets = allocate(
      keys.map((k) => k.length + 4 + this.size(value[k]!)),
      budget,
    );
    keys.forEach((key, i) => this.value(formatKey(key), value[key]!, childPath(path, key), childIndent, budgets[i]!, depth + 1));
  }

  private array(label: string, items: Json[], path: string, indent: number, budget: number, depth: number): void {
    const pad = " ".repeat(indent);
    const n = items.length;
    if (n === 0) {
      this.lines.push(label === "" ? `${pad}[]` : `${pad}${label}: []`);
      return;
    }
    const head = `${pad}${label}[${n}]`;
    const cut = n >= MIN_ITEMS_TO_CUT && this.size(items) > budget;
    const table = items.every(isPlainObject) ? tableShape(items as Row[]) : undefined;
    if (!cut) {
      this.wholeArray(head, items, table, path, indent, budget, depth);
      return;
    }
    this.cutArray(head, items, table, path, indent, budget, depth);
  }

  private wholeArray(head: string, items: Json[], table: TableShape | undefined, path: string, indent: number, budget: number, depth: number): void {
    const pad = " ".repeat(indent + 2);
    if (table) {
      if (table.columns.length === 0) {
        this.lines.push(`${head}: all ${items.length} items are ${JSON.stringify(items[0])}`);
        return;
      }
      this.lines.push(`${head}{${table.columns.map(formatKey).join(",")}}${constantsNote(table)}:`);
      for (const item of items as Row[]) this.lines.push(pad + tableRow(item, table.columns));
      return;
    }
    if (items.every(isScalar)) {
      if (items.every((v) => typeof v !== "string" || v.length <= 40)) {
        this.lines.push(`${head}: ${items.map(formatScalar).join(",")}`);
      } else {
        this.lines.push(`${head}:`);
        for (const item of items) this.lines.push(`${pad}- ${formatScalar(item)}`);
      }
      return;
    }
    const constants = items.every(isPlainObject) && items.length >= 3 ? constantFields(items as Row[]) : [];
    this.lines.push(`${head}${constantsNote({ constants })}:`);
    const drop = new Set(constants.map(([k]) => k));
    const trimmed = items.map((item) => withoutKeys(item, drop));
    const budgets = allocate(trimmed.map((item) => this.size(item) + indent + 4), budget);
    trimmed.forEach((item, i) => this.listItem(item, childPath(path, i), indent + 2, budgets[i]!, depth, undefined));
  }

  private cutArray(head: string, items: Json[], table: TableShape | undefined, path: string, indent: number, budget: number, depth: number): void {
    const n = items.length;
    const pad = " ".repeat(indent + 2);
    const objects = items.every(isPlainObject);
    const constants = table ? table.constants : objects && n >= 3 ? constantFields(items as Row[]) : [];
    const constantKeys = new Set(constants.map(([k]) => k));
    const texts = items.map((item) => JSON.stringify(item));
    const signals = analyseArray(items, texts, constantKeys, this.options.query);
    const field = signals.categoryField;
    const categoryOf = (i: number): string | undefined => {
      if (field === undefined) return undefined;
      const item = items[i] as Row;
      return field in item ? `${formatKey(field)}=${formatScalar(item[field]!)}` : undefined;
    };
    const perItem = Math.max(600, budget / 6);
    const rows = table && table.columns.length > 0 ? (items as Row[]).map((item, i) => `${i},${tableRow(item, table.columns)}`) : undefined;
    const sizes = rows
      ? rows.map((r) => r.length + indent + 3)
      : items.map((item) => Math.min(this.size(withoutKeys(item, constantKeys)), perItem) + indent + 8);
    const { kept, categories } = selectItems({ n, sizes, texts, budgetChars: budget, signals, categoryOf });

    const scalars = items.every(isScalar);
    const numbers = items.every((v) => typeof v === "number");
    const unit = numbers ? "numbers" : scalars && items.every((v) => typeof v === "string") ? "strings" : "items";
    if (rows) {
      this.lines.push(`${head}{#,${table!.columns.map(formatKey).join(",")}}${constantsNote(table!)}:`);
      for (const i of kept) this.lines.push(pad + rows[i]!);
    } else {
      const note = numbers ? numberFacts(items as number[]) : constantsNote({ constants });
      this.lines.push(`${head}${note}:`);
      for (const i of kept) this.listItem(withoutKeys(items[i]!, constantKeys), childPath(path, i), indent + 2, perItem, depth, i);
    }
    this.omit(pad, { where: path, unit, omitted: n - kept.length, total: n, categories });
  }

  /** One element of a list: `- value`, with `#index` when the list was cut. */
  private listItem(item: Json, path: string, indent: number, budget: number, depth: number, index: number | undefined): void {
    const pad = " ".repeat(indent);
    const tag = index === undefined ? "- " : `- #${index} `;
    if (isScalar(item)) {
      if (typeof item === "string" && item.length > LONG_STRING && item.length > budget) {
        this.lines.push(pad + tag + this.cutString(item, path, budget));
      } else {
        this.lines.push(pad + tag + formatScalar(item));
      }
      return;
    }
    const compact = JSON.stringify(item);
    if (compact.length <= Math.min(INLINE_ITEM_CHARS, budget) || depth + 1 >= MAX_DEPTH) {
      this.lines.push(pad + tag + compact);
      return;
    }
    // a large element: expand it as a nested outline under its bullet
    this.lines.push(pad + tag.trimEnd());
    if (Array.isArray(item)) this.array("", item, path, indent + 2, budget, depth + 1);
    else this.value(null, item, path, indent + 2, budget, depth + 1);
  }

  private wideObject(value: Row, keys: string[], path: string, indent: number, budget: number, depth: number): void {
    const pad = " ".repeat(indent);
    const values = keys.map((k) => value[k]!);
    const texts = keys.map((k, i) => `${JSON.stringify(k)}:${JSON.stringify(values[i])}`);
    const signals = analyseArray(values, texts, new Set(), this.options.query);
    const perKey = Math.max(400, budget / 8);
    const sizes = keys.map((k, i) => k.length + 4 + Math.min(this.size(values[i]!), perKey) + indent);
    const { kept, categories } = selectItems({ n: keys.length, sizes, texts, budgetChars: budget, signals, categoryOf: () => undefined });
    for (const i of kept) this.value(formatKey(keys[i]!), values[i]!, childPath(path, keys[i]!), indent, perKey, depth + 1);
    this.omit(pad, { where: path, unit: "keys", omitted: keys.length - kept.length, total: keys.length, categories });
  }

  private cutString(s: string, path: string, budget: number): string {
    const keep = Math.max(200, Math.floor(budget) - 120);
    const headChars = Math.floor(keep * 0.7);
    const tailChars = keep - headChars;
    const omitted = s.length - headChars - tailChars;
    const record: OmissionRecord = { where: path, unit: "chars", omitted, total: s.length, categories: {} };
    this.omitted.push(record);
    const marker = omissionMarker({ hash: this.options.hash, unit: "chars", omitted, total: s.length, where: path, facts: "middle of the string" });
    return `${JSON.stringify(s.slice(0, headChars))} ${marker} ${JSON.stringify(s.slice(s.length - tailChars))}`;
  }

  private omit(pad: string, o: { where: string; unit: string; omitted: number; total: number; categories: Array<[string, number]> }): void {
    if (o.omitted <= 0) return;
    this.omitted.push({ where: o.where, unit: o.unit, omitted: o.omitted, total: o.total, categories: Object.fromEntries(o.categories) });
    this.lines.push(pad + omissionMarker({ ...o, hash: this.options.hash }));
  }

  /** Approximate rendered size (compact JSON length), memoised per object. */
  private size(value: Json): number {
    if (value === null) return 4;
    switch (typeof value) {
      case "string":
        return value.length + 2;
      case "number":
        return String(value).length;
      case "boolean":
        return value ? 4 : 5;
    }
    const cached = this.sizes.get(value);
    if (cached !== undefined) return cached;
    let total = 2;
    if (Array.isArray(value)) {
      for (const item of value) total += this.size(item) + 1;
    } else {
      for (const key of Object.keys(value)) total += key.length + 4 + this.size(value[key]!);
    }
    this.sizes.set(value, total);
    return total;
  }
}

interface TableShape {
  columns: string[];
  constants: Array<[string, Json]>;
}

/**
 * A table fits when the objects share most of their keys and every cell is short: then one
 * header line replaces the repeated keys. Fields identical in all (3+) rows become constants.
 */
function tableShape(items: readonly Row[]): TableShape | undefined {
  if (items.length < 2) return undefined;
  const counts = new Map<string, number>();
  let filled = 0;
  for (const item of items) {
    for (const [key, value] of Object.entries(item)) {
      counts.set(key, (counts.get(key) ?? 0) + 1);
      filled++;
      if (value !== null && typeof value === "object" && JSON.stringify(value).length > MAX_TABLE_CELL) return undefined;
    }
    if (counts.size > MAX_TABLE_COLUMNS) return undefined;
  }
  if (counts.size === 0 || filled / (counts.size * items.length) < 0.6) return undefined;
  const constants = items.length >= 3 ? constantFields(items) : [];
  const constantKeys = new Set(constants.map(([k]) => k));
  return { columns: [...counts.keys()].filter((k) => !constantKeys.has(k)), constants };
}

function constantFields(items: readonly Row[]): Array<[string, Json]> {
  const first = items[0]!;
  const constants: Array<[string, Json]> = [];
  for (const key of Object.keys(first)) {
    const text = JSON.stringify(first[key]);
    if (items.every((item) => key in item && JSON.stringify(item[key]) === text)) constants.push([key, first[key]!]);
  }
  return constants;
}

function constantsNote(shape: { constants: Array<[string, Json]> }): string {
  if (shape.constants.length === 0) return "";
  return ` (every item has ${shape.constants.map(([k, v]) => `${formatKey(k)}=${formatCell(v)}`).join(", ")})`;
}

function tableRow(item: Row, columns: readonly string[]): string {
  return columns.map((c) => (c in item ? formatCell(item[c]!) : "")).join(",");
}

function formatCell(value: Json): string {
  if (typeof value === "string") return canBeBare(value) ? value : JSON.stringify(value);
  return JSON.stringify(value);
}

function withoutKeys(item: Json, drop: ReadonlySet<string>): Json {
  if (drop.size === 0 || !isPlainObject(item)) return item;
  const out: Row = {};
  for (const [k, v] of Object.entries(item)) if (!drop.has(k)) out[k] = v;
  return out;
}

function isScalar(value: Json): value is null | boolean | number | string {
  return value === null || typeof value !== "object";
}

function numberFacts(values: readonly number[]): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return "";
  const sorted = [...finite].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const { mean } = meanAndStd(finite);
  return ` (all ${values.length}: min ${sorted[0]}, max ${sorted[sorted.length - 1]}, mean ${round(mean)}, median ${round(median)})`;
}

function round(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(6)));
}

/** Water-filling: small children get all they need, large ones share what is left equally. */
function allocate(sizes: readonly number[], budget: number): number[] {
  if (!Number.isFinite(budget)) return sizes.map(() => Infinity);
  const order = sizes.map((_, i) => i).sort((a, b) => sizes[a]! - sizes[b]! || a - b);
  const out = new Array<number>(sizes.length);
  let remaining = budget;
  let left = sizes.length;
  for (const i of order) {
    const share = Math.max(0, remaining) / left;
    const give = Math.min(sizes[i]!, share);
    out[i] = sizes[i]! <= share ? Infinity : give;
    remaining -= give;
    left--;
  }
  return out;
}
