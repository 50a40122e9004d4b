/**
 * Where a JSON text first goes wrong, as line and column, with a hint a person can act on.
 * Node 20's JSON.parse often reports only the offending token ("Unexpected token '}'"), not
 * where it is, and a user told "~/.claude.json is not valid JSON" in a 3,000-line file cannot
 * fix it; so a small strict scanner finds the spot again.
 */
export interface JsonErrorAt {
  line: number;
  column: number;
  hint: string;
}

class Stop {
  constructor(readonly offset: number) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** The first error in `text` (which JSON.parse rejected), or undefined when the scanner finds none. */
export function locateJsonError(text: string): JsonErrorAt | undefined {
  const offset = firstErrorOffset(text);
  if (offset === undefined) return undefined;
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - (before.lastIndexOf("\n") + 1) + 1;
  return { line, column, hint: hintAt(text, offset) };
}

function hintAt(text: string, offset: number): string {
  if (offset >= text.length) return "the file ends too early (a missing } or ])";
  if (text.startsWith("//", offset) || text.startsWith("/*", offset)) return "comments are not allowed in this file";
  const char = text[offset]!;
  if ((char === "}" || char === "]") && /,\s*$/.test(text.slice(0, offset))) return "a trailing comma";
  if (char === "'") return "strings need double quotes";
  return `unexpected ${JSON.stringify(char)}`;
}

function firstErrorOffset(text: string): number | undefined {
  let i = 0;
  const space = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const expect = (char: string) => {
    space();
    if (text[i] !== char) throw new Stop(i);
    i++;
  };
  const string = () => {
    if (text[i] !== '"') throw new Stop(i);
    i++;
    while (i < text.length) {
      const char = text[i]!;
      if (char === '"') return void i++;
      if (char === "\\") {
        const next = text[i + 1] ?? "";
        if ('"\\/bfnrt'.includes(next) && next !== "") i += 2;
        else if (next === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else throw new Stop(i);
      } else if (char < " ") throw new Stop(i);
      else i++;
    }
    throw new Stop(i);
  };
  const value = (): void => {
    space();
    const char = text[i];
    if (char === "{" || char === "[") {
      const close = char === "{" ? "}" : "]";
      i++;
      space();
      if (text[i] === close) return void i++;
      for (;;) {
        if (close === "}") {
          space();
          string();
          expect(":");
        }
        value();
        space();
        if (text[i] === ",") i++;
        else if (text[i] === close) return void i++;
        else throw new Stop(i);
      }
    }
    if (char === '"') return string();
    NUMBER.lastIndex = i;
    if (NUMBER.test(text)) return void (i = NUMBER.lastIndex);
    for (const word of ["true", "false", "null"]) if (text.startsWith(word, i)) return void (i += word.length);
    throw new Stop(i);
  };
  try {
    value();
    space();
    if (i < text.length) throw new Stop(i);
    return undefined;
  } catch (error) {
    if (error instanceof Stop) return error.offset;
    throw error;
  }
}
