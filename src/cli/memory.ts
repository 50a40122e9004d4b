import type { Config } from "../config.js";
import { createLogger } from "../log.js";
import { exportMemories, importMemories } from "../memory/transfer.js";

/** `headroom-mcp memory export` (JSON Lines to stdout) and `memory import FILE`. */
export async function runMemory(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel);
  if (config.command === "memory-export") {
    const count = await exportMemories(config, logger, process.stdout);
    process.stderr.write(`headroom-mcp: exported ${count} memories\n`);
  } else {
    const count = await importMemories(config, logger, config.importFile!);
    process.stderr.write(`headroom-mcp: imported ${count} memories\n`);
  }
}
