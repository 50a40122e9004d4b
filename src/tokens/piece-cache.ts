/**
 * text → token count (of pieces, or of whole lines), looked up by a range of a larger text: the
 * range is hashed in place and sliced only to confirm a hit, so a miss allocates nothing (a Map
 * would need every one of a megabyte's 300,000 pieces sliced out and hashed afresh). Open addressing with linear probing; when half full it
 * starts over, which bounds its memory whatever the input.
 */
const INITIAL_SLOTS = 1 << 12;

export class PieceCache {
  private keys: (string | undefined)[];
  private hashes: Int32Array;
  private counts: Int32Array;
  private mask: number;
  private entries = 0;

  /**
   * `maxSlots`: a power of two. The table starts small and grows fourfold each time it is half
   * full, up to `maxSlots`: a fresh process (a hook, a CLI call) counting one output does not pay
   * for allocating the whole table.
   */
  constructor(private readonly maxSlots: number) {
    const slots = Math.min(maxSlots, INITIAL_SLOTS);
    this.keys = new Array<string | undefined>(slots).fill(undefined);
    this.hashes = new Int32Array(slots);
    this.counts = new Int32Array(slots);
    this.mask = slots - 1;
  }

  /** The cached count of text[start, end), or -1. Sets `lastHash` for a following `set`. */
  get(text: string, start: number, end: number): number {
    // FNV-1a over two UTF-16 units a step: half the multiply chain of one a step
    let hash = 0x811c9dc5;
    let i = start;
    for (; i + 1 < end; i += 2) hash = Math.imul(hash ^ (text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16)), 0x01000193);
    if (i < end) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
    this.lastHash = hash;
    const length = end - start;
    for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
      const key = this.keys[slot];
      if (key === undefined) return -1;
      // a slice and `===` compare several times faster than `startsWith(key, start)` in V8
      if (this.hashes[slot] === hash && key.length === length && text.slice(start, end) === key) return this.counts[slot]!;
    }
  }

  /** Caches the count of `piece`, the range just looked up with `get`. */
  set(piece: string, count: number): void {
    if (this.entries >= (this.mask + 1) >> 1) {
      if (this.mask + 1 < this.maxSlots) this.grow();
      else {
        this.keys.fill(undefined);
        this.entries = 0;
      }
    }
    let slot = this.lastHash & this.mask;
    while (this.keys[slot] !== undefined) slot = (slot + 1) & this.mask;
    // a copy: a slice of 13+ characters would keep the whole text it came from alive
    this.keys[slot] = piece.length > 12 ? (" " + piece).slice(1) : piece;
    this.hashes[slot] = this.lastHash;
    this.counts[slot] = count;
    this.entries++;
  }

  private grow(): void {
    const { keys, hashes, counts } = this;
    const slots = Math.min(this.maxSlots, keys.length * 4);
    this.keys = new Array<string | undefined>(slots).fill(undefined);
    this.hashes = new Int32Array(slots);
    this.counts = new Int32Array(slots);
    this.mask = slots - 1;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      if (key === undefined) continue;
      let slot = hashes[i]! & this.mask;
      while (this.keys[slot] !== undefined) slot = (slot + 1) & this.mask;
      this.keys[slot] = key;
      this.hashes[slot] = hashes[i]!;
      this.counts[slot] = counts[i]!;
    }
  }

  private lastHash = 0;
}
