import { inTurns } from "../turns.js";
import type { ArraySignals } from "./signals.js";

/**
 * Chooses which items of an over-budget array to show. Order of preference: critical items
 * (always, up to a cap), the first and last item (always), notable items by score, the second,
 * third and next-to-last items, one representative of every category, then a few evenly spaced
 * items for coverage.
 * Identical items are shown once. Returns kept indices ascending and, for the marker,
 * the omitted items counted by why they were left out or by category.
 */
export interface SelectionInput {
  n: number;
  /** Rendered size of each item in characters (its row or line). */
  sizes: readonly number[];
  /** For each item, the index of the first identical item (de-duplication). */
  firstOf: Int32Array;
  budgetChars: number;
  signals: ArraySignals;
}

export interface Selection {
  kept: number[];
  categories: Array<[string, number]>;
}

const CRITICAL_CAP = 200;
const COVERAGE_ITEMS = 6;

export function selectItems(input: SelectionInput): Selection {
  const { n, sizes, firstOf, budgetChars, signals } = input;
  const { categoryOf } = signals;
  const kept = new Set<number>();
  const shownCopies = new Set<number>(); // firstOf of every kept item
  let used = 0;

  const tryKeep = (i: number, force: boolean): boolean => {
    if (kept.has(i) || shownCopies.has(firstOf[i]!)) return true; // it, or an identical item, is shown
    if (!force && used + sizes[i]! > budgetChars) return false;
    kept.add(i);
    shownCopies.add(firstOf[i]!);
    used += sizes[i]!;
    return true;
  };

  let criticalKept = 0;
  for (const i of [...signals.critical.keys()].sort((a, b) => a - b)) {
    if (criticalKept >= CRITICAL_CAP) break;
    if (tryKeep(i, true)) criticalKept++;
  }
  tryKeep(0, true);
  if (n > 1) tryKeep(n - 1, true);
  // in turns by reason, so a thousand query-relevant items cannot crowd out three warnings
  for (const { index } of inTurns(signals.notable, (n) => n.label)) tryKeep(index, false);
  for (const i of [1, 2, n - 2]) if (i > 0 && i < n - 1) tryKeep(i, false);

  const represented = new Set<string>();
  for (const i of kept) {
    const c = categoryOf(i);
    if (c !== undefined) represented.add(c);
  }
  for (let i = 0; i < n; i++) {
    const c = categoryOf(i);
    if (c === undefined || represented.has(c)) continue;
    represented.add(c);
    tryKeep(i, false);
  }

  const step = n / (COVERAGE_ITEMS + 1);
  for (let k = 1; k <= COVERAGE_ITEMS; k++) tryKeep(Math.min(n - 1, Math.round(k * step)), false);

  const keptSorted = [...kept].sort((a, b) => a - b);
  return { kept: keptSorted, categories: omittedCategories(input, kept, shownCopies) };
}

function omittedCategories(input: SelectionInput, kept: ReadonlySet<number>, shownCopies: ReadonlySet<number>): Array<[string, number]> {
  const { n, firstOf, signals } = input;
  const { categoryOf } = signals;
  const notableLabel = new Map<number, string>();
  for (const { index, label } of signals.notable) if (!notableLabel.has(index)) notableLabel.set(index, label);
  const counts = new Map<string, number>();
  const add = (label: string) => counts.set(label, (counts.get(label) ?? 0) + 1);
  for (let i = 0; i < n; i++) {
    if (kept.has(i)) continue;
    const critical = signals.critical.get(i);
    if (shownCopies.has(firstOf[i]!)) add("duplicates of shown items");
    else if (critical !== undefined) add(critical === "query match" ? "matching the query" : "with error signals");
    else if (notableLabel.has(i)) add(notableLabel.get(i)!);
    else add(categoryOf(i) ?? "similar items");
  }
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}
