import { SAMPLE_DIGEST_BYTES, type SampleDigester } from '../util/hash.js';
import type { ChunkSink } from './chunks.js';

/**
 * The samples a writer has appended to chunks and not yet folded into the index, kept in typed
 * arrays rather than one object per sample: a bulk import of 10^5–10^7 samples would otherwise
 * spend most of its time in the garbage collector. A digest table (open addressing over the
 * digests themselves, which are uniformly random) stores each distinct sample once per session.
 */
export class SampleTable {
  private capacity = 0;
  count = 0;
  digests = new Uint8Array(0);
  private offsets = new Float64Array(0);
  private lengths = new Uint32Array(0);
  private chunks = new Uint32Array(0);
  private readonly shapes: (readonly number[] | undefined)[] = [];
  private slots = new Int32Array(0);

  private grow(): void {
    const capacity = Math.max(1024, this.capacity * 2);
    const copy = <T extends Uint8Array | Float64Array | Uint32Array>(
      old: T,
      make: (n: number) => T,
      width = 1,
    ) => {
      const next = make(capacity * width);
      next.set(old);
      return next;
    };
    this.digests = copy(this.digests, (n) => new Uint8Array(n), SAMPLE_DIGEST_BYTES);
    this.offsets = copy(this.offsets, (n) => new Float64Array(n));
    this.lengths = copy(this.lengths, (n) => new Uint32Array(n));
    this.chunks = copy(this.chunks, (n) => new Uint32Array(n));
    this.capacity = capacity;
    this.slots = new Int32Array(capacity * 2);
    for (let i = 0; i < this.count; i++) this.insertSlot(i);
  }

  private slotStart(index: number): number {
    const d = this.digests;
    const o = index * SAMPLE_DIGEST_BYTES;
    return (d[o]! | (d[o + 1]! << 8) | (d[o + 2]! << 16) | (d[o + 3]! << 24)) & (this.slots.length - 1);
  }

  private insertSlot(index: number): void {
    const mask = this.slots.length - 1;
    let s = this.slotStart(index);
    while (this.slots[s] !== 0) s = (s + 1) & mask;
    this.slots[s] = index + 1;
  }

  private sameDigest(a: number, b: number): boolean {
    const d = this.digests;
    const oa = a * SAMPLE_DIGEST_BYTES;
    const ob = b * SAMPLE_DIGEST_BYTES;
    for (let i = 0; i < SAMPLE_DIGEST_BYTES; i++) if (d[oa + i] !== d[ob + i]) return false;
    return true;
  }

  /**
   * Digests a sample and, unless the same sample is in the table already, appends its bytes to
   * `sink`. Returns the sample's index in the table.
   */
  add(
    bytes: Uint8Array,
    prefix: Uint8Array,
    shape: readonly number[] | undefined,
    digester: SampleDigester,
    sink: ChunkSink,
  ): number {
    if (this.count === this.capacity) this.grow();
    digester(prefix, bytes, this.digests, this.count * SAMPLE_DIGEST_BYTES);
    const source = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return this.place(source, 0, source.byteLength, shape, sink);
  }

  /** Whether the last `claim` made a new row (its bytes still to be placed with `setLocation`). */
  claimedNew = false;

  /**
   * The row of a sample whose digest is at `digests[at..]`: the row of an equal sample staged
   * before, or a new row whose location the caller sets once it has copied the bytes.
   */
  claim(digests: Uint8Array, at: number, shape: readonly number[] | undefined): number {
    if (this.count === this.capacity) this.grow();
    const index = this.count;
    this.digests.set(digests.subarray(at, at + SAMPLE_DIGEST_BYTES), index * SAMPLE_DIGEST_BYTES);
    const mask = this.slots.length - 1;
    let s = this.slotStart(index);
    for (let slot = this.slots[s]!; slot !== 0; slot = this.slots[s]!) {
      if (this.sameDigest(slot - 1, index)) {
        this.claimedNew = false;
        return slot - 1;
      }
      s = (s + 1) & mask;
    }
    this.slots[s] = index + 1;
    this.shapes[index] = shape;
    this.count++;
    this.claimedNew = true;
    return index;
  }

  setLocation(row: number, chunkIndex: number, offset: number, length: number): void {
    this.chunks[row] = chunkIndex;
    this.offsets[row] = offset;
    this.lengths[row] = length;
  }

  /** Stores the sample whose digest sits at the next free row, unless it is there already. */
  private place(
    source: Buffer,
    start: number,
    end: number,
    shape: readonly number[] | undefined,
    sink: ChunkSink,
  ): number {
    const index = this.count;
    const mask = this.slots.length - 1;
    let s = this.slotStart(index);
    for (let slot = this.slots[s]!; slot !== 0; slot = this.slots[s]!) {
      if (this.sameDigest(slot - 1, index)) return slot - 1;
      s = (s + 1) & mask;
    }
    this.slots[s] = index + 1;
    this.offsets[index] = sink.append(source, start, end);
    this.lengths[index] = end - start;
    this.chunks[index] = sink.currentIndex;
    this.shapes[index] = shape;
    this.count++;
    return index;
  }

  /**
   * Encodes the index entries of many staged samples into one buffer (see entry.ts for the
   * layout): one allocation for all of them instead of several per sample.
   */
  encodeEntries(indices: readonly number[], chunkPrefixes: readonly Uint8Array[]): Uint8Array[] {
    let size = 0;
    for (const i of indices) size += 1 + 8 + 10 + SAMPLE_DIGEST_BYTES + shapeBytes(this.shapes[i]);
    const arena = Buffer.allocUnsafe(size);
    const out: Uint8Array[] = new Array(indices.length);
    let at = 0;
    for (let n = 0; n < indices.length; n++) {
      const i = indices[n]!;
      const start = at;
      const shape = this.shapes[i];
      arena[at++] = shape ? 2 : 0;
      if (shape) {
        at = writeVarint(arena, at, shape.length);
        for (const d of shape) at = writeVarint(arena, at, d);
      }
      arena.set(chunkPrefixes[this.chunks[i]!]!, at);
      at += 8;
      at = writeVarint(arena, at, this.offsets[i]!);
      at = writeVarint(arena, at, this.lengths[i]!);
      arena.set(this.digests.subarray(i * SAMPLE_DIGEST_BYTES, (i + 1) * SAMPLE_DIGEST_BYTES), at);
      at += SAMPLE_DIGEST_BYTES;
      // A plain view: Buffer#subarray costs several times more, 10^5 times over.
      out[n] = new Uint8Array(arena.buffer, arena.byteOffset + start, at - start);
    }
    return out;
  }

  /** Where sample `index` went: the chunk's position in the sink, offset and length. */
  location(index: number): { chunkIndex: number; offset: number; length: number } {
    return { chunkIndex: this.chunks[index]!, offset: this.offsets[index]!, length: this.lengths[index]! };
  }

  digest(index: number): Uint8Array {
    return this.digests.subarray(index * SAMPLE_DIGEST_BYTES, (index + 1) * SAMPLE_DIGEST_BYTES);
  }

  shape(index: number): readonly number[] | undefined {
    return this.shapes[index];
  }

  clear(): void {
    this.capacity = 0;
    this.count = 0;
    this.digests = new Uint8Array(0);
    this.offsets = new Float64Array(0);
    this.lengths = new Uint32Array(0);
    this.chunks = new Uint32Array(0);
    this.shapes.length = 0;
    this.slots = new Int32Array(0);
  }
}

function shapeBytes(shape: readonly number[] | undefined): number {
  return shape ? 1 + shape.length * 5 : 0;
}

/** LEB128, as ByteWriter.uint writes it. */
function writeVarint(buffer: Buffer, at: number, value: number): number {
  let v = value;
  while (v >= 0x80) {
    buffer[at++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  buffer[at++] = v;
  return at;
}
