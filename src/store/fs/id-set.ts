import type { ObjectId } from '../../util/hash.js';

/** Bytes of a binary object id (a 64-character hex id). */
const ID_BYTES = 32;
/** Ids per block of `keys` (1 MiB): blocks are added, never grown by copying. */
const BLOCK_BITS = 15;
const BLOCK_IDS = 1 << BLOCK_BITS;

/**
 * A set of object ids kept as 32 raw bytes each in 1 MiB blocks, with an open-addressing table of
 * their positions: ~40 bytes an id instead of a hex string and a hash-set entry (~100 bytes;
 * a writer of 10^6 small files holds 10^6 ids). Ids are numbered in the order they were added,
 * and `idAt` gives one back as hex.
 */
export class IdSet {
  private readonly keys: Buffer[] = [];
  /** Positions + 1 (0: an empty slot); the table is kept at most half full. */
  private slots = new Int32Array(2048);
  private count = 0;
  private readonly scratch = Buffer.alloc(ID_BYTES);

  get size(): number {
    return this.count;
  }

  has(id: ObjectId): boolean {
    return this.find(this.toBytes(id)) >= 0;
  }

  /** Adds `id`; returns its position, or -1 if it was there already. */
  add(id: ObjectId): number {
    const key = this.toBytes(id);
    if (this.find(key) >= 0) return -1;
    if ((this.count + 1) * 2 > this.slots.length) this.grow();
    const position = this.count++;
    if ((position & (BLOCK_IDS - 1)) === 0) this.keys.push(Buffer.allocUnsafeSlow(ID_BYTES * BLOCK_IDS));
    key.copy(this.keys[position >>> BLOCK_BITS]!, (position & (BLOCK_IDS - 1)) * ID_BYTES);
    this.place(position);
    return position;
  }

  /** The id at `position` (see `add`), as hex. */
  idAt(position: number): ObjectId {
    const at = (position & (BLOCK_IDS - 1)) * ID_BYTES;
    return this.keys[position >>> BLOCK_BITS]!.toString('hex', at, at + ID_BYTES);
  }

  private toBytes(id: ObjectId): Buffer {
    if (this.scratch.write(id, 0, 'hex') !== ID_BYTES || id.length !== ID_BYTES * 2) {
      throw new Error(`not an object id: '${id}'`);
    }
    return this.scratch;
  }

  /** The position holding `key`, or -1. */
  private find(key: Buffer): number {
    const mask = this.slots.length - 1;
    for (let slot = key.readUInt32LE(0) & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot]!;
      if (entry === 0) return -1;
      const position = entry - 1;
      const at = (position & (BLOCK_IDS - 1)) * ID_BYTES;
      if (this.keys[position >>> BLOCK_BITS]!.compare(key, 0, ID_BYTES, at, at + ID_BYTES) === 0)
        return position;
    }
  }

  private place(position: number): void {
    const mask = this.slots.length - 1;
    const block = this.keys[position >>> BLOCK_BITS]!;
    let slot = block.readUInt32LE((position & (BLOCK_IDS - 1)) * ID_BYTES) & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = position + 1;
  }

  private grow(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    for (let position = 0; position < this.count; position++) this.place(position);
  }
}
