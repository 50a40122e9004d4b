/**
 * Where o200k's pre-tokenising pattern ends a piece, computed by hand for ASCII text.
 *
 * The pattern (alternatives tried in order at each position):
 *   1. [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(contraction)?
 *   2. [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(contraction)?
 *   3. \p{N}{1,3}
 *   4.  ?[^\s\p{L}\p{N}]+[\r\n/]*
 *   5. \s*[\r\n]+
 *   6. \s+(?!\S)
 *   7. \s+
 * V8 runs it at ~150 ns a piece on logs (alternative 5 backtracks over every run of spaces);
 * this scanner gives the same pieces in a fraction of that. For ASCII the classes are disjoint,
 * so no backtracking is needed. Whenever a decision depends on a non-ASCII character it returns
 * NEEDS_REGEX and the caller runs the real pattern at that position: same result, always.
 */
export const NEEDS_REGEX = -1;

// character kinds, for ASCII only
const LOWER = 1;
const UPPER = 2;
const DIGIT = 3;
const NEWLINE = 4;
const SPACE = 5; // \s other than \r and \n
const OTHER = 6;
const NON_ASCII = 0;

const KIND = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if (c >= 97 && c <= 122) KIND[c] = LOWER;
  else if (c >= 65 && c <= 90) KIND[c] = UPPER;
  else if (c >= 48 && c <= 57) KIND[c] = DIGIT;
  else if (c === 10 || c === 13) KIND[c] = NEWLINE;
  else if (c === 32 || c === 9 || c === 11 || c === 12) KIND[c] = SPACE;
  else KIND[c] = OTHER;
}

function kindAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  return c < 128 ? KIND[c]! : NON_ASCII;
}

/** End of the piece that starts at `start` (< text.length), or NEEDS_REGEX. */
export function asciiPieceEnd(text: string, start: number): number {
  const n = text.length;
  const first = kindAt(text, start);
  if (first === NON_ASCII) return NEEDS_REGEX;

  // 1 and 2: a word, after an optional prefix (anything but \r, \n, a letter or a digit)
  if (first === LOWER || first === UPPER || first === SPACE || first === OTHER) {
    const word = first === LOWER || first === UPPER ? start : start + 1;
    if (word < n) {
      let i = word;
      let k = kindAt(text, i);
      while (k === UPPER && ++i < n) k = kindAt(text, i);
      const upperEnd = i;
      if (i < n) {
        if (k === NON_ASCII) return NEEDS_REGEX;
        while (k === LOWER && ++i < n) k = kindAt(text, i);
        if (i < n && k === NON_ASCII) return NEEDS_REGEX;
      }
      // 1 needs a lowercase letter after the capitals; 2 needs at least one capital
      if (i > upperEnd || upperEnd > word) return contractionEnd(text, i);
    }
  }

  // 3: up to three digits
  if (first === DIGIT) {
    let i = start + 1;
    while (i < n && i < start + 3) {
      const k = kindAt(text, i);
      if (k === NON_ASCII) return NEEDS_REGEX;
      if (k !== DIGIT) break;
      i++;
    }
    return i;
  }

  // 4: punctuation, after an optional space, then any \r, \n or /
  let punct = -1;
  if (first === OTHER) punct = start;
  else if (text.charCodeAt(start) === 32 && start + 1 < n) {
    const next = kindAt(text, start + 1);
    if (next === NON_ASCII) return NEEDS_REGEX;
    if (next === OTHER) punct = start + 1;
  }
  if (punct >= 0) {
    let i = punct + 1;
    for (; i < n; i++) {
      const k = kindAt(text, i);
      if (k === NON_ASCII) return NEEDS_REGEX;
      if (k !== OTHER) break;
    }
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13 && c !== 47) break;
    }
    return i;
  }

  // 5, 6, 7: a run of whitespace
  let end = start;
  let lastNewline = -1;
  for (; end < n; end++) {
    const k = kindAt(text, end);
    if (k === NEWLINE) lastNewline = end;
    else if (k === NON_ASCII) return NEEDS_REGEX; // may be whitespace, e.g. U+00A0
    else if (k !== SPACE) break;
  }
  if (lastNewline >= 0) return lastNewline + 1;
  if (end === n || end - start === 1) return end;
  return end - 1;
}

/** After a word: 's 't 're 've 'm 'll 'd in any case, if present. */
function contractionEnd(text: string, end: number): number {
  if (text.charCodeAt(end) !== 39) return end;
  const a = text.charCodeAt(end + 1) | 0x20;
  if (a === 115 || a === 116 || a === 109 || a === 100) return end + 2; // s t m d
  const b = text.charCodeAt(end + 2) | 0x20;
  if ((a === 114 && b === 101) || (a === 118 && b === 101) || (a === 108 && b === 108)) return end + 3; // re ve ll
  return end;
}
