import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { expect } from "vitest";
import { runInstall, type InstallOptions } from "../../../src/cli/install.js";

/**
 * A throwaway world for install: a project folder, a home folder, a PATH with nothing on it
 * (or a fake `claude`), and a copy of headroom-mcp in a folder whose name has a space and does
 * not say headroom-mcp, as a clone's may not.
 */
export interface World {
  base: string;
  cwd: string;
  home: string;
  bin: string;
  root: string;
  env: NodeJS.ProcessEnv;
  run(options: Pick<InstallOptions, "action" | "target"> & Partial<InstallOptions>): Promise<{ code: number; text: string }>;
  write(path: string, value: unknown): void;
  read(path: string): unknown;
  /** Every file under the world's project and home, path → content. */
  snapshot(): Record<string, string>;
  /** A `claude` on PATH that appends its arguments, one per line, to `calls` and exits with `exitCode`. */
  fakeClaude(exitCode?: number): { calls: () => string[][] };
}

export function makeWorld(): World {
  const base = mkdtempSync(join(tmpdir(), "headroom-install-"));
  const cwd = join(base, "project");
  const home = join(base, "home");
  const bin = join(base, "bin");
  const root = join(base, "my tools", "compressor");
  for (const dir of [cwd, home, bin, join(root, "dist", "bin")]) mkdirSync(dir, { recursive: true });
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: "headroom-mcp", version: "0.0.0" }));
  writeFileSync(join(root, "dist", "bin", "main.js"), "");
  const env: NodeJS.ProcessEnv = { PATH: bin };
  const world: World = {
    base,
    cwd,
    home,
    bin,
    root,
    env,
    async run(options) {
      const lines: string[] = [];
      const code = await runInstall({ scope: "project", cwd, home, env, program: { root, execPath: process.execPath }, ...options }, (line) => lines.push(line));
      return { code, text: lines.join("\n") };
    },
    write(path, value) {
      mkdirSync(join(path, ".."), { recursive: true });
      writeFileSync(path, typeof value === "string" ? value : `${JSON.stringify(value, null, 2)}\n`);
    },
    read(path) {
      return JSON.parse(readFileSync(path, "utf8"));
    },
    snapshot() {
      const files: Record<string, string> = {};
      const walk = (dir: string) => {
        for (const name of readdirSync(dir)) {
          const path = join(dir, name);
          if (statSync(path).isDirectory()) walk(path);
          else files[relative(base, path)] = readFileSync(path, "utf8");
        }
      };
      walk(cwd);
      walk(home);
      return files;
    },
    fakeClaude(exitCode = 0) {
      const log = join(base, "claude-calls.txt");
      const script = join(bin, "claude");
      writeFileSync(script, `#!/bin/sh\nfor arg in "$@"; do printf '%s\\n' "$arg" >> '${log}'; done\nprintf -- '---\\n' >> '${log}'\necho "claude says no" >&2\nexit ${exitCode}\n`);
      chmodSync(script, 0o755);
      return {
        calls: () => {
          let text = "";
          try {
            text = readFileSync(log, "utf8");
          } catch {
            return [];
          }
          return text.split("---\n").slice(0, -1).map((call) => call.split("\n").slice(0, -1));
        },
      };
    },
  };
  return world;
}

/** Writes `content` to `path`, runs install, and checks it exits 1 saying `message` with every file as it was. */
export async function expectRefusal(world: World, path: string, content: string, options: Parameters<World["run"]>[0], message: string): Promise<void> {
  world.write(path, content);
  const before = world.snapshot();
  const { code, text } = await world.run(options);
  expect(code).toBe(1);
  expect(text).toContain(message);
  expect(world.snapshot()).toEqual(before);
}
