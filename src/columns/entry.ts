import { CorruptObjectError } from '../errors/index.js';
import { SAMPLE_DIGEST_BYTES } from '../util/hash.js';
import { ByteReader, ByteWriter } from '../util/varint.js';

/**
 * A column's index maps each key to an entry: where the sample lives and what it is.
 *
 * - Small samples (≤ INLINE_MAX bytes: labels, scalars, short strings) live inline in the entry:
 *   the index node that holds them is hash-verified, so they need no digest, and a label column
 *   costs ~16 bytes a sample instead of ~50.
 * - Other samples live in a data chunk: the entry holds the chunk's id prefix (resolved through
 *   the column's chunk list), offset and length inside the chunk's raw bytes, and the sample's
 *   digest (BLAKE3-128 of dtype, shape and bytes). Diffs and merges compare digests, never
 *   locations, so the same sample written twice is the same sample.
 *
 * Binary: a flags byte (bit 0 inline, bit 1 shape follows), then the shape (rank, dims) for
 * variable-shape columns, then the inline bytes, or chunk prefix (8), offset, length, digest.
 */
export const INLINE_MAX = 32;
export const CHUNK_PREFIX_BYTES = 8;

/** The flags byte of an inline entry without a shape. */
export const INLINE_FLAG = 1;
const INLINE = INLINE_FLAG;
const HAS_SHAPE = 2;

export interface ChunkLocation {
  /** First CHUNK_PREFIX_BYTES of the chunk's object id, as hex. */
  readonly chunk: string;
  readonly offset: number;
  readonly length: number;
}

export type Entry =
  | { readonly shape?: readonly number[]; readonly inline: Uint8Array }
  | { readonly shape?: readonly number[]; readonly location: ChunkLocation; readonly digest: Uint8Array };

export function encodeInlineEntry(bytes: Uint8Array, shape: readonly number[] | undefined): Uint8Array {
  const w = new ByteWriter(bytes.byteLength + 2 + (shape ? shape.length * 3 + 1 : 0));
  w.byte(INLINE | (shape ? HAS_SHAPE : 0));
  if (shape) writeShape(w, shape);
  w.raw(bytes);
  return w.finishExact();
}

export function encodeChunkEntry(
  location: ChunkLocation,
  digest: Uint8Array,
  shape: readonly number[] | undefined,
): Uint8Array {
  const w = new ByteWriter(
    1 + CHUNK_PREFIX_BYTES + 10 + SAMPLE_DIGEST_BYTES + (shape ? shape.length * 3 + 1 : 0),
  );
  w.byte(shape ? HAS_SHAPE : 0);
  if (shape) writeShape(w, shape);
  w.hex(location.chunk).uint(location.offset).uint(location.length).raw(digest);
  return w.finishExact();
}

function writeShape(w: ByteWriter, shape: readonly number[]): void {
  w.uint(shape.length);
  for (const d of shape) w.uint(d);
}

export function decodeEntry(value: Uint8Array, where: string): Entry {
  try {
    const r = new ByteReader(value);
    const flags = r.raw(1)[0]!;
    let shape: number[] | undefined;
    if (flags & HAS_SHAPE) {
      const rank = r.uint();
      shape = [];
      for (let i = 0; i < rank; i++) shape.push(r.uint());
    }
    if (flags & INLINE) return { shape, inline: value.subarray(value.byteLength - r.remaining) };
    const chunk = Buffer.from(r.raw(CHUNK_PREFIX_BYTES)).toString('hex');
    const offset = r.uint();
    const length = r.uint();
    const digest = r.raw(SAMPLE_DIGEST_BYTES);
    if (!r.done) throw new RangeError('trailing bytes');
    return { shape, location: { chunk, offset, length }, digest };
  } catch (err) {
    throw new CorruptObjectError(`index entry ${where} is malformed: ${(err as Error).message}`, { where });
  }
}

/**
 * The part of an entry that says what the sample is, without where it is stored: equal for the
 * same sample wherever it lives.
 */
export function entryContent(value: Uint8Array): Uint8Array {
  if (value[0]! & INLINE) return value;
  // Flags and shape stay; prefix, offset and length go; the digest (last bytes) stays.
  const r = new ByteReader(value);
  const flags = r.raw(1)[0]!;
  if (flags & HAS_SHAPE) {
    const rank = r.uint();
    for (let i = 0; i < rank; i++) r.uint();
  }
  const head = value.byteLength - r.remaining;
  const out = new Uint8Array(head + SAMPLE_DIGEST_BYTES);
  out.set(value.subarray(0, head), 0);
  out.set(value.subarray(value.byteLength - SAMPLE_DIGEST_BYTES), head);
  return out;
}

/** True when two entries hold the same sample. */
export function sameSample(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(entryContent(a)).equals(entryContent(b));
}

/** Where a chunk-stored sample is, read straight from an entry's bytes (the hot path of reads). */
export interface EntryLocation {
  /** The first 6 bytes of the chunk id prefix as a number: a cheap map key. */
  readonly chunkKey: number;
  readonly offset: number;
  readonly length: number;
}

function readVarint(value: Uint8Array, at: { i: number }): number {
  let result = 0;
  let scale = 1;
  for (;;) {
    const byte = value[at.i++]!;
    result += (byte & 0x7f) * scale;
    if (byte < 0x80) return result;
    scale *= 0x80;
  }
}

/**
 * The location of a chunk entry without decoding it whole, or undefined for an inline entry or
 * one with a shape (those go through `decodeEntry`).
 */
export function entryLocation(value: Uint8Array): EntryLocation | undefined {
  if (value[0] !== 0 || value.byteLength < 1 + CHUNK_PREFIX_BYTES + 2 + SAMPLE_DIGEST_BYTES) return undefined;
  const chunkKey = chunkKeyOf(value, 1);
  const at = { i: 1 + CHUNK_PREFIX_BYTES };
  const offset = readVarint(value, at);
  const length = readVarint(value, at);
  return { chunkKey, offset, length };
}

/** The map key of a chunk prefix at `offset` in `bytes`: its first 6 bytes, little-endian. */
export function chunkKeyOf(bytes: Uint8Array, offset: number): number {
  return (
    bytes[offset]! +
    bytes[offset + 1]! * 0x100 +
    bytes[offset + 2]! * 0x10000 +
    bytes[offset + 3]! * 0x1000000 +
    bytes[offset + 4]! * 0x100000000 +
    bytes[offset + 5]! * 0x10000000000
  );
}

/** Where a plain chunk entry points, filled in place by `readChunkEntry` (no object per entry). */
export interface ChunkEntryScratch {
  chunkKey: number;
  /** The prefix's last two bytes, to tell apart chunks whose first six bytes agree. */
  tail: number;
  offset: number;
  length: number;
}

/**
 * Fills `out` from a chunk entry without a shape and returns true; false for any other entry
 * (inline, with a shape, malformed: the caller takes the checked path). The hot path of scans.
 */
export function readChunkEntry(value: Uint8Array, out: ChunkEntryScratch): boolean {
  return readChunkEntryAt(value, 0, value.byteLength, out);
}

/** `readChunkEntry` of the entry at `bytes[start, end)` (inside an encoded leaf: no view made). */
export function readChunkEntryAt(
  bytes: Uint8Array,
  start: number,
  end: number,
  out: ChunkEntryScratch,
): boolean {
  if (bytes[start] !== 0 || end - start < 1 + CHUNK_PREFIX_BYTES + 2 + SAMPLE_DIGEST_BYTES) return false;
  out.chunkKey = chunkKeyOf(bytes, start + 1);
  out.tail = bytes[start + 7]! + bytes[start + 8]! * 0x100;
  let i = start + 1 + CHUNK_PREFIX_BYTES;
  let offset = 0;
  for (let scale = 1; ; scale *= 0x80) {
    const byte = bytes[i++]!;
    offset += (byte & 0x7f) * scale;
    if (byte < 0x80 || i >= end) break;
  }
  let length = 0;
  for (let scale = 1; ; scale *= 0x80) {
    const byte = bytes[i++]!;
    length += (byte & 0x7f) * scale;
    if (byte < 0x80 || i >= end) break;
  }
  if (i + SAMPLE_DIGEST_BYTES !== end) return false;
  out.offset = offset;
  out.length = length;
  return true;
}
