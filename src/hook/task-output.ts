import { open, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { InputError } from "../engine/errors.js";
import type { TaskOutput } from "./plan.js";

/** Files looked at, newest first: a session runs few commands at once. */
const MAX_CANDIDATES = 20;
const HEAD_BYTES = 4096;

/**
 * The file holding a failed command's whole output: among the newest `*.output` files of the
 * session's task folder, the one that starts as the output Claude Code showed. The file's name is
 * a task id the event does not carry, and several commands may have run.
 */
export async function findTaskOutput(task: TaskOutput): Promise<string> {
  let names: string[];
  try {
    names = (await readdir(task.folder)).filter((name) => name.endsWith(".output"));
  } catch {
    throw new InputError(`no task folder at ${task.folder}`);
  }
  const files = await Promise.all(names.map(async (name) => ({ path: join(task.folder, name), mtime: (await stat(join(task.folder, name))).mtimeMs })));
  files.sort((a, b) => b.mtime - a.mtime);
  for (const { path } of files.slice(0, MAX_CANDIDATES)) {
    if ((await headOf(path)).trimStart().startsWith(task.head)) return path;
  }
  throw new InputError(`no output in ${task.folder} starts like the one Claude Code showed`);
}

async function headOf(path: string): Promise<string> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead).toString("utf8");
  } finally {
    await handle.close();
  }
}
