import { terms } from "./terms.js";

/**
 * Okapi BM25 over a batch of documents for one query. Documents are scanned once; only query
 * terms are counted, so scoring 10,000 items costs about one pass over their text.
 * Scores are raw BM25 (0 = no query term present).
 */
const K1 = 1.2;
const B = 0.75;

export function bm25Scores(documents: readonly string[], query: string): Float64Array {
  const queryTerms = [...new Set(terms(query))];
  const scores = new Float64Array(documents.length);
  if (queryTerms.length === 0 || documents.length === 0) return scores;
  const index = new Map(queryTerms.map((t, i) => [t, i]));
  const tf = documents.map(() => new Uint32Array(queryTerms.length));
  const lengths = new Uint32Array(documents.length);
  const df = new Uint32Array(queryTerms.length);
  documents.forEach((doc, d) => {
    const docTerms = terms(doc);
    lengths[d] = docTerms.length;
    const counts = tf[d]!;
    for (const t of docTerms) {
      const i = index.get(t);
      if (i !== undefined) counts[i]!++;
    }
    for (let i = 0; i < counts.length; i++) if (counts[i]! > 0) df[i]!++;
  });
  const n = documents.length;
  let totalLength = 0;
  for (const l of lengths) totalLength += l;
  const avgdl = totalLength / n || 1;
  const idf = Array.from(df, (d) => Math.log(1 + (n - d + 0.5) / (d + 0.5)));
  for (let d = 0; d < n; d++) {
    const counts = tf[d]!;
    const norm = K1 * (1 - B + (B * lengths[d]!) / avgdl);
    let score = 0;
    for (let i = 0; i < counts.length; i++) {
      const f = counts[i]!;
      if (f > 0) score += idf[i]! * ((f * (K1 + 1)) / (f + norm));
    }
    scores[d] = score;
  }
  return scores;
}

/** Indices of documents ranked by score, best first, ties by position; zero scores dropped. */
export function rankByScore(scores: Float64Array): number[] {
  const ranked: number[] = [];
  for (let i = 0; i < scores.length; i++) if (scores[i]! > 0) ranked.push(i);
  return ranked.sort((a, b) => scores[b]! - scores[a]! || a - b);
}
