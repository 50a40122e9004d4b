/**
 * piece → token count, looked up by a range of the text, so a hit allocates nothing (a Map would
 * need the piece sliced out first, and hashed afresh, for every one of a megabyte's 300,000
 * pieces). Open addressing with linear probing; when half full it starts over, which bounds its
 * memory (~4 MB) whatever the input.
 */
const SLOTS = 1 << 18;
const MASK = SLOTS - 1;
const MAX_ENTRIES = SLOTS >> 1;

export class PieceCache {
  private readonly keys: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);
  private readonly hashes = new Int32Array(SLOTS);
  private readonly counts = new Int32Array(SLOTS);
  private entries = 0;

  /** The cached count of text[start, end), or -1. Sets `lastHash` for a following `set`. */
  get(text: string, start: number, end: number): number {
    let hash = 0x811c9dc5;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
    this.lastHash = hash;
    const length = end - start;
    for (let slot = hash & MASK; ; slot = (slot + 1) & MASK) {
      const key = this.keys[slot];
      if (key === undefined) return -1;
      if (this.hashes[slot] === hash && key.length === length && sameText(key, text, start)) return this.counts[slot]!;
    }
  }

  /** Caches the count of `piece`, the range just looked up with `get`. */
  set(piece: string, count: number): void {
    if (this.entries >= MAX_ENTRIES) {
      this.keys.fill(undefined);
      this.entries = 0;
    }
    let slot = this.lastHash & MASK;
    while (this.keys[slot] !== undefined) slot = (slot + 1) & MASK;
    this.keys[slot] = piece;
    this.hashes[slot] = this.lastHash;
    this.counts[slot] = count;
    this.entries++;
  }

  private lastHash = 0;
}

function sameText(key: string, text: string, start: number): boolean {
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) !== text.charCodeAt(start + i)) return false;
  return true;
}
