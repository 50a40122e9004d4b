import type { Node } from "web-tree-sitter";

/**
 * A generic outliner over any tree-sitter grammar. It works in whole lines: a definition keeps
 * its signature lines (decorators, parameters, return type, the opening brace) and its closing
 * line, and the lines of its body are elided when there are more than a few. Containers
 * (classes, interfaces, impls, modules, namespaces…) are walked into so their members get the
 * same treatment. Long comment blocks keep their first sentence; long statements that hold no
 * definition keep their first and last lines. Node kinds are recognised by their grammar names
 * (`function_definition`, `method_declaration`, `class_body`…), so one walker serves every
 * language in languages.ts.
 */
export interface CodeSymbol {
  /** Qualified name: `UserService.create`, `S.Method`, `module.Class.method`. */
  name: string;
  kind: "function" | "container";
  /** 0-based, inclusive. */
  startRow: number;
  endRow: number;
}

export interface Elision {
  startRow: number;
  endRow: number;
  /** What was elided, for the marker: a symbol's body, a comment, a statement. */
  label: string;
  /** Rows of the whole unit the elided rows belong to. */
  unitRows: number;
  /** The rest of a doc comment, which comes back with the function right below it (by name). */
  documents?: boolean;
  /** For a doc comment: its first row, where the function it documents starts. */
  commentRow?: number;
}

export interface OutlinePlan {
  symbols: CodeSymbol[];
  elisions: Elision[];
}

const FUNCTION = /(?:^|_)(?:function|method|constructor|destructor|lambda|closure|accessor|operator|func)(?:_|$)|^method$|^singleton_method$|^arrow_function$/;
const NOT_FUNCTION = /declarator|signature|call|invocation|type|reference|parameter|argument|name/;
const CONTAINER = /(?:^|_)(?:class|interface|impl|trait|module|namespace|struct|enum|object|protocol|extension|mixin|record|union)(?:_|$)|^class$|^module$|^type_spec$/;
const NOT_CONTAINER = /body|list|name|identifier|specifier_list|heritage|clause|type$/;
const COMMENT = /comment/;
/** A comment line of only rule characters: `# ======`, `//------`, a row of stars. */
const BANNER = /^\s*(?:\/\/+|#+|\/\*+|\*|--)\s*[-=*#~_+]{4,}\s*(?:\*\/)?\s*$/m;
const WRAPPER = /^(?:decorated_definition|export_statement|template_declaration|attributed_declaration|type_declaration)$/;

/**
 * Elided text must be worth its marker: an inline `… L120-159` costs about 6 tokens, so lines
 * holding fewer characters than this (a `return size;` body, the closing line of a comment) stay.
 */
const MIN_HIDDEN_CHARS = 24;
/** A summary sentence may run over this many lines. */
const SUMMARY_LINES = 3;
const LONG_STATEMENT = 12;
const DECLARATION = /declaration|import|include|using|package|const|var_|let_|type_|enum|export|extern|namespace|module/;

export function planOutline(root: Node): OutlinePlan {
  const symbols: CodeSymbol[] = [];
  const elisions: Elision[] = [];
  const sourceLines = root.text.split("\n");
  /** A definition's first row → the first row of the doc comment right above it. */
  const docStarts = new Map<number, number>();
  /** A definition, with its doc comment: what retrieving it by name gives back. */
  const symbolRows = (range: Node) => ({ startRow: docStarts.get(range.startPosition.row) ?? range.startPosition.row, endRow: range.endPosition.row });

  /** Walks the children of `node`; returns whether any definition was found below it. */
  const walk = (node: Node, scope: readonly string[]): boolean => {
    let found = false;
    const children = node.namedChildren.filter((c): c is Node => c !== null);
    for (let k = 0; k < children.length; k++) {
      const child = children[k]!;
      if (COMMENT.test(child.type)) {
        // a run of comment nodes on consecutive lines is one block
        let last = k;
        while (last + 1 < children.length && COMMENT.test(children[last + 1]!.type) && children[last + 1]!.startPosition.row <= children[last]!.endPosition.row + 1) last++;
        const next = children[last + 1];
        // a banner (`# ======`) heads a section, it does not document what follows
        const banner = children.slice(k, last + 1).some((c) => BANNER.test(c.text));
        const documents = !banner && next !== undefined && next.startPosition.row <= children[last]!.endPosition.row + 1 && (isFunction(next) || isContainer(next) || WRAPPER.test(next.type));
        if (documents) docStarts.set(next.startPosition.row, children[k]!.startPosition.row);
        elideComment(children[k]!.startPosition.row, children[last]!.endPosition.row, children[last]!, documents);
        k = last;
        continue;
      }
      if (isFunction(child)) {
        found = true;
        const name = [...scope, nameOf(child)].join(".");
        const range = wrapped(child);
        symbols.push({ name, kind: "function", ...symbolRows(range) });
        elideBody(child, name, range);
        continue;
      }
      if (isContainer(child)) {
        found = true;
        const range = wrapped(child);
        const name = [...scope, nameOf(child)].join(".");
        symbols.push({ name, kind: "container", ...symbolRows(range) });
        walk(child, [...scope, nameOf(child)]);
        continue;
      }
      if (isDocString(child)) {
        elideComment(child.startPosition.row, child.endPosition.row, child);
        continue;
      }
      const rows = child.endPosition.row - child.startPosition.row + 1;
      // a node on one or two lines holds nothing worth eliding: not descending keeps big files fast
      const below = rows >= 3 ? walk(child, scope) : false;
      found ||= below;
      // declarations are API (`const (` … `)` of status codes, `import (`): only other statements are cut
      if (!below && rows > LONG_STATEMENT && node.parent === null && !DECLARATION.test(child.type)) {
        elisions.push({ startRow: child.startPosition.row + 1, endRow: child.endPosition.row - 1, label: `statement (lines ${child.startPosition.row + 1}-${child.endPosition.row + 1})`, unitRows: rows });
      }
    }
    return found;
  };

  const elideComment = (startRow: number, lastRow: number, last: Node, documents = false) => {
    // a comment that ends on a line of code (`*/ function helper(a) {`) leaves that line alone
    const endRow = (sourceLines[lastRow] ?? "").slice(last.endPosition.column).trim() === "" ? lastRow : lastRow - 1;
    const rows = endRow - startRow + 1;
    // keep the summary, the first sentence (not an opening `/**` alone); the rest, with a closing
    // `*/` or `"""` line, is what the marker stands for
    const closer = /^\s*(?:\*\/|"""|''')\s*$/.test(last.text.split("\n").pop() ?? "") ? 1 : 0;
    const from = firstSentenceEnd(sourceLines, startRow, endRow - closer) + 1;
    if (!worthEliding(sourceLines, from, endRow)) return;
    elisions.push({ startRow: from, endRow, label: `comment (lines ${startRow + 1}-${endRow + 1})`, unitRows: rows, documents, commentRow: startRow });
  };

  const elideBody = (fn: Node, name: string, range: Node) => {
    const rows = bodyRows(fn, sourceLines);
    if (!rows || !worthEliding(sourceLines, rows.startRow, rows.endRow)) return;
    elisions.push({ ...rows, label: `${name} (lines ${range.startPosition.row + 1}-${range.endPosition.row + 1})`, unitRows: range.endPosition.row - range.startPosition.row + 1 });
  };

  walk(root, []);
  // the bare "…" only where a function found by name gives the comment back: a type alias, a
  // declaration without a body, a class (whose source is far longer) keep their line range
  const functionStarts = new Set(symbols.filter((s) => s.kind === "function").map((s) => s.startRow));
  for (const e of elisions) if (e.documents && !functionStarts.has(e.commentRow!)) e.documents = false;
  elisions.sort((a, b) => a.startRow - b.startRow);
  return { symbols, elisions: elisions.filter((e) => e.endRow >= e.startRow) };
}

function worthEliding(lines: readonly string[], startRow: number, endRow: number): boolean {
  let chars = 0;
  for (let row = startRow; row <= endRow && chars < MIN_HIDDEN_CHARS; row++) chars += (lines[row] ?? "").trim().length;
  return chars >= MIN_HIDDEN_CHARS;
}

/** A string standing alone as a statement (Python and Ruby doc strings). */
function isDocString(node: Node): boolean {
  return node.type === "expression_statement" && node.namedChildren.length === 1 && node.namedChildren[0]?.type === "string";
}

function isFunction(node: Node): boolean {
  return FUNCTION.test(node.type) && !NOT_FUNCTION.test(node.type) && (node.childForFieldName("body") !== null || node.type === "method");
}

/** A named type-level definition (an object literal or an anonymous struct is not one). */
function isContainer(node: Node): boolean {
  if (!CONTAINER.test(node.type) || (node.type !== "type_spec" && NOT_CONTAINER.test(node.type))) return false;
  return node.childForFieldName("name") !== null || node.childForFieldName("type") !== null;
}

/** The node a reader thinks of as the definition: with its `export`, decorators or template. */
function wrapped(node: Node): Node {
  let current = node;
  while (current.parent && WRAPPER.test(current.parent.type)) current = current.parent;
  return current;
}

/**
 * The last row of a comment's or docstring's first sentence, from `startRow`: the opening line
 * when it has words (`/** Returns the total.`, `"""Load the file.`), else the first line that has
 * them, continued while the sentence has not ended (at most SUMMARY_LINES lines).
 */
export function firstSentenceEnd(lines: readonly string[], startRow: number, lastRow: number): number {
  let row = startRow;
  while (row < lastRow && !HAS_WORDS.test(commentText(lines[row] ?? ""))) row++;
  const first = row;
  while (row < lastRow && row - first + 1 < SUMMARY_LINES && !SENTENCE_END.test(commentText(lines[row] ?? "")) && HAS_WORDS.test(commentText(lines[row + 1] ?? ""))) row++;
  return row;
}

/** A line's text without comment and docstring punctuation: `/**`, `*`, `//`, `///`, `#`, `--`, `"""`. */
function commentText(line: string): string {
  return line.replace(/^\s*(?:\/\*\*?|\*\/?|\/\/[\/!]?|#+|--|[rRbBuU]?"""|[rRbBuU]?''')?/, "").replace(/(?:\*\/|"""|''')\s*$/, "").trim();
}

const HAS_WORDS = /\p{L}{2}/u;
/** A sentence ends at a full stop (or ! ?) before a space or the end of the line, or a colon that ends the line. */
const SENTENCE_END = /[.!?](?:\s|$)|:$/;

/** Rows of a body to elide: inside the braces, or the whole indented block (keeping a docstring's first sentence). */
function bodyRows(fn: Node, lines: readonly string[]): { startRow: number; endRow: number } | undefined {
  const body = fn.childForFieldName("body");
  if (!body) {
    // a `def … end` without a body field: the lines between its first and last
    return fn.endPosition.row - fn.startPosition.row >= 2 ? { startRow: fn.startPosition.row + 1, endRow: fn.endPosition.row - 1 } : undefined;
  }
  if (body.startPosition.row === fn.startPosition.row && body.endPosition.row === fn.startPosition.row) return undefined;
  if (body.text.startsWith("{") || body.text.startsWith("do") || body.text.startsWith("begin")) {
    // the closing brace goes with the body when it stands alone on its line: `… L12-40` ends the definition
    const closer = /^\s*(?:\}|end)[\s;,)]*$/.test(lines[body.endPosition.row] ?? "") ? 0 : 1;
    return { startRow: body.startPosition.row + 1, endRow: body.endPosition.row - closer };
  }
  let startRow = body.startPosition.row;
  if (startRow === fn.startPosition.row) startRow++;
  const first = body.namedChildren[0];
  if (first && first.type === "expression_statement" && first.namedChildren[0]?.type === "string") {
    // the docstring's summary stays, even when its opening `"""` has a line of its own
    startRow = firstSentenceEnd(lines, first.startPosition.row, first.endPosition.row) + 1;
  }
  return { startRow, endRow: body.endPosition.row };
}

/** The name a reader would use for a definition. */
export function nameOf(node: Node): string {
  const named = node.childForFieldName("name");
  if (named) return receiverPrefix(node) + compact(named.text);
  const declarator = node.childForFieldName("declarator");
  if (declarator) return compact(innermostDeclarator(declarator).text);
  const type = node.childForFieldName("type"); // `impl Store { … }`
  if (type) return compact(type.text);
  const parent = node.parent;
  if (parent) {
    const holder = parent.childForFieldName("name") ?? parent.childForFieldName("key") ?? parent.childForFieldName("left");
    if (holder && holder.id !== node.id) return compact(holder.text);
    if (parent.type === "arguments" && parent.parent?.type === "call_expression") {
      const callee = parent.parent.childForFieldName("function")?.text ?? "call";
      const label = parent.namedChildren.find((c) => c?.type === "string")?.text;
      return compact(label ? `${callee}(${label})` : `${callee}(…)`);
    }
  }
  return "anonymous";
}

/** Go methods are named with their receiver type: `(s *Store) Get` → `Store.Get`. */
function receiverPrefix(node: Node): string {
  const receiver = node.childForFieldName("receiver");
  if (!receiver) return "";
  const type = /(\w+)\s*(?:\[[^\]]*\])?\s*\)?\s*$/.exec(receiver.text.replace(/[()]/g, " ").trim());
  return type ? `${type[1]}.` : "";
}

function innermostDeclarator(node: Node): Node {
  let current = node;
  for (let next = current.childForFieldName("declarator"); next; next = current.childForFieldName("declarator")) current = next;
  return current;
}

function compact(text: string): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > 80 ? `${oneLine.slice(0, 77)}…` : oneLine;
}
