import { CorruptObjectError } from '../../errors/index.js';
import type { ObjectId } from '../../util/hash.js';
import { ByteReader, ByteWriter } from '../../util/varint.js';

/** One chunk of a big file: its object id and length in bytes. */
export interface ChunkRef {
  readonly id: ObjectId;
  readonly size: number;
}

/**
 * The chunk list of a big file, itself a content-addressed object: its id stands for the file's
 * content (the same bytes always cut into the same chunks, so the same manifest). Reading the file
 * means reading the manifest (verified like any object) and then each chunk (each verified).
 */
export interface ChunkManifest {
  /** The whole file's length: the sum of the chunk sizes. */
  readonly size: number;
  readonly chunks: readonly ChunkRef[];
}

/** Marks a manifest (and its format version), so a stray object is never taken for one. */
const MAGIC = Buffer.from('strata-chunks/1\n');

/** Magic, chunk count, then 32 raw hash bytes and a varint size per chunk: ~35 bytes a chunk. */
export function encodeChunkManifest(chunks: readonly ChunkRef[]): Buffer {
  const w = new ByteWriter(MAGIC.byteLength + 8 + chunks.length * 36).raw(MAGIC).uint(chunks.length);
  for (const chunk of chunks) w.hex(chunk.id).uint(chunk.size);
  return w.finish();
}

/** Decodes a manifest; `id` names it in the error when the bytes are not one. */
export function decodeChunkManifest(bytes: Uint8Array, id: ObjectId): ChunkManifest {
  try {
    const r = new ByteReader(bytes);
    if (!Buffer.from(r.raw(MAGIC.byteLength)).equals(MAGIC)) throw new Error('not a chunk manifest');
    const count = r.uint();
    const chunks: ChunkRef[] = [];
    let size = 0;
    for (let i = 0; i < count; i++) {
      const chunkId = Buffer.from(r.raw(32)).toString('hex');
      const chunkSize = r.uint();
      chunks.push({ id: chunkId, size: chunkSize });
      size += chunkSize;
    }
    if (!r.done) throw new Error('trailing bytes');
    return { size, chunks };
  } catch (err) {
    throw new CorruptObjectError(`malformed chunk manifest ${id}: ${(err as Error).message}`, { id });
  }
}
