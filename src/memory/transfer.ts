import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { Writable } from "node:stream";
import type { Config } from "../config.js";
import { headroomFromConfig } from "../headroom.js";
import type { Logger } from "../log.js";
import type { MemoryRecord } from "./store.js";

/**
 * `headroom-mcp memory export` / `import FILE`: every memory as one JSON object per line, ids
 * and history included, so an import into another store gives the same search results and
 * importing the same file twice changes nothing.
 */
export async function exportMemories(config: Config, logger: Logger, out: Writable): Promise<number> {
  const headroom = headroomFromConfig(config, logger);
  try {
    const records = await headroom.memory.all();
    for (const record of records) out.write(`${JSON.stringify(record)}\n`);
    return records.length;
  } finally {
    await headroom.close();
  }
}

export async function importMemories(config: Config, logger: Logger, file: string): Promise<number> {
  const headroom = headroomFromConfig(config, logger);
  try {
    const records: MemoryRecord[] = [];
    let lineNumber = 0;
    for await (const line of createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Infinity })) {
      lineNumber++;
      if (line.trim() === "") continue;
      records.push(parseRecord(line, `${file}:${lineNumber}`));
    }
    return await headroom.memory.import(records);
  } finally {
    await headroom.close();
  }
}


function parseRecord(line: string, where: string): MemoryRecord {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error(`${where}: not JSON`);
  }
  const r = value as Partial<MemoryRecord>;
  const ok =
    typeof r.id === "string" &&
    typeof r.content === "string" &&
    (r.scope === "project" || r.scope === "global") &&
    (r.project === null || typeof r.project === "string") &&
    Array.isArray(r.tags) &&
    typeof r.createdAt === "number" &&
    typeof r.updatedAt === "number" &&
    Array.isArray(r.history);
  if (!ok) throw new Error(`${where}: not a memory exported by headroom-mcp`);
  return r as MemoryRecord;
}
