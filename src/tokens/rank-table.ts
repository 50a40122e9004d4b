/**
 * o200k's rank table, packed: every token's bytes laid end to end in rank order (`blob`), their
 * lengths (`lengths`, one byte each: no token is longer than 255 bytes), and an open-addressing
 * index built at load. Loading is a file read and one pass over 1.4 MB: about 10 ms, where a
 * Map of 200,000 strings takes 150–200 ms to build in a fresh process — the cost a hook pays on
 * every call. A look-up hashes a range of a byte string in place and compares bytes, so probing
 * for the many pairs that are not tokens allocates nothing.
 */
export class RankTable {
  private readonly offsets: Uint32Array;
  private readonly slots: Int32Array;
  private readonly mask: number;

  constructor(
    private readonly lengths: Uint8Array,
    private readonly blob: Uint8Array,
  ) {
    const count = lengths.length;
    const offsets = new Uint32Array(count + 1);
    for (let rank = 0; rank < count; rank++) offsets[rank + 1] = offsets[rank]! + lengths[rank]!;
    if (offsets[count] !== blob.length) throw new Error(`rank table is damaged: lengths add up to ${offsets[count]} bytes, the blob has ${blob.length}`);
    // a load factor under 0.4 keeps the probes for absent pairs (most look-ups) short
    let size = 1;
    while (size < count * 2.5) size <<= 1;
    const slots = new Int32Array(size).fill(-1);
    const mask = size - 1;
    for (let rank = 0; rank < count; rank++) {
      const end = offsets[rank + 1]!;
      let hash = FNV_OFFSET;
      for (let i = offsets[rank]!; i < end; i++) hash = Math.imul(hash ^ blob[i]!, FNV_PRIME);
      if (lengths[rank] === 0) continue;
      let slot = hash & mask;
      while (slots[slot] !== -1) slot = (slot + 1) & mask;
      slots[slot] = rank;
    }
    this.offsets = offsets;
    this.slots = slots;
    this.mask = mask;
  }

  /** Ranks in the table (including unused ones). */
  get count(): number {
    return this.lengths.length;
  }

  /** The rank of the token whose bytes are bytes[start, end) (a byte string: one char per byte), or -1. */
  rank(bytes: string, start: number, end: number): number {
    let hash = FNV_OFFSET;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes.charCodeAt(i), FNV_PRIME);
    const length = end - start;
    for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
      const rank = this.slots[slot]!;
      if (rank === -1) return -1;
      if (this.lengths[rank] !== length) continue;
      let at = this.offsets[rank]!;
      let i = start;
      while (i < end && this.blob[at] === bytes.charCodeAt(i)) {
        at++;
        i++;
      }
      if (i === end) return rank;
    }
  }

  /** The packed form, to save at build time: the lengths, then the blob. */
  toBytes(): Uint8Array {
    const out = new Uint8Array(this.lengths.length + this.blob.length);
    out.set(this.lengths, 0);
    out.set(this.blob, this.lengths.length);
    return out;
  }

  static fromBytes(bytes: Uint8Array, count: number): RankTable {
    return new RankTable(bytes.subarray(0, count), bytes.subarray(count));
  }

  /** From tiktoken's text form: lines of `! FIRST_RANK token token …`, base64 tokens with consecutive ranks. */
  static fromTiktoken(bpeRanks: string): RankTable {
    const tokens: Uint8Array[] = [];
    for (const line of bpeRanks.split("\n")) {
      if (line === "") continue;
      const parts = line.split(" ");
      let rank = Number(parts[1]);
      for (let i = 2; i < parts.length; i++) tokens[rank++] = Buffer.from(parts[i]!, "base64");
    }
    const lengths = new Uint8Array(tokens.length);
    let total = 0;
    for (let rank = 0; rank < tokens.length; rank++) {
      const length = tokens[rank]?.length ?? 0;
      if (length > 255) throw new Error(`token ${rank} is ${length} bytes long; the packed table holds at most 255`);
      lengths[rank] = length;
      total += length;
    }
    const blob = new Uint8Array(total);
    let at = 0;
    for (const token of tokens) {
      if (!token) continue;
      blob.set(token, at);
      at += token.length;
    }
    return new RankTable(lengths, blob);
  }
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
