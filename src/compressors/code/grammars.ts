import { join } from "node:path";
import type { Language, Parser } from "web-tree-sitter";
import { packageRoot } from "../../paths.js";
import type { LanguageSpec } from "./languages.js";

/**
 * Loads web-tree-sitter and grammars lazily: nothing at start-up, the runtime on the first code
 * input, each grammar on the first file of its language, once per process (per loader).
 */
export function grammarsDir(): string {
  return join(packageRoot(), "grammars") + "/";
}

type TreeSitter = typeof import("web-tree-sitter");

export class GrammarLoader {
  private runtime: Promise<TreeSitter> | undefined;
  private readonly languages = new Map<string, Promise<Language>>();
  private readonly parsers = new Map<string, Parser>();

  constructor(private readonly dir: string = grammarsDir()) {}

  async parser(spec: LanguageSpec): Promise<Parser> {
    const cached = this.parsers.get(spec.id);
    if (cached) return cached;
    const ts = await this.load();
    let language = this.languages.get(spec.id);
    if (!language) {
      language = ts.Language.load(`${this.dir}${spec.grammar}`);
      this.languages.set(spec.id, language);
    }
    const parser = new ts.Parser();
    parser.setLanguage(await language);
    this.parsers.set(spec.id, parser);
    return parser;
  }

  private load(): Promise<TreeSitter> {
    this.runtime ??= import("web-tree-sitter").then(async (ts) => {
      await ts.Parser.init();
      return ts;
    });
    return this.runtime;
  }
}
