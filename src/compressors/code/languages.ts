/**
 * The language table: extension → grammar file, and the line patterns that recognise a language
 * from content when no path is given. Adding a language is adding a row (and its grammar to
 * grammars/fetch.mjs). The outliner itself is generic (see outline.ts).
 */
export interface LanguageSpec {
  id: string;
  grammar: string;
  extensions: readonly string[];
  /** Patterns whose hits in the first lines vote for this language. */
  signs: readonly RegExp[];
}

export const LANGUAGES: readonly LanguageSpec[] = [
  {
    id: "python",
    grammar: "tree-sitter-python.wasm",
    extensions: ["py", "pyi", "pyw"],
    signs: [/^\s*(?:async\s+)?def \w+\(.*\)\s*(?:->.*)?:\s*$/, /^\s*class \w+.*:\s*$/, /^(?:from [\w.]+ )?import [\w.]+/, /^\s*@\w+/, /^\s*(?:elif|except|finally)\b.*:\s*$/, /^\s*"""/],
  },
  {
    id: "typescript",
    grammar: "tree-sitter-typescript.wasm",
    extensions: ["ts", "mts", "cts"],
    signs: [/^\s*(?:export )?(?:interface|type) \w+/, /:\s*(?:string|number|boolean|void|unknown|Promise<)/, /^\s*(?:public|private|protected|readonly) \w+/, /^import .* from ["']/, /^\s*export (?:const|function|class|default)/],
  },
  {
    id: "tsx",
    grammar: "tree-sitter-tsx.wasm",
    extensions: ["tsx"],
    signs: [],
  },
  {
    id: "javascript",
    grammar: "tree-sitter-javascript.wasm",
    extensions: ["js", "mjs", "cjs", "jsx"],
    signs: [/^\s*(?:const|let|var) \w+ = /, /^\s*(?:async )?function\*? \w+\(/, /=>\s*\{?\s*$/, /^import .* from ["']/, /module\.exports|exports\.\w+ =/, /\bthis\.\w+ = /],
  },
  {
    id: "go",
    grammar: "tree-sitter-go.wasm",
    extensions: ["go"],
    signs: [/^package \w+$/, /^func (?:\([^)]*\) )?\w+\(/, /^import \($/, /:= /, /^\s*if err != nil \{/],
  },
  {
    id: "rust",
    grammar: "tree-sitter-rust.wasm",
    extensions: ["rs"],
    signs: [/^\s*(?:pub(?:\([\w:]+\))? )?(?:async )?fn \w+/, /^use [\w:]+/, /^\s*impl(?:<.*>)? \w+/, /\blet mut \w+/, /^\s*#\[derive\(/, /^\s*(?:pub )?(?:struct|enum|trait|mod) \w+/],
  },
  {
    id: "java",
    grammar: "tree-sitter-java.wasm",
    extensions: ["java"],
    signs: [/^package [\w.]+;$/, /^import (?:static )?[\w.]+(?:\.\*)?;$/, /^\s*(?:public|private|protected) (?:static )?(?:final )?(?:class|interface|enum|record) \w+/, /^\s*@Override/, /\bSystem\.out\.print/],
  },
  {
    id: "csharp",
    grammar: "tree-sitter-c_sharp.wasm",
    extensions: ["cs"],
    signs: [/^using [\w.]+;$/, /^\s*namespace [\w.]+/, /\{ get; (?:private )?set; \}/, /^\s*(?:public|internal|private) (?:sealed |static |partial )*(?:class|interface|record|struct) \w+/, /\basync Task</],
  },
  {
    id: "cpp",
    grammar: "tree-sitter-cpp.wasm",
    extensions: ["cc", "cpp", "cxx", "hpp", "hh", "hxx", "h++", "ipp"],
    signs: [/^#include <\w+>$/, /\bstd::\w+/, /^\s*namespace \w+ \{/, /^\s*template\s*</, /^\s*(?:class|struct) \w+ (?:final )?(?::\s*public|\{)/, /\w+::\w+\(/],
  },
  {
    id: "c",
    grammar: "tree-sitter-c.wasm",
    extensions: ["c", "h"],
    signs: [/^#include [<"][\w/]+\.h[>"]$/, /^#define \w+/, /^(?:static |extern )?(?:const )?(?:unsigned |signed )?(?:int|char|void|long|size_t|struct \w+) \*?\w+\(/, /\bmalloc\(|\bfree\(|\bprintf\(/],
  },
  {
    id: "ruby",
    grammar: "tree-sitter-ruby.wasm",
    extensions: ["rb", "rake", "gemspec"],
    signs: [/^\s*def (?:self\.)?\w+[?!=]?(?:\(.*\))?\s*$/, /^\s*end$/, /^\s*(?:class|module) [A-Z]\w*(?:::\w+)*(?: < [\w:]+)?$/, /^require(?:_relative)? ['"]/, /\bdo \|\w+(?:, \w+)*\|$/, /^\s*attr_(?:reader|accessor|writer) :/],
  },
  {
    id: "php",
    grammar: "tree-sitter-php.wasm",
    extensions: ["php", "phtml"],
    signs: [/^<\?php/, /\$this->\w+/, /^\s*(?:public|private|protected) (?:static )?function \w+/, /^use [\w\\]+;$/, /^namespace [\w\\]+;$/],
  },
  {
    id: "bash",
    grammar: "tree-sitter-bash.wasm",
    extensions: ["sh", "bash", "zsh"],
    signs: [/^#!.*\b(?:ba|z|da)?sh\b/, /^\s*(?:fi|done|esac)$/, /;\s*then$|^\s*then$/, /^\s*(?:local|export|readonly) \w+=/, /"\$\{?[A-Za-z_]\w*\}?"/, /^\s*[A-Z_][A-Z0-9_]*=\S/, /^\s*\w+\(\)\s*\{$/],
  },
];

export function languageById(id: string): LanguageSpec | undefined {
  return LANGUAGES.find((l) => l.id === id);
}

const PATH_IN_HINT = /([\w./\\-]+)\.([A-Za-z0-9+]+)\b/g;

/** The language named by a file extension in a hint such as `read_file src/app.ts` or `Read(main.go)`. */
export function languageFromHint(hint: string | undefined): LanguageSpec | undefined {
  if (!hint) return undefined;
  for (const match of hint.matchAll(PATH_IN_HINT)) {
    const ext = match[2]!.toLowerCase();
    const language = LANGUAGES.find((l) => l.extensions.includes(ext));
    if (language) return language;
  }
  return undefined;
}

/**
 * Votes of the language signs over the first lines, best first. A language needs three hits and
 * at least one line in twenty; Markdown (code fences) is prose with examples, not code.
 */
export function languagesFromContent(lines: readonly string[]): Array<{ language: LanguageSpec; hits: number }> {
  const sample = lines.slice(0, 150);
  if (sample.filter((line) => line.trimStart().startsWith("```")).length >= 2) return [];
  const nonEmpty = sample.filter((line) => line.trim() !== "").length;
  return LANGUAGES.map((language) => ({ language, hits: sample.filter((line) => language.signs.some((s) => s.test(line))).length }))
    .filter((v) => v.hits >= 3 && v.hits >= nonEmpty / 20)
    .sort((a, b) => b.hits - a.hits);
}
