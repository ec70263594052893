import { CorruptObjectError, InvalidArgumentError } from '../errors/index.js';
import { CODECS, loadCodec, type Codec } from '../arrays/codecs/codec.js';
import { ITEM_SIZE } from '../arrays/dtype.js';
import { encodeFileEntry, decodeFileEntry } from '../repo/objects/file-entry.js';
import type { ObjectId } from '../util/hash.js';
import { probedShare } from './chunks.js';
import { chunkByteLength, type VolumeSchema } from './volume-schema.js';

/**
 * One volume chunk is one stored object: a 4-byte magic, a codec byte, the raw length (uint32 LE)
 * and the (possibly compressed) voxels in (z, y, x, channel) order, C order, little-endian. The
 * volume's chunk map holds, per chunk key, a file entry (id and stored size) so that gc and fsck
 * reach chunks by walking the map, like a resource's files.
 */
const MAGIC = Buffer.from('SVK1');
const HEADER = 9;
const KEY_DIGITS = 8;

/** Chunk coordinates: chunk indices along x, y, z, and the time point. */
export interface ChunkCoord {
  readonly x: number;
  readonly y: number;
  readonly z: number;
  readonly t: number;
}

const pad = (n: number) => n.toString().padStart(KEY_DIGITS, '0');

/** The map key of a chunk: t, z, y, x indices zero-padded, so key order is (t, z, y, x) order. */
export function chunkKey(c: ChunkCoord): string {
  return `${pad(c.t)}.${pad(c.z)}.${pad(c.y)}.${pad(c.x)}`;
}

/** The coordinates a chunk key stands for. */
export function parseChunkKey(key: string): ChunkCoord {
  const parts = key.split('.').map(Number);
  if (parts.length !== 4 || parts.some((n) => !Number.isSafeInteger(n) || n < 0)) {
    throw new CorruptObjectError(`malformed volume chunk key '${key}'`, { key });
  }
  const [t, z, y, x] = parts as [number, number, number, number];
  return { x, y, z, t };
}

/** The chunk map value for a stored chunk. */
export function chunkEntry(id: ObjectId, storedLength: number): Uint8Array {
  return encodeFileEntry({ hash: id, size: storedLength, executable: false });
}

/** The stored chunk's id from a chunk map value. */
export function chunkIdOf(value: Uint8Array, where: string): ObjectId {
  return decodeFileEntry(value, where).hash;
}

/** Room kept before a framed chunk buffer's voxels: the header fits, and the voxels stay 8-byte aligned. */
const ROOM = 16;
/** Chunk buffers made by `framedChunkBuffer` (the header fits in the room before their bytes). */
const framed = new WeakSet<Uint8Array>();

/**
 * A chunk buffer of `bytes` (not zeroed) with room for the chunk header kept before it in the same
 * memory: a chunk stored raw is then framed where it lies, without a copy of its voxels.
 */
export function framedChunkBuffer(bytes: number): Uint8Array {
  const memory = Buffer.allocUnsafeSlow(ROOM + bytes);
  const raw = new Uint8Array(memory.buffer, memory.byteOffset + ROOM, bytes);
  framed.add(raw);
  return raw;
}

/** Share of the raw size a compressed chunk must be below, else the chunk is stored raw. */
const MAX_COMPRESSED_SHARE = 0.97;

/**
 * Encodes raw chunk voxels as a chunk object (compressed when that saves at least 3 %). A chunk
 * whose probe slices (see `probedShare`) save less than that is not compressed whole: noisy
 * image data does not compress, and compressing a 4 MiB chunk to throw the result away cost
 * about as much as copying it twice. A raw chunk from `framedChunkBuffer` is framed in place:
 * the object then shares its memory, so the buffer must not change until the object is stored.
 */
export async function encodeVolumeChunk(raw: Uint8Array, codec: Codec): Promise<Buffer> {
  let used = codec;
  let payload: Uint8Array = raw;
  if (codec !== 'none') {
    const impl = await loadCodec(codec);
    const view = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    if (probedShare(impl, view) >= MAX_COMPRESSED_SHARE) used = 'none';
    else {
      const compressed = await impl.compressAsync(raw);
      if (compressed.byteLength < raw.byteLength * MAX_COMPRESSED_SHARE) payload = compressed;
      else used = 'none';
    }
  }
  const inPlace = payload === raw && framed.has(raw);
  const object = inPlace
    ? Buffer.from(raw.buffer, raw.byteOffset - HEADER, HEADER + raw.byteLength)
    : Buffer.allocUnsafe(HEADER + payload.byteLength);
  MAGIC.copy(object, 0);
  object[4] = CODECS.indexOf(used);
  object.writeUInt32LE(raw.byteLength, 5);
  if (!inPlace) object.set(payload, HEADER);
  return object;
}

/** Decodes a chunk object into its raw voxels, checking the length the schema expects. */
export async function decodeVolumeChunk(id: ObjectId, object: Buffer, schema: VolumeSchema): Promise<Buffer> {
  if (object.byteLength < HEADER || !object.subarray(0, 4).equals(MAGIC) || object[4]! >= CODECS.length) {
    throw new CorruptObjectError(`object ${id} is not a volume chunk`, { id });
  }
  const codec = CODECS[object[4]!]!;
  const rawLength = object.readUInt32LE(5);
  const expected = chunkByteLength(schema);
  if (rawLength !== expected) {
    throw new CorruptObjectError(`volume chunk ${id} holds ${rawLength} bytes, not ${expected}`, { id });
  }
  const payload = object.subarray(HEADER);
  const raw = codec === 'none' ? payload : await (await loadCodec(codec)).decompressAsync(payload, rawLength);
  if (raw.byteLength !== rawLength) {
    throw new CorruptObjectError(
      `volume chunk ${id} decompressed to ${raw.byteLength} bytes, not ${rawLength}`,
      {
        id,
      },
    );
  }
  return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
}

/** Fills `bytes` (voxels of the schema's dtype) with the fill value. */
export function fillVoxels(schema: VolumeSchema, bytes: Uint8Array): void {
  if (schema.fill === 0) {
    bytes.fill(0);
    return;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = ITEM_SIZE[schema.dtype];
  const first = new Uint8Array(size);
  const one = new DataView(first.buffer);
  const f = schema.fill;
  switch (schema.dtype) {
    case 'int8':
      one.setInt8(0, f);
      break;
    case 'uint8':
      one.setUint8(0, f);
      break;
    case 'int16':
      one.setInt16(0, f, true);
      break;
    case 'uint16':
      one.setUint16(0, f, true);
      break;
    case 'int32':
      one.setInt32(0, f, true);
      break;
    case 'uint32':
      one.setUint32(0, f, true);
      break;
    case 'float32':
      one.setFloat32(0, f, true);
      break;
    case 'float64':
      one.setFloat64(0, f, true);
      break;
    default:
      throw new InvalidArgumentError(`fill values are not supported for ${schema.dtype}`, {
        dtype: schema.dtype,
      });
  }
  for (let i = 0; i < bytes.byteLength; i += size)
    for (let b = 0; b < size; b++) view.setUint8(i + b, first[b]!);
}

/** True when every voxel of `bytes` equals the fill value (such a chunk need not be stored). */
export function isAllFill(schema: VolumeSchema, bytes: Uint8Array): boolean {
  if (schema.fill === 0) {
    // Compare 8 bytes at a time where alignment allows.
    const n8 = Math.floor(bytes.byteLength / 8);
    if (bytes.byteOffset % 8 === 0) {
      const wide = new BigUint64Array(bytes.buffer, bytes.byteOffset, n8);
      for (let i = 0; i < n8; i++) if (wide[i] !== 0n) return false;
      for (let i = n8 * 8; i < bytes.byteLength; i++) if (bytes[i] !== 0) return false;
      return true;
    }
    for (let i = 0; i < bytes.byteLength; i++) if (bytes[i] !== 0) return false;
    return true;
  }
  const sample = new Uint8Array(ITEM_SIZE[schema.dtype]);
  fillVoxels(schema, sample);
  for (let i = 0; i < bytes.byteLength; i++) if (bytes[i] !== sample[i % sample.length]) return false;
  return true;
}

/** A box of voxels inside an array laid out (z, y, x, channel) with `dims` = [x, y, z]. */
export interface BoxView {
  readonly bytes: Uint8Array;
  readonly dims: readonly [number, number, number];
  /** Where the box starts in this array, [x, y, z]. */
  readonly origin: readonly [number, number, number];
}

/**
 * Copies a box of `extent` = [x, y, z] voxels from one (z, y, x, channel) array to another, one
 * row of x at a time. `voxelBytes` = channels × item size.
 */
export function copyBox(
  from: BoxView,
  to: BoxView,
  extent: readonly [number, number, number],
  voxelBytes: number,
): void {
  const [ex, ey, ez] = extent;
  const rowBytes = ex * voxelBytes;
  // A view made with the constructor: `subarray` per row (species lookup) took twice as long
  // for 512-byte rows, a visible share of an ingest.
  const { buffer, byteOffset } = from.bytes;
  const last =
    (((from.origin[2] + ez - 1) * from.dims[1] + from.origin[1] + ey - 1) * from.dims[0] + from.origin[0]) *
      voxelBytes +
    rowBytes;
  if (ex > 0 && ey > 0 && ez > 0 && last > from.bytes.byteLength) {
    throw new RangeError(`box reaches byte ${last} of an array of ${from.bytes.byteLength}`);
  }
  for (let z = 0; z < ez; z++) {
    for (let y = 0; y < ey; y++) {
      const src =
        (((from.origin[2] + z) * from.dims[1] + from.origin[1] + y) * from.dims[0] + from.origin[0]) *
        voxelBytes;
      const dst =
        (((to.origin[2] + z) * to.dims[1] + to.origin[1] + y) * to.dims[0] + to.origin[0]) * voxelBytes;
      to.bytes.set(new Uint8Array(buffer, byteOffset + src, rowBytes), dst);
    }
  }
}
