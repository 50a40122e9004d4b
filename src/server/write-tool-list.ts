import { writeFileSync } from "node:fs";
import { createLogger } from "../log.js";
import type { Engine } from "../engine/engine.js";
import type { MemoryStore } from "../memory/store.js";
import { packageVersion } from "../version.js";
import { createMcpServer } from "./server.js";
import { listToolsLive, toolListFile } from "./tool-list.js";

/**
 * Run by `npm run build`: writes the SDK's answer to `tools/list` to dist/tool-list.json. Listing
 * tools never calls their handlers, so the server needs no engine or store here.
 */
const version = packageVersion();
const server = createMcpServer({ engine: {} as Engine, memory: {} as MemoryStore }, createLogger("warn"), version, { liveToolList: true });
const tools = await listToolsLive(server);
writeFileSync(toolListFile(), `${JSON.stringify({ version, tools })}\n`);

