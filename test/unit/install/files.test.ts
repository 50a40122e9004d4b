import { chmodSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync, lstatSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { locateJsonError } from "../../../src/install/json-error.js";
import { applyPlan, InstallError, planFile, readJsonObject } from "../../../src/install/json-file.js";
import { mentionsHeadroom, shellJoin } from "../../../src/install/launch.js";

const temp = () => mkdtempSync(join(tmpdir(), "headroom-json-"));

describe("locateJsonError", () => {
  it("finds where the text goes wrong, and why", () => {
    expect(locateJsonError('{\n  "a": 1,\n  "b": }')).toEqual({ line: 3, column: 8, hint: 'unexpected "}"' });
    expect(locateJsonError('{"a": [1, 2,]}')).toMatchObject({ line: 1, column: 13, hint: "a trailing comma" });
    expect(locateJsonError('{"a": 1')).toMatchObject({ hint: "the file ends too early (a missing } or ])" });
    expect(locateJsonError("{'a': 1}")).toMatchObject({ column: 2, hint: "strings need double quotes" });
    expect(locateJsonError('{"a": 1} x')).toMatchObject({ column: 10 });
    expect(locateJsonError('{"a": "\\x"}')).toMatchObject({ column: 8 });
    expect(locateJsonError('{"a": [true, null, -1.5e3, "\\u00e9"]}')).toBeUndefined();
  });
});

describe("JSON files", () => {
  it("refuses what is not a JSON object", async () => {
    const dir = temp();
    writeFileSync(join(dir, "a.json"), "[1]");
    await expect(readJsonObject(join(dir, "a.json"))).rejects.toThrow(/holds an array, not a JSON object/);
    writeFileSync(join(dir, "b.json"), "{ nope");
    await expect(readJsonObject(join(dir, "b.json"))).rejects.toThrow(InstallError);
  });

  it("reads an empty file as {}, and a missing one as absent", async () => {
    const dir = temp();
    writeFileSync(join(dir, "empty.json"), "");
    expect((await readJsonObject(join(dir, "empty.json"))).value).toEqual({});
    const missing = await readJsonObject(join(dir, "none.json"));
    expect(missing.existed).toBe(false);
    expect(planFile(missing, {}, true).action).toBe("absent");
  });

  it("keeps the file's indentation, line endings and mode; backs it up once per distinct content; leaves no temp files", async () => {
    const dir = temp();
    const path = join(dir, "s.json");
    writeFileSync(path, '{\r\n\t"a": 1\r\n}\r\n');
    chmodSync(path, 0o640);
    const file = await readJsonObject(path);
    await applyPlan(planFile(file, { a: 1, b: 2 }, true));
    expect(readFileSync(path, "utf8")).toBe('{\r\n\t"a": 1,\r\n\t"b": 2\r\n}\r\n');
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(readFileSync(`${path}.headroom-backup`, "utf8")).toBe('{\r\n\t"a": 1\r\n}\r\n');
    const backupTime = statSync(`${path}.headroom-backup`).mtimeMs;
    // the same old content again: the backup is not rewritten
    writeFileSync(path, '{\r\n\t"a": 1\r\n}\r\n');
    await applyPlan(planFile(await readJsonObject(path), { a: 3 }, true));
    expect(statSync(`${path}.headroom-backup`).mtimeMs).toBe(backupTime);
    expect(readdirSync(dir).sort()).toEqual(["s.json", "s.json.headroom-backup"]);
  });

  it("writes through a symlink instead of replacing it", async () => {
    const dir = temp();
    writeFileSync(join(dir, "real.json"), "{}\n");
    symlinkSync(join(dir, "real.json"), join(dir, "link.json"));
    await applyPlan(planFile(await readJsonObject(join(dir, "link.json")), { a: 1 }, true));
    expect(lstatSync(join(dir, "link.json")).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, "real.json"), "utf8"))).toEqual({ a: 1 });
  });
});

describe("commands", () => {
  it("quotes for the shell only what needs it", () => {
    expect(shellJoin(["node", "/opt/x/main.js", "hook"])).toBe("node /opt/x/main.js hook");
    expect(shellJoin(["/my tools/node", "it's"])).toBe(`'/my tools/node' 'it'\\''s'`);
  });

  it("recognises headroom-mcp by name, or by a clone's package.json", () => {
    const dir = temp();
    writeFileSync(join(dir, "package.json"), '{"name":"headroom-mcp"}');
    expect(mentionsHeadroom("npx -y headroom-mcp")).toBe(true);
    expect(mentionsHeadroom(join(dir, "dist", "bin", "main.js"))).toBe(true);
    expect(mentionsHeadroom(`node '${join(dir, "dist", "bin", "main.js")}' hook post-tool-use`)).toBe(true);
    expect(mentionsHeadroom("node /elsewhere/dist/bin/main.js")).toBe(false);
    expect(mentionsHeadroom("python -m headroom")).toBe(false);
  });
});
