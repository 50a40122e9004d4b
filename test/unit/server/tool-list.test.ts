import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Engine } from "../../../src/engine/engine.js";
import type { MemoryStore } from "../../../src/memory/store.js";
import { createMcpServer } from "../../../src/server/server.js";
import { listToolsLive, toolListFile } from "../../../src/server/tool-list.js";
import { packageVersion } from "../../../src/version.js";
import { quietLogger } from "../../helpers/engine.js";

const parts = { engine: {} as Engine, memory: {} as MemoryStore };

describe("the tools/list answer written at build time", () => {
  it("is exactly what the SDK answers for the current tools", async () => {
    const built = JSON.parse(readFileSync(toolListFile(), "utf8")) as { version: string; tools: unknown[] };
    expect(built.version).toBe(packageVersion());
    expect(built.tools).toEqual(await listToolsLive(createMcpServer(parts, quietLogger, packageVersion(), { liveToolList: true })));
  });

  it("is what a server of this version answers, and a server of another version asks the SDK", async () => {
    const live = await listToolsLive(createMcpServer(parts, quietLogger, packageVersion(), { liveToolList: true }));
    expect(await listToolsLive(createMcpServer(parts, quietLogger, packageVersion()))).toEqual(live);
    expect(await listToolsLive(createMcpServer(parts, quietLogger, "0.0.0-other"))).toEqual(live);
  });
});
