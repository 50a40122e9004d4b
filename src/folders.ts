import { isAbsolute, relative, sep } from "node:path";

/** Whether `path` is `folder` or lies below it (both absolute and resolved; `..foo` is a name, not a climb). */
export function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}
