import { createHash } from "node:crypto";

/** Length of every handle: compressors, markers, the store and the retrieve tool all share it. */
export const HASH_HEX_LENGTH = 24;
export const HASH_PATTERN = /^[0-9a-f]{24}$/;

/** The one hash function: first 24 hex chars of SHA-256 over the original's UTF-8 bytes. */
export function contentHash(original: string): string {
  return createHash("sha256").update(original, "utf8").digest("hex").slice(0, HASH_HEX_LENGTH);
}
