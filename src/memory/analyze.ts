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
  /** The content's and tags' stems in order (a "" between parts), to find phrases. */
  sequence: string[];
}

export type MatchKind = "word" | "synonym" | "related" | "prefix";

export interface QueryTerm {
  /** A stem, an identifier's whole form, or a phrase's stems joined by spaces. */
  term: string;
  /** For a phrase: its stems, which must stand in a row in a memory. */
  phrase?: string[];
  weight: number;
  kind: MatchKind;
  /** The query's word or phrase that brought the term in. */
  from: string;
  /** For a widened term: the lexicon's word or phrase, as a result says it matched. */
  shown?: string;
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
/** Words that say little about what a memory is about, besides the shared STOPWORDS. */
const NOTE_STOPWORDS: ReadonlySet<string> = new Set(
  ("about above after again all also any because been before being both could each else even every " +
    "into just may might more most must much only other our over same should some such than too us " +
    "very via we would yet").split(" "),
);
/**
 * Porter's stem merges a few words a developer keeps apart: "settings" is not "set", "composer"
 * (PHP's package manager) is not "compose".
 */
const STEM_EXCEPTIONS: ReadonlyMap<string, string> = new Map([
  ["settings", "setting"],
  ["setting", "setting"],
  ["composer", "composer"],
]);

/** The lower-cased words of a text, identifiers split; `whole` is set on an identifier's own form. */
export function words(text: string): Array<{ word: string; whole?: true }> {
  const out: Array<{ word: string; whole?: true }> = [];
  for (const match of text.matchAll(TOKEN)) {
    const token = match[0];
    const parts = token.split(/[._/\-:#@]+/).flatMap((p) => p.split(HUMP)).filter((p) => p.length > 0);
    if (parts.length > 1) out.push({ word: token.toLowerCase(), whole: true });
    for (const part of parts) {
      const word = part.toLowerCase();
      if ((word.length < 2 && !/\d/.test(word)) || STOPWORDS.has(word) || NOTE_STOPWORDS.has(word)) continue;
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
    s = STEM_EXCEPTIONS.get(word) ?? stemmer(word).replace(/i$/, "y");
    if (stems.size >= STEM_CACHE) stems.clear();
    stems.set(word, s);
  }
  return s;
}

export function analyzeDocument(content: string, tags: readonly string[], key: string | undefined): DocumentTerms {
  const doc: DocumentTerms = { tf: new Map(), length: 0, surface: new Map(), tagTerms: new Set(), sequence: [] };
  const add = (text: string, weight: number, isTag: boolean) => {
    doc.sequence.push("");
    for (const { word, whole } of words(text)) {
      const term = whole ? word : stem(word);
      if (!whole) doc.sequence.push(term);
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

/** A lexicon entry's terms as a key: "Package Managers" → "packag manag"; an identifier whole: "on-call". */
function phraseKey(entry: string): string {
  if (!/\s/.test(entry) && /[./\-:#@_]/.test(entry)) return entry.toLowerCase();
  return words(entry)
    .filter((w) => !w.whole)
    .map((w) => stem(w.word))
    .join(" ");
}

/** Whether `phrase` stands in a row in `sequence`. */
export function holdsPhrase(sequence: readonly string[], phrase: readonly string[]): boolean {
  outer: for (let i = 0; i + phrase.length <= sequence.length; i++) {
    for (let j = 0; j < phrase.length; j++) if (sequence[i + j] !== phrase[j]) continue outer;
    return true;
  }
  return false;
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
      for (const e of expansions().get(word) ?? []) add({ term: e.key, weight: e.weight, kind: e.kind, from: word, shown: e.phrase });
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
        add({ term: e.key, ...(parts.length > 1 ? { phrase: parts } : {}), weight: e.weight, kind: e.kind, from, shown: e.phrase });
      }
    }
  }
  return [...found.values()];
}
