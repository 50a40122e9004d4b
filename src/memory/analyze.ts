import { stemmer } from "stemmer";
import { STOPWORDS } from "../relevance/terms.js";
import { KIND, SAME } from "./lexicon.js";

/**
 * Terms for memory search. Identifiers are split into their words (`retryWithBackoff`,
 * `user_sessions`, `deploy-prod.sh`, `exporter.otlp.timeout_ms`), every word is stemmed (Porter,
 * the `stemmer` package: "prefers", "preference" and "preferred" are all `prefer`), and a query
 * is widened with the synonyms, abbreviations and kinds of lexicon.ts. Each query term says why
 * it is there, so a result can say why it matched.
 */
export interface DocumentTerms {
  /** Term → weighted frequency: tags count TAG_WEIGHT times, a key KEY_WEIGHT times. */
  tf: Map<string, number>;
  /** Weighted length, for BM25's length normalisation. */
  length: number;
  /** Term → the word as the memory wrote it (lower case), to say what matched. */
  surface: Map<string, string>;
  /** Terms that come from the memory's tags. */
  tagTerms: Set<string>;
}

export type MatchKind = "word" | "synonym" | "related" | "prefix";

export interface QueryTerm {
  term: string;
  weight: number;
  kind: MatchKind;
  /** The query's word or phrase that brought the term in. */
  from: string;
}

const TAG_WEIGHT = 3;
const KEY_WEIGHT = 2;
const SYNONYM_WEIGHT = 0.8;
/** A general word for a specific one ("database" for postgres): weaker than a synonym. */
const KIND_WEIGHT = 0.6;
/** A specific word for the general one ("pnpm" for "package manager"): weaker still. */
const KIND_UP_WEIGHT = 0.4;
export const PREFIX_WEIGHT = 0.5;

/** A word, or an identifier with its separators and camelCase humps. */
const TOKEN = /[\p{L}\p{N}_](?:[\p{L}\p{N}_]|[./\-:#@](?=[\p{L}\p{N}_]))*/gu;
const HUMP = /(?<=[\p{Ll}\p{N}])(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})/u;

/** The lower-cased words of a text, identifiers split; `whole` is set on an identifier's own form. */
export function words(text: string): Array<{ word: string; whole?: true }> {
  const out: Array<{ word: string; whole?: true }> = [];
  for (const match of text.matchAll(TOKEN)) {
    const token = match[0];
    const parts = token.split(/[._/\-:#@]+/).flatMap((p) => p.split(HUMP)).filter((p) => p.length > 0);
    if (parts.length > 1) out.push({ word: token.toLowerCase(), whole: true });
    for (const part of parts) {
      const word = part.toLowerCase();
      if ((word.length < 2 && !/\d/.test(word)) || STOPWORDS.has(word)) continue;
      out.push({ word });
    }
  }
  return out;
}

const stems = new Map<string, string>();
const STEM_CACHE = 50_000;

/** Porter's stem; its `y`→`i` is undone so "deployed" (deploi) meets "deployment" (deploy). */
export function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  let s = stems.get(word);
  if (s === undefined) {
    s = stemmer(word).replace(/i$/, "y");
    if (stems.size >= STEM_CACHE) stems.clear();
    stems.set(word, s);
  }
  return s;
}

export function analyzeDocument(content: string, tags: readonly string[], key: string | undefined): DocumentTerms {
  const doc: DocumentTerms = { tf: new Map(), length: 0, surface: new Map(), tagTerms: new Set() };
  const add = (text: string, weight: number, isTag: boolean) => {
    for (const { word, whole } of words(text)) {
      const term = whole ? word : stem(word);
      doc.tf.set(term, (doc.tf.get(term) ?? 0) + weight);
      doc.length += weight;
      if (!doc.surface.has(term)) doc.surface.set(term, word);
      if (isTag) doc.tagTerms.add(term);
    }
  };
  add(content, 1, false);
  for (const tag of tags) add(tag, TAG_WEIGHT, true);
  if (key) add(key, KEY_WEIGHT, false);
  return doc;
}

/** A phrase's terms as a key: "Package Managers" → "packag manag". */
function phraseKey(phrase: string): string {
  return words(phrase)
    .filter((w) => !w.whole)
    .map((w) => stem(w.word))
    .join(" ");
}

interface Expansion {
  key: string;
  phrase: string;
  weight: number;
  kind: MatchKind;
}

/** Phrase key → what it widens to; built once, on the first query. */
let lexicon: Map<string, Expansion[]> | undefined;

function expansions(): Map<string, Expansion[]> {
  if (lexicon) return lexicon;
  const map = new Map<string, Expansion[]>();
  const link = (from: string, to: string, weight: number, kind: MatchKind) => {
    const key = phraseKey(from);
    const target = phraseKey(to);
    if (!key || !target || key === target) return;
    const list = map.get(key) ?? [];
    if (!list.some((e) => e.key === target)) list.push({ key: target, phrase: to, weight, kind });
    map.set(key, list);
  };
  for (const group of SAME) for (const a of group) for (const b of group) link(a, b, SYNONYM_WEIGHT, "synonym");
  for (const [general, specific] of KIND) {
    for (const s of specific) {
      link(general, s, KIND_WEIGHT, "related");
      link(s, general, KIND_UP_WEIGHT, "related");
    }
  }
  lexicon = map;
  return map;
}

/** A query's terms: its own (stemmed, identifiers split), then synonyms and kinds of its words and phrases. */
export function analyzeQuery(query: string): QueryTerm[] {
  const found = new Map<string, QueryTerm>();
  const add = (t: QueryTerm) => {
    const had = found.get(t.term);
    if (!had || had.weight < t.weight) found.set(t.term, t);
  };
  const plain: Array<{ word: string; term: string }> = [];
  for (const { word, whole } of words(query)) {
    if (whole) {
      add({ term: word, weight: 1, kind: "word", from: word });
      continue;
    }
    const term = stem(word);
    plain.push({ word, term });
    add({ term, weight: 1, kind: "word", from: word });
  }
  const table = expansions();
  // phrases of one to three words: "package manager", "pull request", "env var"
  for (let n = 1; n <= 3; n++) {
    for (let i = 0; i + n <= plain.length; i++) {
      const slice = plain.slice(i, i + n);
      const from = slice.map((p) => p.word).join(" ");
      for (const e of table.get(slice.map((p) => p.term).join(" ")) ?? []) {
        const parts = e.key.split(" ");
        // a phrase's weight is shared by its words, so all of them together weigh as one word
        for (const term of parts) add({ term, weight: e.weight / parts.length, kind: e.kind, from });
      }
    }
  }
  return [...found.values()];
}
