import { accessSync, constants, existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";

/**
 * The command a host should run to start headroom-mcp. By default it is the copy running
 * install, named by absolute path, so the host starts exactly what the user just tried (and
 * does not wait on npx's registry check at every start); `--npx` names the published package.
 */
export interface Launch {
  command: string;
  args: string[];
}

/** Which copy of headroom-mcp is running install, and with which node. */
export interface Program {
  root: string;
  execPath: string;
}

export const BIN = join("dist", "bin", "main.js");
/** The hook's own entry: the same command, as one CommonJS file that starts sooner (see src/cli/hook-bin.ts). */
export const HOOK_BIN = join("dist", "bin", "hook.cjs");

export const NPX_LAUNCH: Launch = { command: "npx", args: ["-y", "headroom-mcp"] };

export function selfLaunch(program: Program, env: NodeJS.ProcessEnv, bin: string = BIN): Launch {
  return { command: nodeCommand(program.execPath, env), args: [join(program.root, bin)] };
}

/**
 * `node` when the node on PATH is this very node, so the entry survives a patch upgrade of a
 * version manager's node and reads well in a committed file; else the absolute path, since
 * another node on PATH may be too old or not there at all for the host.
 */
function nodeCommand(execPath: string, env: NodeJS.ProcessEnv): string {
  const onPath = findOnPath("node", env);
  return onPath !== undefined && sameFile(onPath, execPath) ? "node" : execPath;
}

function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

export function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const extensions = process.platform === "win32" ? ["", ...(env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";")] : [""];
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    for (const extension of extensions) {
      const candidate = join(dir, name + extension);
      try {
        if (!statSync(candidate).isFile()) continue;
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here, or not executable: keep looking, as the shell would
      }
    }
  }
  return undefined;
}

/** npm's npx cache: a copy run from there disappears when the cache is cleaned. */
export function isInNpxCache(path: string): boolean {
  return /[\\/]_npx[\\/]/.test(path);
}

/** Words → one POSIX shell command line (Claude Code runs hook commands through a shell). */
export function shellJoin(words: readonly string[]): string {
  return words.map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`)).join(" ");
}

/**
 * Whether a command line, an argument or a URL is headroom-mcp's: it names the package, or it
 * runs the dist/bin/main.js of a folder whose package.json is headroom-mcp's (a clone, whose
 * folder may have any name).
 */
export function mentionsHeadroom(text: string): boolean {
  if (text.includes("headroom-mcp")) return true;
  // The text may be one path (an argument, spaces and all) or a shell command line.
  const bins = /'([^']*dist[\\/]bin[\\/](?:main\.js|hook\.cjs))'|"([^"]*dist[\\/]bin[\\/](?:main\.js|hook\.cjs))"|([^\s'"]*dist[\\/]bin[\\/](?:main\.js|hook\.cjs))/g;
  const paths = [text, ...[...text.matchAll(bins)].map((match) => match[1] ?? match[2] ?? match[3]!)];
  return paths.some((path) => /dist[\\/]bin[\\/](?:main\.js|hook\.cjs)$/.test(path) && isHeadroomPackage(resolve(dirname(path), "..", "..")));
}

function isHeadroomPackage(root: string): boolean {
  const manifest = join(root, "package.json");
  try {
    return existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown }).name === "headroom-mcp";
  } catch {
    return false;
  }
}
