import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, realpath, rename, stat, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { locateJsonError } from "./json-error.js";
import { isRecord } from "../records.js";

/**
 * Reading and rewriting the hosts' JSON settings files without ever losing a byte of the user's:
 * a file that does not parse is refused before anything is written, a changed file is backed up
 * next to itself first, and the new text replaces the old in one rename, so a crash or a full
 * disk leaves either the old file or the new one, never half of each.
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Something install cannot do, said in words the user can act on. Exit code 1. */
export class InstallError extends Error {
  override name = "InstallError";
}

export const BACKUP_SUFFIX = ".headroom-backup";

export interface JsonFile {
  /** The path as the user knows it. */
  path: string;
  /** Where the bytes are: a symlinked settings file (dotfile managers) is written through, not replaced. */
  target: string;
  existed: boolean;
  text: string;
  value: JsonObject;
  /** The file's mode; for a file not there yet, the mode to create it with (undefined: the umask's default). */
  mode: number | undefined;
  indent: string;
  newline: string;
}

export async function readJsonObject(path: string): Promise<JsonFile> {
  let target: string;
  try {
    target = await realpath(path);
  } catch (error) {
    if (errorCode(error) !== "ENOENT") throw new InstallError(`cannot read ${path}: ${describe(error)}`);
    return { path, target: path, existed: false, text: "", value: {}, mode: undefined, indent: "  ", newline: "\n" };
  }
  let text: string;
  let mode: number;
  try {
    text = await readFile(target, "utf8");
    mode = (await stat(target)).mode & 0o7777;
  } catch (error) {
    throw new InstallError(`cannot read ${path}: ${describe(error)}`);
  }
  const body = text.replace(/^\uFEFF/, "");
  // An empty file is what `touch` leaves; the hosts read it as no settings, and so do we.
  const value = body.trim() === "" ? {} : parseObject(body, path);
  return { path, target, existed: true, text, value, mode, indent: detectIndent(body), newline: body.includes("\r\n") ? "\r\n" : "\n" };
}

function parseObject(text: string, path: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const at = locateJsonError(text);
    const where = at ? `${path}:${at.line}:${at.column}` : path;
    throw new InstallError(`${where} is not valid JSON (${at?.hint ?? describe(error)}); fix or remove it, then run this again. Nothing was changed.`);
  }
  if (!isObject(value)) throw new InstallError(`${path} holds ${kindOf(value)}, not a JSON object; fix or remove it, then run this again. Nothing was changed.`);
  return value;
}

/** Keep the file's own indentation so the change is the only thing a diff shows. */
function detectIndent(text: string): string {
  return /^\{\r?\n([ \t]+)\S/.exec(text)?.[1] ?? "  ";
}

/** A JSON object of a host's file (the one test for a plain object, typed for these files). */
export function isObject(value: unknown): value is JsonObject {
  return isRecord(value);
}

export function kindOf(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

export type FileAction = "create" | "update" | "delete" | "unchanged" | "absent";

export interface FilePlan {
  file: JsonFile;
  after: JsonObject;
  action: FileAction;
}

/** What writing `after` would do. An object left empty is deleted when `deleteIfEmpty`: it held only what we put there. */
export function planFile(file: JsonFile, after: JsonObject, deleteIfEmpty: boolean): FilePlan {
  const empty = Object.keys(after).length === 0;
  let action: FileAction;
  if (!file.existed) action = empty ? "absent" : "create";
  else if (JSON.stringify(after) === JSON.stringify(file.value)) action = "unchanged";
  else action = empty && deleteIfEmpty ? "delete" : "update";
  return { file, after, action };
}

export function serialize(value: JsonObject, indent = "  ", newline = "\n"): string {
  const text = `${JSON.stringify(value, null, indent)}\n`;
  return newline === "\n" ? text : text.replaceAll("\n", newline);
}

/** Carries out a plan; returns the backup's path when the old file was kept (or already was). */
export async function applyPlan(plan: FilePlan): Promise<{ backup?: string }> {
  const { file } = plan;
  try {
    switch (plan.action) {
      case "unchanged":
      case "absent":
        return {};
      case "create":
        await mkdir(dirname(file.target), { recursive: true });
        await writeAtomically(file.target, serialize(plan.after), file.mode);
        return {};
      case "update": {
        const backup = await backUp(file);
        await writeAtomically(file.target, serialize(plan.after, file.indent, file.newline), file.mode);
        return { backup };
      }
      case "delete":
        // Nothing of the user's is lost: the object is empty once our entries are out.
        await unlink(file.target);
        return {};
    }
  } catch (error) {
    throw new InstallError(`cannot write ${file.path}: ${describe(error)}`);
  }
}

/**
 * One backup per file, `<file>.headroom-backup`, holding the file as it was before our latest
 * change. It is rewritten only when that differs, so running install again does not pile up
 * copies; it keeps the file's mode, because ~/.claude.json holds account data.
 */
async function backUp(file: JsonFile): Promise<string> {
  const backup = `${file.path}${BACKUP_SUFFIX}`;
  const previous = await readFile(backup, "utf8").catch(() => undefined);
  if (previous !== file.text) await writeAtomically(backup, file.text, file.mode);
  return backup;
}

async function writeAtomically(path: string, text: string, mode: number | undefined): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
  try {
    await writeFile(temp, text, { mode: mode ?? 0o666, flag: "wx" });
    // The umask may have narrowed the mode given to writeFile; the file's own mode wins.
    if (mode !== undefined) await chmod(temp, mode);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

export function errorCode(error: unknown): string | undefined {
  return (error as { code?: string } | undefined)?.code;
}

function describe(error: unknown): string {
  const code = errorCode(error);
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "it is a directory";
  if (code === "ENOTDIR") return "a parent of it is not a directory";
  if (code === "ENOSPC") return "no space left on the device";
  if (code === "EROFS") return "the file system is read-only";
  return error instanceof Error ? error.message : String(error);
}
