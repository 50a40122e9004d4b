import { readFile, stat } from "node:fs/promises";
import { formatBytes, InputError, TooLargeError } from "./errors.js";

/** Bytes looked at for a NUL: binary formats show one early, text never has one. */
const SNIFF_BYTES = 8192;

/**
 * Reads a file that should hold a tool output: a regular file, text (UTF-8, no NUL bytes), at
 * most `maxBytes`. Anything else is an InputError that says what was wrong, so a model (or a
 * person at a shell) knows what to pass instead.
 */
export async function readTextFile(path: string, maxBytes: number): Promise<string> {
  // stat before open: opening a FIFO would wait for a writer
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new InputError(describeOpenError(path, error));
  }
  if (info.isDirectory()) throw new InputError(`${path} is a directory: pass a file`);
  if (!info.isFile()) throw new InputError(`${path} is not a regular file (a device, socket or pipe): pass a file, or its content`);
  if (info.size > maxBytes) throw new TooLargeError(info.size, maxBytes);
  let bytes;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new InputError(describeOpenError(path, error));
  }
  if (bytes.length > maxBytes) throw new TooLargeError(bytes.length, maxBytes);
  return decodeText(bytes, path);
}

/** UTF-8 text, or an InputError naming what makes it binary. `what` names the source in the message. */
export function decodeText(bytes: Uint8Array, what: string): string {
  if (bytes.subarray(0, SNIFF_BYTES).includes(0)) throw new InputError(`${what} is binary (it holds NUL bytes): only text can be compressed`);
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new InputError(`${what} is not UTF-8 text (${formatBytes(bytes.length)}): only text can be compressed`);
  }
}

function describeOpenError(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return `${path} does not exist`;
  if (code === "EACCES" || code === "EPERM") return `${path} cannot be read (permission denied)`;
  if (code === "EISDIR") return `${path} is a directory: pass a file`;
  return `${path} cannot be read (${code ?? (error instanceof Error ? error.message : String(error))})`;
}
