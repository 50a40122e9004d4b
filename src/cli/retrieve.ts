import type { Config } from "../config.js";
import { withHeadroom } from "./one-shot.js";

/** `headroom-mcp retrieve HASH`: the original (or the part asked for) on stdout, notes on stderr. */
export async function retrieve(config: Config): Promise<number> {
  const request = config.request!;
  return withHeadroom(config, async ({ engine }) => {
    const result = await engine.retrieve({ hash: request.hash!, query: request.query, lines: request.lines, offset: request.offset, limit: request.limit });
    if (request.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return 0;
    }
    // a page is the original's bytes as they are (on a terminal, a prompt does not start on its
    // last line); matches, a symbol or a line range end their last line
    const exact = result.mode === "page";
    process.stdout.write((process.stdout.isTTY || !exact) && !result.content.endsWith("\n") ? `${result.content}\n` : result.content);
    if (result.note) process.stderr.write(`${result.content.endsWith("\n") ? "" : "\n"}headroom: ${result.note}\n`);
    return 0;
  });
}
