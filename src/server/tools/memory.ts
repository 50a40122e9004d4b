import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { Logger } from "../../log.js";
import { projectFromRoots } from "../../memory/project.js";
import type { MemoryStore, MemoryView, SearchResult } from "../../memory/store.js";
import { toolError, toolResult } from "../result.js";

/**
 * memory_save / memory_search / memory_list / memory_delete. The project is the client's first
 * MCP root when it offers roots, else the server's working directory (its git root if inside one).
 */
const memoryView = z.object({
  id: z.string(),
  content: z.string(),
  tags: z.array(z.string()),
  scope: z.enum(["project", "global"]),
  project: z.string().nullable(),
  key: z.string().optional(),
  created_at: z.string(),
  updated_at: z.string(),
  history: z.array(z.object({ content: z.string(), replaced_at: z.string() })).optional(),
  score: z.number().optional(),
  matched: z.array(z.string()).optional(),
});

const tagsInput = z.array(z.string().max(64)).optional();

export function registerMemoryTools(server: McpServer, memory: MemoryStore, logger: Logger): void {
  const project = async (): Promise<string> => {
    if (!server.server.getClientCapabilities()?.roots) return projectFromRoots(undefined, process.cwd());
    try {
      const { roots } = await server.server.listRoots(undefined, { timeout: 2000 });
      return projectFromRoots(roots, process.cwd());
    } catch (error) {
      logger.debug("client did not answer roots/list; using the working directory", error);
      return projectFromRoots(undefined, process.cwd());
    }
  };

  /**
   * Every memory tool: resolve the project, run, answer with the project; errors become isError.
   * `text`, when given, is what the model reads instead of the JSON (which stays structured content).
   */
  const handle =
    <A>(name: string, run: (args: A, project: string) => Promise<Record<string, unknown>>, text?: (result: Record<string, unknown>) => string) =>
    async (args: A) => {
      try {
        const where = await project();
        const structured = { ...(await run(args, where)), project: where };
        return text ? { structuredContent: structured, content: [{ type: "text" as const, text: text(structured) }] } : toolResult(structured);
      } catch (error) {
        return toolError(error, logger, name);
      }
    };

  server.registerTool(
    "memory_save",
    {
      title: "Remember a fact",
      description:
        "Save a fact worth knowing in later conversations (\"the API tests need DB_URL set\", \"user prefers pnpm\", \"auth lives in src/auth/jwt.ts\"). " +
        "One short fact per call. Scope `project` (default) is this project only; `global` is every project. " +
        "Saving again with the same `key` replaces that memory (the old text is kept in its history); a near-duplicate of an existing memory updates it and keeps its tags. " +
        "Never save secrets: content, key or tags holding a credential are refused; save where it lives instead (an env var name, a vault path).",
      inputSchema: {
        content: z.string().describe("The fact, in one or two sentences (at most 8 KB)."),
        scope: z.enum(["project", "global"]).optional().describe("project (default) or global."),
        tags: tagsInput.describe("Up to 20 short tags to search or filter by."),
        key: z.string().max(200).optional().describe("A stable name for this fact (e.g. test-env); saving the same key again replaces it."),
      },
      outputSchema: {
        memory: memoryView,
        superseded: z
          .object({ id: z.string(), reason: z.enum(["key", "near-duplicate"]), previous: z.string(), kept_tags: z.array(z.string()).optional(), note: z.string() })
          .optional(),
        note: z.string().optional(),
        project: z.string(),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    handle("memory_save", async (args: { content: string; scope?: "project" | "global"; tags?: string[]; key?: string }, where) => ({
      ...(await memory.save({ content: args.content, scope: args.scope ?? "project", project: where, tags: args.tags, key: args.key })),
    })),
  );

  server.registerTool(
    "memory_search",
    {
      title: "Search memories",
      description:
        "Find saved facts by what they mean, not only their exact words: exact phrase matches first, then ranked by relevance " +
        "(BM25 over stemmed words, identifiers split into their words, synonyms and abbreviations such as db/database, tags weighted above text; " +
        "fused with semantic similarity when the server has an embeddings endpoint), newer ones slightly ahead. Each result says why it matched. " +
        "Call it at the start of a task, or when you need a project convention, a path or a preference you may have saved before.",
      inputSchema: {
        query: z.string().min(1).max(2000).describe("What you are looking for."),
        scope: z.enum(["project", "global", "all"]).optional().describe("all (default): this project's and global memories."),
        tags: tagsInput.describe("Only memories with all of these tags."),
        limit: z.coerce.number().int().min(1).max(100).optional().describe("Most results (default 10)."),
        include_history: z.boolean().optional().describe("Also give each memory's earlier texts (default false)."),
      },
      outputSchema: { results: z.array(memoryView), matches: z.number(), in_scope: z.number(), mode: z.enum(["lexical", "hybrid"]), note: z.string().optional(), query: z.string(), project: z.string() },
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    handle(
      "memory_search",
      async (args: { query: string; scope?: "project" | "global" | "all"; tags?: string[]; limit?: number; include_history?: boolean }, where) => {
        const found = await memory.search({ query: args.query, scope: args.scope ?? "all", project: where, tags: args.tags, limit: args.limit ?? 10, includeHistory: args.include_history });
        return { results: found.results, matches: found.matches, in_scope: found.inScope, mode: found.mode, ...(found.note ? { note: found.note } : {}), query: args.query };
      },
      (result) => searchText(result as unknown as SearchAnswer),
    ),
  );

  server.registerTool(
    "memory_list",
    {
      title: "List memories",
      description: "List saved facts, newest first, with the total count; filter by scope and tags, page with offset and limit.",
      inputSchema: {
        scope: z.enum(["project", "global", "all"]).optional().describe("all (default)."),
        tags: tagsInput.describe("Only memories with all of these tags."),
        limit: z.coerce.number().int().min(1).max(200).optional().describe("Page size (default 20)."),
        offset: z.coerce.number().int().min(0).optional().describe("Memories to skip."),
        include_history: z.boolean().optional().describe("Also give each memory's earlier texts (default false)."),
      },
      outputSchema: { memories: z.array(memoryView), total: z.number(), offset: z.number(), project: z.string() },
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    handle(
      "memory_list",
      async (args: { scope?: "project" | "global" | "all"; tags?: string[]; limit?: number; offset?: number; include_history?: boolean }, where) => ({
        ...(await memory.list({ scope: args.scope ?? "all", project: where, tags: args.tags, limit: args.limit ?? 20, offset: args.offset ?? 0, includeHistory: args.include_history })),
        offset: args.offset ?? 0,
      }),
      (result) => listText(result as unknown as { memories: MemoryView[]; total: number; offset: number }),
    ),
  );

  server.registerTool(
    "memory_delete",
    {
      title: "Forget a memory",
      description: "Delete a saved fact by its id (from memory_search or memory_list) or by its key. A deleted memory is never returned again.",
      inputSchema: {
        id: z.string().max(100).optional().describe("The memory's id."),
        key: z.string().max(200).optional().describe("Or the key it was saved with."),
      },
      outputSchema: { deleted: memoryView, project: z.string() },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    handle("memory_delete", async (args: { id?: string; key?: string }, where) => ({ deleted: await memory.delete({ id: args.id, key: args.key, project: where }) })),
  );
}

type SearchAnswer = { results: MemoryView[]; matches: number; in_scope: number; mode: SearchResult["mode"]; note?: string; query: string };

/** Search results as blocks a model reads at a glance: the fact first, then where it lives and why it matched. */
function searchText(answer: SearchAnswer): string {
  const how = answer.mode === "hybrid" ? "by words and meaning" : "by words";
  const query = answer.query.length > 100 ? `${answer.query.slice(0, 99)}…` : answer.query;
  const shown = answer.results.length < answer.matches ? `; the best ${answer.results.length}` : "";
  const head =
    answer.matches === 0
      ? `No memory among ${answer.in_scope} in scope matches "${query}" (${how}).`
      : `${count(answer.matches, "memory", "memories")} of ${answer.in_scope} in scope ${answer.matches === 1 ? "matches" : "match"} "${query}" (${how})${shown}:`;
  const lines = [head, ...(answer.note ? [`Note: ${answer.note}.`] : [])];
  answer.results.forEach((m, i) => lines.push("", ...memoryBlock(m, `${i + 1}. `)));
  if (answer.results.length === 0) lines.push("", "Try other words, a tag, or memory_list to see what is saved.");
  return lines.join("\n");
}

function listText(answer: { memories: MemoryView[]; total: number; offset: number }): string {
  const shown = answer.memories.length === 0 ? "none" : `${answer.offset + 1}-${answer.offset + answer.memories.length}`;
  const lines = [`${count(answer.total, "memory", "memories")}; showing ${shown}, newest first.`];
  answer.memories.forEach((m, i) => lines.push("", ...memoryBlock(m, `${answer.offset + i + 1}. `)));
  return lines.join("\n");
}

function memoryBlock(m: MemoryView, prefix: string): string[] {
  const indent = " ".repeat(prefix.length);
  const [first, ...rest] = m.content.split("\n");
  const facts = [
    ...(m.tags.length > 0 ? [`tags: ${m.tags.join(", ")}`] : []),
    m.scope === "global" ? "global" : "this project",
    ...(m.key ? [`key: ${m.key}`] : []),
    `updated ${m.updated_at.slice(0, 10)}`,
    `id: ${m.id}`,
  ];
  // the memory's own lines, then what headroom says of it in brackets, so the two never mix
  const out = [prefix + first, ...rest.map((l) => indent + l), `${indent}[${facts.join(" · ")}]`];
  if (m.matched && m.matched.length > 0) out.push(`${indent}[matched: ${m.matched.join(", ")}]`);
  for (const h of m.history ?? []) out.push(`${indent}[earlier, until ${h.replaced_at.slice(0, 10)}: ${h.content.replace(/\n/g, " ")}]`);
  return out;
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
