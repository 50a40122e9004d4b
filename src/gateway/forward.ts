// STUB: replaced by the library branch's implementation at merge
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Engine } from "../engine/engine.js";
export interface ForwardSettings {
  minChars?: number;
  maxTokens?: number;
  query?: string;
  off?: boolean;
}
export async function compressCallResult(engine: Pick<Engine, "compress">, toolName: string, result: CallToolResult, settings: ForwardSettings = {}): Promise<{ result: CallToolResult; compressed: boolean }> {
  if (result.isError || settings.off) return { result, compressed: false };
  let compressed = false;
  const content = [];
  for (const block of result.content) {
    if (block.type === "text" && block.text.length >= (settings.minChars ?? 6000)) {
      const r = await engine.compress({ content: block.text, toolName, query: settings.query, maxTokens: settings.maxTokens });
      if (r.hash) {
        compressed = true;
        content.push({ ...block, text: r.compressed });
        continue;
      }
    }
    content.push(block);
  }
  if (!compressed) return { result, compressed };
  const { structuredContent: _dropped, ...rest } = result;
  return { result: { ...rest, content }, compressed };
}
