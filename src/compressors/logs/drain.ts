import { WILDCARD } from "./mask.js";

/**
 * A Drain-style online template miner. Messages (already masked) are routed through a fixed-depth
 * tree — first by token count, then by their leading tokens — to a small list of clusters, and
 * join the most similar one if enough positions agree; positions that disagree become `<*>`.
 *
 * He et al., "Drain: An Online Log Parsing Approach with Fixed Depth Tree", ICWS 2017. This is
 * our own implementation of the idea, with its parameters in one object.
 */
export interface DrainConfig {
  /** Leading tokens used for routing (the paper's depth minus two). */
  prefixTokens: number;
  /** Share of non-wildcard positions that must agree to join a cluster. */
  similarity: number;
  /** Children per tree node before further tokens all route to the wildcard child. */
  maxChildren: number;
}

export const DEFAULT_DRAIN: DrainConfig = { prefixTokens: 2, similarity: 0.5, maxChildren: 100 };

export interface Cluster {
  id: number;
  template: string[];
  size: number;
}

interface Node {
  children: Map<string, Node>;
  clusters: Cluster[];
}

export class Drain {
  private readonly root = new Map<number, Node>();
  readonly clusters: Cluster[] = [];

  constructor(private readonly config: DrainConfig = DEFAULT_DRAIN) {}

  /** Adds a masked message and returns the cluster it joined (or founded). */
  add(tokens: readonly string[]): Cluster {
    const leaf = this.leafFor(tokens);
    let best: Cluster | undefined;
    let bestSimilarity = -1;
    let bestWildcards = -1;
    for (const cluster of leaf.clusters) {
      const { similarity, wildcards } = compare(cluster.template, tokens);
      if (similarity > bestSimilarity || (similarity === bestSimilarity && wildcards > bestWildcards)) {
        best = cluster;
        bestSimilarity = similarity;
        bestWildcards = wildcards;
      }
    }
    if (best && bestSimilarity >= this.config.similarity) {
      for (let i = 0; i < best.template.length; i++) if (best.template[i] !== tokens[i]) best.template[i] = WILDCARD;
      best.size++;
      return best;
    }
    const cluster: Cluster = { id: this.clusters.length, template: [...tokens], size: 1 };
    this.clusters.push(cluster);
    leaf.clusters.push(cluster);
    return cluster;
  }

  private leafFor(tokens: readonly string[]): Node {
    let node = this.root.get(tokens.length);
    if (!node) {
      node = { children: new Map(), clusters: [] };
      this.root.set(tokens.length, node);
    }
    const depth = Math.min(this.config.prefixTokens, tokens.length);
    for (let i = 0; i < depth; i++) {
      const token = tokens[i]!;
      // a token that is partly variable (`libssl3:amd64` → `libssl<*>:amd<*>`) routes like a variable:
      // as a key it would give every value a branch of its own, where no line could meet another
      let key = token.includes(WILDCARD) ? WILDCARD : token;
      if (!node.children.has(key) && node.children.size >= this.config.maxChildren) key = WILDCARD;
      let child = node.children.get(key);
      if (!child) {
        child = { children: new Map(), clusters: [] };
        node.children.set(key, child);
      }
      node = child;
    }
    return node;
  }
}

/** Share of positions where the template has a constant equal to the token; wildcards counted apart. */
function compare(template: readonly string[], tokens: readonly string[]): { similarity: number; wildcards: number } {
  let same = 0;
  let wildcards = 0;
  for (let i = 0; i < template.length; i++) {
    if (template[i] === WILDCARD) wildcards++;
    else if (template[i] === tokens[i]) same++;
  }
  return { similarity: template.length === 0 ? 1 : same / template.length, wildcards };
}
