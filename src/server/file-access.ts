import { realpath } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { RootsListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { InputError } from "../engine/errors.js";
import { readTextFile } from "../engine/text-file.js";
import type { Logger } from "../log.js";
import { isInside } from "../folders.js";

/**
 * Where `compress_tool_result` may read a `path` from. Over stdio the client runs on this machine
 * as this user, so its roots (or, when it has none, the server's working directory) are the
 * folders it may name; `--allow-dir` adds more. Over HTTP a client's roots describe its own
 * machine, not this one, so only `--allow-dir` folders count.
 */
export interface FilePolicy {
  allowDirs: readonly string[];
  /** Use the client's roots, else the working directory. */
  clientRoots: boolean;
  cwd: string;
  maxBytes: number;
}

const ROOTS_TIMEOUT_MS = 3000;

export class FileAccess {
  private roots: Promise<string[]> | undefined;

  constructor(
    private readonly server: Server,
    private readonly policy: FilePolicy,
    private readonly logger: Logger,
  ) {
    server.setNotificationHandler(RootsListChangedNotificationSchema, () => {
      this.roots = undefined;
    });
  }

  /** The file's text, if `path` lies inside an allowed folder once every symlink is resolved. */
  async read(path: string): Promise<{ text: string; path: string }> {
    const folders = await this.folders();
    if (folders.length === 0) {
      throw new InputError("this server reads no files: pass the output as `content`, or start it with --allow-dir DIR to let it read files from DIR");
    }
    const wanted = isAbsolute(path) ? resolve(path) : resolve(folders[0]!, path);
    const listed = folders.join(", ");
    // a folder may be named through a link (/tmp → /private/tmp): either spelling of it counts
    const realFolders = await Promise.all(folders.map((folder) => realpath(folder).catch(() => folder)));
    if (![...folders, ...realFolders].some((folder) => isInside(wanted, folder))) {
      throw new InputError(`${path} is outside the folders this server may read (${listed}): pass the output as \`content\` instead, or add the folder with --allow-dir`);
    }
    let real: string;
    try {
      real = await realpath(wanted);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new InputError(code === "ENOENT" ? `${path} does not exist (looked for ${wanted})` : `${path} cannot be read (${code ?? String(error)})`);
    }
    if (!realFolders.some((folder) => isInside(real, folder))) {
      throw new InputError(`${path} is a link to ${real}, outside the folders this server may read (${listed}): pass the output as \`content\` instead`);
    }
    return { text: await readTextFile(real, this.policy.maxBytes), path: real };
  }

  private async folders(): Promise<string[]> {
    const own = this.policy.allowDirs.map((dir) => resolve(dir));
    if (!this.policy.clientRoots) return own;
    this.roots ??= this.clientRoots();
    const roots = await this.roots;
    return [...(roots.length > 0 ? roots : [resolve(this.policy.cwd)]), ...own];
  }

  /** The client's file:// roots; none when it has no roots capability or does not answer. */
  private async clientRoots(): Promise<string[]> {
    if (!this.server.getClientCapabilities()?.roots) return [];
    try {
      const { roots } = await this.server.listRoots(undefined, { timeout: ROOTS_TIMEOUT_MS });
      return roots.flatMap((root) => {
        try {
          return root.uri.startsWith("file://") ? [fileURLToPath(root.uri)] : [];
        } catch {
          return []; // a root on another host (file://host/…) names nothing here
        }
      });
    } catch (error) {
      this.logger.warn("the client did not list its roots; reading files from the working directory only", error);
      this.roots = undefined;
      return [];
    }
  }
}
