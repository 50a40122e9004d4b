import { Drain, type Cluster, type DrainConfig } from "./drain.js";
import { splitHeader } from "./header.js";
import { isFieldValue, maskMessage, skeletonToken, WILDCARD, type MaskedToken } from "./mask.js";

/** Every line of a log, clustered: the cluster of each line and the variable values it carried. */
export interface ParsedLog {
  clusters: Cluster[];
  clusterOf: Int32Array;
  /** Each line's masked tokens, and the original text of each `<*>` in them, in order. */
  tokens: string[][];
  values: string[][];
}

/** A generalised position with at most this many distinct words is an enumeration, not a variable. */
const MAX_ENUMERATED = 3;
/** `root`, `Admin`: a word that may well be a user's or a host's name. */
const BARE_WORD = /^[A-Za-z][a-z]*[,;:.]?$/;

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
  mergeSameSkeleton(drain.clusters, joined);
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
  for (const cluster of clusters) pushTo(byLength, cluster.template.length, cluster);
  const into = new Map<number, Cluster>();
  for (const group of byLength.values()) {
    if (group.length < 2) continue;
    const general = [...group].sort((a, b) => b.size - a.size);
    for (const cluster of group) {
      const host = general.find((g) => g !== cluster && g.size > cluster.size && covers(g.template, cluster.template));
      if (host) into.set(cluster.id, host);
    }
  }
  fold(clusters, joined, into);
}

/**
 * Drain routes by a message's leading tokens, so `Process com.android.browser (pid 12) has died`
 * and `Process com.tencent.mm:tools (pid 40) has died` never meet. Clusters of the same length
 * whose templates agree once field values (booleans, `key=` values, partly masked tokens) are set
 * aside are one event. So are more than a few clusters that differ in one place only, by a name
 * (`(guest) CMD`, `(oracle) CMD`, …): two or three are an enumeration of events
 * (`session opened` / `session closed`), many are a variable.
 */
function mergeSameSkeleton(clusters: Cluster[], joined: Int32Array): void {
  const into = new Map<number, Cluster>();
  const merge = (group: readonly Cluster[]): void => {
    const host = group[0]!;
    for (const cluster of group.slice(1)) {
      if (into.has(cluster.id)) continue;
      host.template.forEach((token, i) => {
        if (token !== cluster.template[i]) host.template[i] = WILDCARD;
      });
      into.set(cluster.id, host);
    }
  };
  const bySize = [...clusters].sort((a, b) => b.size - a.size);
  const skeletons = new Map<Cluster, { skeleton: string[]; constants: number }>();
  const byStrong = new Map<string, Cluster[]>();
  for (const cluster of bySize) {
    const skeleton = cluster.template.map(skeletonToken);
    const constants = skeleton.filter((t) => t !== WILDCARD).length;
    if (constants === 0 || constants * 2 < skeleton.length) continue;
    skeletons.set(cluster, { skeleton, constants });
    const key = `${skeleton.length}\u0000${skeleton.join(" ")}`;
    pushTo(byStrong, key, cluster);
  }
  for (const group of byStrong.values()) if (group.length > 1) merge(group);

  const byOnePlace = new Map<string, Cluster[]>();
  for (const [cluster, { skeleton, constants }] of skeletons) {
    if (into.has(cluster.id) || constants < 2) continue;
    skeleton.forEach((token, p) => {
      if (token === WILDCARD || !NAME.test(token)) return;
      const key = `${skeleton.length}\u0000${p}\u0000${skeleton.map((t, i) => (i === p ? WILDCARD : t)).join(" ")}`;
      pushTo(byOnePlace, key, cluster);
    });
  }
  for (const group of byOnePlace.values()) {
    const open = group.filter((c) => !into.has(c.id));
    if (open.length > MAX_ENUMERATED) merge(open);
  }
  fold(clusters, joined, into);
}

/**
 * `(guest)`, `'sparkDriver'`, `com.android.browser`, `/var/run/x.pid`: a name in brackets or
 * quotes, or with dots, slashes or colons inside. A bare word (`Started` / `Stopped`) is the event.
 */
const NAME = /^[(['"].*[)\]'"][,:;]?$|^[^\s]*\w[./:@$\\]\w/;

/** Moves the lines of each cluster in `into` to the cluster it names, and drops clusters left empty. */
function fold(clusters: Cluster[], joined: Int32Array, into: Map<number, Cluster>): void {
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

function pushTo<K, V>(groups: Map<K, V[]>, key: K, value: V): void {
  const group = groups.get(key);
  if (group) group.push(value);
  else groups.set(key, [value]);
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
  joined.forEach((c, i) => pushTo(members, c, i));
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
        // a (partly) masked variable, a boolean or the value of a `key=`: a real variable
        if (word === WILDCARD || isFieldValue(word, tokensOf[i]![position - 1])) return;
        words.add(word);
        if (words.size > MAX_ENUMERATED) return;
      }
      enumerated.push(position);
    });
    // One differing bare word is a name (`for root`, `for admin`), and so is one differing name in a
    // message that is mostly values already (a dump of fields); a phrase that differs, or a differing
    // keyword or identifier in a message of words (`HTTPS` / `SOCKS5`, `action.SCREEN_ON` /
    // `action.SCREEN_OFF`), marks a different event.
    if (enumerated.length === 1) {
      const position = enumerated[0]!;
      const otherVariables = cluster.template.filter((t, p) => p !== position && t.includes(WILDCARD)).length;
      if (otherVariables > MAX_ENUMERATED - 1 || lines.some((i) => BARE_WORD.test(tokensOf[i]![position]!))) enumerated.length = 0;
    }
    const groups = new Map<string, number[]>();
    for (const i of lines) {
      const key = enumerated.map((p) => tokensOf[i]![p]).join("\u0000");
      pushTo(groups, key, i);
    }
    for (const group of groups.values()) {
      const template = [...cluster.template];
      for (const p of enumerated) template[p] = tokensOf[group[0]!]![p]!;
      const id = clusters.length;
      clusters.push({ id, template, size: group.length });
      for (const i of group) clusterOf[i] = id;
    }
  }
  return { clusters, clusterOf, tokens: tokensOf, values };
}
