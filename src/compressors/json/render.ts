import { omissionMarker } from "../../ccr/marker.js";
import type { OmissionRecord } from "../types.js";
import { constantPaths, constantsNote, firstOccurrences, labelled, withoutPaths, type DocumentFacts, type TableShape } from "./facts.js";
import { childPath, compactJson, DuplicateKeys, formatInline, formatKey, formatScalar, isScalar, type Json } from "./format.js";
import { selectItems } from "./select.js";
import { analyseArray, meanAndStd } from "./signals.js";

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
  /** Shared between render attempts of one document. */
  facts: DocumentFacts;
  /**
   * Deep trees: objects and arrays at this depth or below are written `{…}` / `[…]`, unless they
   * hold what the query names; one marker counts what they held and names their paths.
   */
  collapseBelow?: number | undefined;
}

export interface Outline {
  text: string;
  omitted: OmissionRecord[];
}

export function renderOutline(root: Json, budgetChars: number, options: OutlineOptions): Outline;
/** Gives up (undefined) as soon as the outline passes `giveUpAboveChars`: a caller that only wants it if it is short saves the rest of the work. */
export function renderOutline(root: Json, budgetChars: number, options: OutlineOptions, giveUpAboveChars: number): Outline | undefined;
export function renderOutline(root: Json, budgetChars: number, options: OutlineOptions, giveUpAboveChars = Infinity): Outline | undefined {
  const writer = new OutlineWriter(options, giveUpAboveChars);
  try {
    writer.value(null, root, "$", 0, budgetChars, 0);
    if (options.collapseBelow !== undefined) writer.collapsedMarker(nodesIn(root));
  } catch (error) {
    if (error === TOO_LONG) return undefined;
    throw error;
  }
  return { text: writer.lines.join("\n"), omitted: writer.omitted };
}

const TOO_LONG = Symbol("outline too long");

const MAX_DEPTH = 200;
const MIN_ITEMS_TO_CUT = 5;
const WIDE_OBJECT_KEYS = 40;
const LONG_STRING = 1500;
const INLINE_ITEM_CHARS = 240;

class OutlineWriter {
  readonly lines: string[] = [];
  readonly omitted: OmissionRecord[] = [];
  private chars = 0;
  /** Subtrees written `{…}` / `[…]`: their paths and how many keys and items they held. */
  private readonly collapsed: Array<[string, number]> = [];

  constructor(
    private readonly options: OutlineOptions,
    private readonly giveUpAboveChars: number,
  ) {}

  private write(line: string): void {
    this.chars += line.length + 1;
    if (this.chars > this.giveUpAboveChars) throw TOO_LONG;
    this.lines.push(line);
  }

  value(label: string | null, value: Json, path: string, indent: number, budget: number, depth: number): void {
    const pad = indentation(indent);
    const lead = label === null ? pad : `${pad}${label}: `;
    if (value instanceof DuplicateKeys) {
      this.object(label, value.entries, path, indent, budget, depth);
      const repeated = value.repeated().map(([key, n]) => `${JSON.stringify(key)} ${n} times`);
      this.write(`${indentation(label === null ? indent : indent + 2)}(repeated keys: ${repeated.join(", ")}; every value is shown in order, and JSON.parse keeps only the last)`);
      return;
    }
    if (isScalar(value)) {
      if (typeof value === "string" && value.length > LONG_STRING && value.length > budget) {
        this.write(lead + this.cutString(value, path, budget));
      } else {
        this.write(lead + formatScalar(value));
      }
      return;
    }
    if (depth >= MAX_DEPTH) {
      this.write(lead + compactJson(value));
      return;
    }
    const { collapseBelow } = this.options;
    if (collapseBelow !== undefined && depth >= collapseBelow && entryCount(value) > 0 && !this.holdsQuery(value, path)) {
      this.write(lead + (Array.isArray(value) ? `[${value.length}]…` : "{…}"));
      this.collapsed.push([path, nodesIn(value)]);
      return;
    }
    if (Array.isArray(value)) {
      this.array(label ?? "", value, path, indent, budget, depth);
      return;
    }
    this.object(label, Object.entries(value), path, indent, budget, depth);
  }

  private object(label: string | null, entries: ReadonlyArray<readonly [string, Json]>, path: string, indent: number, budget: number, depth: number): void {
    const pad = indentation(indent);
    if (entries.length === 0) {
      this.write(label === null ? `${pad}{}` : `${pad}${label}: {}`);
      return;
    }
    const childIndent = label === null ? indent : indent + 2;
    // a map of records (`dependencies: {express: {version, overridden: false}, …}`) states what its
    // values share once, as a list states what its items share
    const shared = label !== null ? sharedByValues(entries) : undefined;
    if (shared) {
      this.write(`${pad}${label}${constantsNote({ constants: labelled(shared) }, "value")}:`);
      entries = entries.map(([key, value]) => [key, withoutPaths(value, shared)] as const);
    } else if (label !== null) this.write(`${pad}${label}:`);
    if (depth >= MAX_DEPTH) {
      for (const [key, value] of entries) this.write(`${indentation(childIndent)}${formatKey(key)}: ${compactJson(value)}`);
      return;
    }
    const sizes = entries.map(([key, value]) => key.length + 4 + this.size(value));
    if (entries.length >= WIDE_OBJECT_KEYS && sizes.reduce((a, b) => a + b, 2) > budget) {
      this.wideObject(entries, path, childIndent, budget, depth);
      return;
    }
    const budgets = allocate(sizes, budget);
    entries.forEach(([key, value], i) => this.value(formatKey(key), value, childPath(path, key), childIndent, budgets[i]!, depth + 1));
  }

  private array(label: string, items: Json[], path: string, indent: number, budget: number, depth: number): void {
    const pad = indentation(indent);
    const n = items.length;
    if (n === 0) {
      this.write(label === "" ? `${pad}[]` : `${pad}${label}: []`);
      return;
    }
    const head = `${pad}${label}[${n}]`;
    const cut = n >= MIN_ITEMS_TO_CUT && this.size(items) > budget;
    const table = this.options.facts.array(items).table;
    if (!cut) {
      this.wholeArray(head, items, table, path, indent, budget, depth);
      return;
    }
    this.cutArray(head, items, table, path, indent, budget, depth);
  }

  private wholeArray(head: string, items: Json[], table: TableShape | undefined, path: string, indent: number, budget: number, depth: number): void {
    const pad = indentation(indent + 2);
    if (table) {
      if (table.columns.length === 0) {
        this.write(`${head}: all ${items.length} items are ${formatInline(items[0]!)}`);
        return;
      }
      this.write(`${head}{${table.columns.map((c) => c.label).join(",")}}${constantsNote(table)}:`);
      for (let i = 0; i < items.length; i++) this.write(pad + this.options.facts.row(items, table, i));
      return;
    }
    if (items.every(isScalar)) {
      if (items.every((v) => typeof v !== "string" || v.length <= 40)) {
        // a first string that reads like the outline's own `all N items are` is quoted
        this.write(`${head}: ${items.map((v, i) => (i === 0 && typeof v === "string" && /^all \d/.test(v) ? JSON.stringify(v) : formatScalar(v))).join(",")}`);
      } else {
        this.write(`${head}:`);
        for (const item of items) this.write(`${pad}- ${formatScalar(item)}`);
      }
      return;
    }
    const { constants } = this.options.facts.array(items);
    this.write(`${head}${constantsNote({ constants: labelled(constants) })}:`);
    const facts = this.options.facts;
    const budgets = allocate(items.map((_, i) => facts.trimmedSize(items, i) + indent + 4), budget);
    items.forEach((_, i) => this.listItem(facts.trimmedItem(items, i), childPath(path, i), indent + 2, budgets[i]!, depth, undefined));
  }

  private cutArray(head: string, items: Json[], table: TableShape | undefined, path: string, indent: number, budget: number, depth: number): void {
    const n = items.length;
    const pad = indentation(indent + 2);
    const facts = this.options.facts;
    const shape = facts.array(items);
    const selection = facts.selection(items);
    const perItem = Math.max(600, budget / 6);
    const rows = table && table.columns.length > 0 ? table : undefined;
    // the choice depends only on the items (an equal array shares `selection`), the budget and the indent
    const { kept, categories } = facts.remember(selection, `${rows ? "rows" : "list"}|${budget}|${indent}`, () => {
      const sizes = rows
        ? items.map((_, i) => facts.rowSize(items, rows, i) + String(i).length + indent + 4)
        : items.map((_, i) => Math.min(facts.trimmedSize(items, i), perItem) + indent + 8);
      return selectItems({ n, sizes, firstOf: selection.firstOf, budgetChars: budget, signals: selection.signals });
    });

    const unit = shape.numbers ? "numbers" : shape.strings ? "strings" : "items";
    if (rows) {
      this.write(`${head}{#,${rows.columns.map((c) => c.label).join(",")}}${constantsNote(rows)}:`);
      for (const i of kept) this.write(`${pad}${i},${facts.row(items, rows, i)}`);
    } else {
      const note = shape.numbers ? numberFacts(items as number[]) : constantsNote({ constants: labelled(shape.constants) });
      this.write(`${head}${note}:`);
      for (const i of kept) this.listItem(facts.trimmedItem(items, i), childPath(path, i), indent + 2, perItem, depth, i);
    }
    this.omit(pad, { where: path, unit, omitted: n - kept.length, total: n, categories });
  }

  /** One element of a list: `- value`, with `#index` when the list was cut. */
  private listItem(item: Json, path: string, indent: number, budget: number, depth: number, index: number | undefined): void {
    const pad = indentation(indent);
    const tag = index === undefined ? "- " : `- #${index} `;
    if (isScalar(item)) {
      if (typeof item === "string" && item.length > LONG_STRING && item.length > budget) {
        this.write(pad + tag + this.cutString(item, path, budget));
      } else {
        this.write(pad + tag + formatScalar(item));
      }
      return;
    }
    // `size` overcounts the compact JSON by at most one character per container (a third of it)
    // and undercounts only escapes, so an item over 1.5× the limit is known to be expanded
    // without serialising it
    const inline = Math.min(INLINE_ITEM_CHARS, budget);
    if (this.size(item) <= inline * 1.5 || depth + 1 >= MAX_DEPTH) {
      const compact = depth + 1 >= MAX_DEPTH ? compactJson(item) : formatInline(item);
      if (compact.length <= inline || depth + 1 >= MAX_DEPTH) {
        this.write(pad + tag + compact);
        return;
      }
    }
    // a large element: expand it as a nested outline under its bullet
    this.write(pad + tag.trimEnd());
    if (Array.isArray(item)) this.array("", item, path, indent + 2, budget, depth + 1);
    else this.value(null, item, path, indent + 2, budget, depth + 1);
  }

  private wideObject(entries: ReadonlyArray<readonly [string, Json]>, path: string, indent: number, budget: number, depth: number): void {
    const pad = indentation(indent);
    const values = entries.map(([, value]) => value);
    const { query } = this.options.facts;
    // entries are told apart by their keys, so none duplicates another; their text is only
    // needed to rank them against a query (serialising every value at every level of a deep
    // document of wide objects would cost more than the rest of the work)
    const texts = query ? entries.map(([key, value]) => `${JSON.stringify(key)}:${compactJson(value)}`) : undefined;
    const signals = analyseArray(values, texts, new Set(), query);
    const perKey = Math.max(400, budget / 8);
    const sizes = entries.map(([key, value]) => key.length + 4 + Math.min(this.size(value), perKey) + indent);
    const firstOf = texts ? firstOccurrences(texts) : Int32Array.from(entries, (_, i) => i);
    const { kept, categories } = selectItems({ n: entries.length, sizes, firstOf, budgetChars: budget, signals });
    for (const i of kept) {
      const [key, value] = entries[i]!;
      this.value(formatKey(key), value, childPath(path, key), indent, perKey, depth + 1);
    }
    this.omit(pad, { where: path, unit: "keys", omitted: entries.length - kept.length, total: entries.length, categories });
  }

  /** Whether a subtree or its path holds what the query names (its exact anchors, else its words of three letters or more). */
  private holdsQuery(value: Json, path: string): boolean {
    const query = this.options.facts.query;
    if (!query) return false;
    const text = `${path}\n${compactJson(value)}`.toLowerCase();
    // exact anchors (ids, versioned names) when the query has them; its plain words otherwise
    if (query.anchors.length > 0) return query.anchors.some((a) => text.includes(a));
    return query.text.toLowerCase().split(/[^\p{L}\p{N}_@./-]+/u).some((w) => w.length >= 3 && text.includes(w));
  }

  /** One marker for every subtree written `{…}` / `[…]`, naming the largest. */
  collapsedMarker(total: number): void {
    if (this.collapsed.length === 0) return;
    const omitted = this.collapsed.reduce((sum, [, n]) => sum + n, 0);
    const largest = [...this.collapsed].sort((a, b) => b[1] - a[1]);
    const where = `${this.collapsed.length} subtrees below depth ${this.options.collapseBelow} written {…} or [N]…`;
    const record: OmissionRecord = { where, unit: "keys and items", omitted, total, categories: Object.fromEntries(largest.slice(0, 6)) };
    this.omitted.push(record);
    this.write(omissionMarker({ hash: this.options.hash, unit: "keys and items", omitted, total, where, categories: largest, facts: "a path as the query returns a subtree" }));
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
    this.write(pad + omissionMarker({ ...o, hash: this.options.hash }));
  }

  private size(value: Json): number {
    return this.options.facts.size(value);
  }
}

const MIN_SHARED_VALUES = 3;

/**
 * The paths whose value is the same in every value of an object whose values are all objects
 * (3 or more), when stating them once leaves no value empty (an empty one would read as `{}`).
 */
function sharedByValues(entries: ReadonlyArray<readonly [string, Json]>): ReturnType<typeof constantPaths> | undefined {
  if (entries.length < MIN_SHARED_VALUES) return undefined;
  const values: Array<Record<string, Json>> = [];
  for (const [, value] of entries) {
    if (value === null || typeof value !== "object" || Array.isArray(value) || value instanceof DuplicateKeys) return undefined;
    values.push(value as Record<string, Json>);
  }
  const shared = constantPaths(values);
  if (shared.length === 0) return undefined;
  for (const value of values) if (entryCount(withoutPaths(value, shared)) === 0) return undefined;
  return shared;
}

function entryCount(value: Json): number {
  if (value === null || typeof value !== "object") return 0;
  if (Array.isArray(value)) return value.length;
  let n = 0;
  for (const _ in value) n++;
  return n;
}

/** Keys and items inside a subtree, at every depth. */
function nodesIn(value: Json): number {
  if (value === null || typeof value !== "object") return 0;
  let n = 0;
  if (Array.isArray(value)) for (const item of value) n += 1 + nodesIn(item);
  else for (const key in value) n += 1 + nodesIn((value as Record<string, Json>)[key]!);
  return n;
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

/** Past 32 levels, deeper indentation no longer helps a reader; it only costs tokens. */
const MAX_INDENT = 64;

function indentation(width: number): string {
  return " ".repeat(Math.min(width, MAX_INDENT));
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
