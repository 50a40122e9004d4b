import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { CONTENT_TYPES, type ContentType } from "../../compressors/types.js";
import type { Engine } from "../../engine/engine.js";
import type { Logger } from "../../log.js";
import { InputError } from "../../engine/errors.js";
import type { FileAccess } from "../file-access.js";
import { toolError, toolResult } from "../result.js";

const DESCRIPTION =
  "Compress a large tool output (JSON, logs, search results, diffs, text) before you read it. " +
  "Call it on outputs over a few thousand tokens, with `query` set to what you are looking for so the relevant items are kept. " +
  "For a large file (a log, a JSON dump, a test report) pass its `path` instead of `content`: re-typing an output costs more than reading it. " +
  "The result keeps errors, anomalies, first/last items and query matches verbatim, and marks every omission with " +
  "`[headroom: N of M … omitted …; headroom_retrieve hash=…]` (code outlines give the hash once in their first line and end a signature whose body is elided with `… La-b` (its lines a to b); a doc comment ending in a bare `…` goes on in the definition below it); pass that hash to headroom_retrieve (optionally with a query, a symbol name for code, or lines=\"a-b\") " +
  "to get any omitted part back. Do not call it on small outputs (they come back unchanged) or on headroom_retrieve results.";

const omissionSchema = z.object({
  where: z.string(),
  unit: z.string(),
  omitted: z.number(),
  total: z.number(),
  categories: z.record(z.string(), z.number()),
});

export function registerCompressTool(server: McpServer, engine: Engine, files: FileAccess | undefined, logger: Logger): void {
  server.registerTool(
    "compress_tool_result",
    {
      title: "Compress a tool output",
      description: DESCRIPTION,
      inputSchema: {
        content: z
          .union([z.string(), z.array(z.unknown()), z.record(z.string(), z.unknown()), z.number(), z.boolean(), z.null()])
          .optional()
          .describe("The tool output: a string, or any JSON value. Give this or `path`."),
        path: z
          .string()
          .min(1)
          .max(4096)
          .optional()
          .describe("A text file to read and compress instead of `content` (absolute, or relative to the first workspace root); only files inside the workspace roots can be read."),
        tool_name: z.string().max(300).optional().describe("The tool that produced it (e.g. grep, kubectl); for a file, include its path (read_file src/app.ts) so the language is known."),
        query: z.string().max(4000).optional().describe("What you are looking for; items that match are kept."),
        content_type: z
          .enum(CONTENT_TYPES as [ContentType, ...ContentType[]])
          .optional()
          .describe("Override content detection."),
        max_tokens: z.coerce.number().int().min(100).max(1_000_000).optional().describe("Token budget for the result (default: 15% of the input, 1,000–4,000)."),
      },
      outputSchema: {
        compressed: z.string(),
        hash: z.string().optional(),
        content_type: z.string(),
        compressor: z.string(),
        original_tokens: z.number(),
        compressed_tokens: z.number(),
        tokens_estimated: z.boolean(),
        omitted: z.array(omissionSchema),
        route: z.string(),
        language: z.string().optional(),
        note: z.string().optional(),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (args) => {
      try {
        const { content, toolName } = await contentOf(args, files);
        const result = await engine.compress({
          content,
          toolName,
          query: args.query,
          contentType: args.content_type,
          maxTokens: args.max_tokens,
        });
        return toolResult({ ...result }, "compressed");
      } catch (error) {
        return toolError(error, logger, "compress_tool_result");
      }
    },
  );
}

/** The content given inline, or read from `path` (the file's path then tells detection what it is). */
async function contentOf(args: { content?: unknown; path?: string | undefined; tool_name?: string | undefined }, files: FileAccess | undefined): Promise<{ content: unknown; toolName: string | undefined }> {
  if (args.path === undefined) return { content: args.content, toolName: args.tool_name };
  if (args.content !== undefined) throw new InputError("give either `content` or `path`, not both");
  if (!files) throw new InputError("this server reads no files: pass the output as `content`");
  const { text, path } = await files.read(args.path);
  return { content: text, toolName: args.tool_name ?? `read ${path}` };
}
