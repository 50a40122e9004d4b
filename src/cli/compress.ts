import type { Config } from "../config.js";
import { formatBytes } from "../engine/errors.js";
import { decodeText, readTextFile } from "../engine/text-file.js";
import { printable, progressLine, summaryLine, withHeadroom } from "./one-shot.js";
import { readStdin } from "./stdin.js";

/** Inputs from this size on get a progress line (on a terminal). */
const PROGRESS_FROM_BYTES = 1024 * 1024;

/** `headroom-mcp compress [FILE|-]`: the compressed text on stdout, the summary on stderr. */
export async function compress(config: Config): Promise<number> {
  const request = config.request!;
  return withHeadroom(config, async ({ engine }) => {
    const content = request.file ? await readTextFile(request.file, config.maxInputBytes) : decodeText(await readStdin(config.maxInputBytes), "stdin");
    const progress = progressLine();
    if (content.length >= PROGRESS_FROM_BYTES) progress.show(`headroom: compressing ${formatBytes(Buffer.byteLength(content))}…`);
    const result = await engine.compress({
      content,
      toolName: request.toolName ?? (request.file ? `cat ${request.file}` : undefined),
      query: request.query,
      contentType: request.contentType,
      maxTokens: request.maxTokens,
    });
    progress.clear();
    process.stdout.write(request.json ? `${JSON.stringify(result, null, 2)}\n` : printable(result));
    if (process.stderr.isTTY && !request.json) process.stderr.write(`\n${summaryLine(result)}\n`);
    return 0;
  });
}
