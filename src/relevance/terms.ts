/**
 * Query and document terms for lexical relevance. One tokeniser, shared by the JSON crusher,
 * retrieval and (later) memory search, so a query matches the same way everywhere.
 */
export const STOPWORDS: ReadonlySet<string> = new Set(
  ("a an and are as at be but by can did do does find for from get give has have how i in is it its " +
    "me my need not of on or please show so tell that the their them then there these this to was " +
    "were what when where which who why will with you your").split(" "),
);

const WORD = /[\p{L}\p{N}_]+/gu;

/** Lower-cased word terms, stopwords removed; identifiers split on `_` too (snake_case). */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const match of text.toLowerCase().matchAll(WORD)) {
    const word = match[0];
    if (word.length < 2 && !/\d/.test(word)) continue;
    if (STOPWORDS.has(word)) continue;
    out.push(word);
    if (word.includes("_")) {
      for (const part of word.split("_")) if (part.length >= 2 && !STOPWORDS.has(part)) out.push(part);
    }
  }
  return out;
}

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const QUOTED = /"([^"]{2,200})"|'([^']{2,200})'|`([^`]{2,200})`/g;
const EMAIL = /\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g;

/**
 * Exact anchors in a query: strings that, when present in a unit, make it a certain match —
 * UUIDs, quoted strings, e-mails, and tokens that mix letters with digits or carry path/host
 * punctuation (`ERR-5523`, `src/auth/jwt.ts`, `api.example.com`, `4f2a9c1`), and numbers of
 * four or more digits. Returned lower-cased, longest first, without duplicates.
 */
export function exactAnchors(query: string): string[] {
  const found = new Set<string>();
  for (const m of query.matchAll(UUID)) found.add(m[0]);
  for (const m of query.matchAll(QUOTED)) found.add((m[1] ?? m[2] ?? m[3] ?? "").trim());
  for (const m of query.matchAll(EMAIL)) found.add(m[0]);
  for (const raw of query.split(/\s+/)) {
    const token = raw.replace(/^[("'`[{<]+|[)"'`\]}>,;:!?.]+$/g, "");
    if (token.length < 4) continue;
    const hasDigit = /\d/.test(token);
    const hasLetter = /\p{L}/u.test(token);
    const isNumber = /^\d{4,}$/.test(token);
    const structured = /[/.\-_:#@]/.test(token) && hasLetter && token.length >= 5 && !/^\p{L}+\.$/u.test(token);
    if (isNumber || (hasDigit && hasLetter) || (structured && (hasDigit || /[/_]/.test(token) || /\.\w{2,}$/.test(token)))) {
      found.add(token);
    }
  }
  return [...found]
    .map((a) => a.toLowerCase())
    .filter((a) => a.length >= 2)
    .sort((x, y) => y.length - x.length || (x < y ? -1 : x > y ? 1 : 0));
}
