import { Drain, type Cluster, type DrainConfig } from "./drain.js";
import { splitHeader } from "./header.js";
import { maskMessage, WILDCARD, type MaskedToken } from "./mask.js";

/** Every line of a log, clustered: the cluster of each line and the variable values it carried. */
export interface ParsedLog {
  clusters: Cluster[];
  clusterOf: Int32Array;
  values: string[][];
}

/** A generalised position with at most this many distinct words is an enumeration, not a variable. */
const MAX_ENUMERATED = 3;
const KEYWORD = /^[^a-z]*[A-Z][^a-z]*$/;

export function parseLog(lines: readonly string[], config?: DrainConfig): ParsedLog {
  const drain = new Drain(config);
  const tokensOf: string[][] = new Array(lines.length);
  const values: string[][] = new Array(lines.length);
  const joined = new Int32Array(lines.length);
  const cache = new Map<string, MaskedToken>();
  lines.forEach((line, i) => {
    const masked = maskMessage(splitHeader(line).message, cache);
    tokensOf[i] = masked.tokens;
    values[i] = masked.values;
    joined[i] = drain.add(masked.tokens).id;
  });
  absorbSpecialCases(drain.clusters, joined);
  return splitEnumerations(drain.clusters, joined, tokensOf, values);
}

/**
 * A cluster whose every constant matches a more general cluster of the same length is that
 * cluster's event seen before it was general: a package name without a digit (`media-types:all`)
 * took a branch of Drain's tree of its own, while a thousand lines with digits in the same place
 * made `install <*> <none> <*>`. Such clusters are folded into the general one (the largest that fits).
 */
function absorbSpecialCases(clusters: Cluster[], joined: Int32Array): void {
  const byLength = new Map<number, Cluster[]>();
  for (const cluster of clusters) (byLength.get(cluster.template.length) ?? byLength.set(cluster.template.length, []).get(cluster.template.length)!).push(cluster);
  const into = new Map<number, Cluster>();
  for (const group of byLength.values()) {
    if (group.length < 2) continue;
    const general = [...group].sort((a, b) => b.size - a.size);
    for (const cluster of group) {
      const host = general.find((g) => g !== cluster && g.size > cluster.size && covers(g.template, cluster.template));
      if (host) into.set(cluster.id, host);
    }
  }
  if (into.size === 0) return;
  const root = (cluster: Cluster): Cluster => {
    let c = cluster;
    for (let hops = 0; into.has(c.id) && hops < 16; hops++) c = into.get(c.id)!;
    return c;
  };
  const byId = new Map(clusters.map((c) => [c.id, c]));
  joined.forEach((id, i) => {
    if (!into.has(id)) return;
    const target = root(byId.get(id)!);
    joined[i] = target.id;
    target.size++;
    byId.get(id)!.size--;
  });
  for (let k = clusters.length - 1; k >= 0; k--) if (clusters[k]!.size === 0) clusters.splice(k, 1);
}

/** Whether `general` has a wildcard wherever it differs from `specific`, and at least one constant. */
function covers(general: readonly string[], specific: readonly string[]): boolean {
  let constants = 0;
  for (let i = 0; i < general.length; i++) {
    if (general[i] === WILDCARD) continue;
    if (general[i] !== specific[i]) return false;
    constants++;
  }
  return constants > 0;
}

/**
 * Drain generalises any position where lines disagree. Where the disagreement is between a few
 * words (`HTTPS` / `SOCKS5`, `Could not resolve` / `connection attempt failed`), those are
 * different events, not one event with a variable: such clusters are split by those words.
 */
function splitEnumerations(drained: readonly Cluster[], joined: Int32Array, tokensOf: string[][], values: string[][]): ParsedLog {
  const members = new Map<number, number[]>();
  joined.forEach((c, i) => (members.get(c) ?? members.set(c, []).get(c)!).push(i));
  const clusters: Cluster[] = [];
  const clusterOf = new Int32Array(joined.length);
  for (const cluster of drained) {
    const lines = members.get(cluster.id) ?? [];
    const enumerated: number[] = [];
    cluster.template.forEach((token, position) => {
      if (token !== WILDCARD) return;
      const words = new Set<string>();
      for (const i of lines) {
        const word = tokensOf[i]![position]!;
        if (word === WILDCARD) return; // a masked variable somewhere: a real variable
        words.add(word);
        if (words.size > MAX_ENUMERATED) return;
      }
      enumerated.push(position);
    });
    // One differing lower-case word is a name (`for root`, `for admin`); a phrase that differs, or a
    // differing upper-case keyword (`HTTPS` / `SOCKS5`), marks a different event.
    if (enumerated.length === 1 && !lines.every((i) => KEYWORD.test(tokensOf[i]![enumerated[0]!]!))) enumerated.length = 0;
    const groups = new Map<string, number[]>();
    for (const i of lines) {
      const key = enumerated.map((p) => tokensOf[i]![p]).join("\u0000");
      (groups.get(key) ?? groups.set(key, []).get(key)!).push(i);
    }
    for (const group of groups.values()) {
      const template = [...cluster.template];
      for (const p of enumerated) template[p] = tokensOf[group[0]!]![p]!;
      const id = clusters.length;
      clusters.push({ id, template, size: group.length });
      for (const i of group) clusterOf[i] = id;
    }
  }
  return { clusters, clusterOf, values };
}
