import { createHash } from "node:crypto";

/** Length of every handle: compressors, markers, the store and the retrieve tool all share it. */
export const HASH_HEX_LENGTH = 24;
export const HASH_PATTERN = /^[0-9a-f]{24}$/;

/**
 * The one hash function: first 24 hex chars of SHA-256 over the original's UTF-8 bytes. UTF-8
 * has no form for a lone surrogate (Node writes U+FFFD instead), so a text holding one is hashed
 * over its UTF-16 code units, behind a prefix no UTF-8 text begins with: two texts that differ
 * only there must not share a hash, or one would be retrieved for the other.
 */
export function contentHash(original: string): string {
  const hash = createHash("sha256");
  if (original.isWellFormed()) hash.update(original, "utf8");
  else hash.update(ILL_FORMED_PREFIX).update(original, "utf16le");
  return hash.digest("hex").slice(0, HASH_HEX_LENGTH);
}

/** 0xFF never occurs in UTF-8. */
const ILL_FORMED_PREFIX = Buffer.from([0xff, 0x00]);
