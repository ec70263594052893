import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { tempPathFor } from '../../util/durable-fs.js';
import type { ObjectId } from '../../util/hash.js';
import type { ObjectStore } from '../object-store.js';
import { decodeChunkManifest, type ChunkManifest, type ChunkRef } from './chunk-manifest.js';

/** Chunks are fetched this many bytes at a time: bounds memory, and one index lookup per batch. */
const BATCH_BYTES = 4 * 1024 * 1024;

/** Reads and decodes the manifest `id` (verified like every object). */
export async function readChunkManifest(store: ObjectStore, id: ObjectId): Promise<ChunkManifest> {
  return decodeChunkManifest(await store.get(id), id);
}

function batches(chunks: readonly ChunkRef[]): ChunkRef[][] {
  const out: ChunkRef[][] = [];
  let current: ChunkRef[] = [];
  let bytes = 0;
  for (const chunk of chunks) {
    current.push(chunk);
    bytes += chunk.size;
    if (bytes >= BATCH_BYTES) {
      out.push(current);
      current = [];
      bytes = 0;
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * Yields the chunks of `manifest` in order, a batch (about `BATCH_BYTES`) at a time, each chunk
 * verified by the store. The next batch is asked for while the caller consumes this one, so a
 * store that reads asynchronously overlaps reading and writing; at most two batches are held.
 */
async function* verifiedBatches(store: ObjectStore, manifest: ChunkManifest): AsyncGenerator<Buffer[]> {
  const groups = batches(manifest.chunks);
  const fetch = (group: ChunkRef[]) => store.getMany([...new Set(group.map((c) => c.id))]);
  let pending = groups.length > 0 ? fetch(groups[0]!) : undefined;
  for (let i = 0; i < groups.length; i++) {
    const got = await pending!;
    // Started before this batch is consumed; its rejection is handled when awaited next round.
    pending = i + 1 < groups.length ? fetch(groups[i + 1]!) : undefined;
    pending?.catch(() => undefined);
    yield groups[i]!.map((chunk) => got.get(chunk.id)!);
  }
}

/** The chunks of `manifest` one by one, in order, each verified. */
async function* verifiedChunks(store: ObjectStore, manifest: ChunkManifest): AsyncGenerator<Buffer> {
  for await (const batch of verifiedBatches(store, manifest)) yield* batch;
}

/**
 * Writes the chunked file `id` to `path`: into a temp file beside it, renamed over `path` only when
 * every chunk was read and verified, so a corrupt chunk never leaves a half-written file. Like
 * `ObjectStore.readToFile` for working files, the file is not fsynced.
 */
export async function readChunkedToFile(
  store: ObjectStore,
  id: ObjectId,
  path: string,
  options: { mode?: number } = {},
): Promise<void> {
  const manifest = await readChunkManifest(store, id);
  const temp = tempPathFor(path);
  const handle = await open(temp, 'wx', options.mode ?? 0o666);
  try {
    // One gathered write per batch: a write per chunk costs a thread-pool round trip each.
    for await (const batch of verifiedBatches(store, manifest)) await writeAll(handle, batch);
    await handle.close();
    await rename(temp, path);
  } catch (err) {
    await handle.close().catch(() => {});
    await unlink(temp).catch(() => {});
    throw err;
  }
}

/** Writes every buffer of `parts`, in order, at the file's current position. */
async function writeAll(handle: FileHandle, parts: Buffer[]): Promise<void> {
  let rest = parts;
  while (rest.length > 0) {
    let { bytesWritten } = await handle.writev(rest);
    // A short write: drop what was written and go on with the rest.
    while (rest.length > 0 && bytesWritten >= rest[0]!.byteLength) {
      bytesWritten -= rest[0]!.byteLength;
      rest = rest.slice(1);
    }
    if (rest.length > 0 && bytesWritten > 0) rest = [rest[0]!.subarray(bytesWritten), ...rest.slice(1)];
  }
}

/** The whole content of a chunked file in memory (small consumers: result files, previews). */
export async function readChunkedBytes(store: ObjectStore, id: ObjectId): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of verifiedChunks(store, await readChunkManifest(store, id))) parts.push(chunk);
  return Buffer.concat(parts);
}

/**
 * Streams bytes `start..end` (inclusive) of a chunked file with bounded memory, every chunk
 * verified; only the chunks that overlap the range are read.
 */
export async function openChunkedReadStream(
  store: ObjectStore,
  id: ObjectId,
  range?: { start: number; end: number },
): Promise<Readable> {
  const manifest = await readChunkManifest(store, id);
  const start = range?.start ?? 0;
  const end = range ? range.end + 1 : manifest.size;
  const wanted: ChunkRef[] = [];
  let offset = 0;
  let first = 0;
  for (const chunk of manifest.chunks) {
    if (offset + chunk.size > start && offset < end) {
      if (wanted.length === 0) first = offset;
      wanted.push(chunk);
    }
    offset += chunk.size;
  }
  async function* slices(): AsyncGenerator<Buffer> {
    let at = first;
    for await (const chunk of verifiedChunks(store, { size: 0, chunks: wanted })) {
      const from = Math.max(0, start - at);
      const to = Math.min(chunk.byteLength, end - at);
      at += chunk.byteLength;
      if (to > from) yield chunk.subarray(from, to);
    }
  }
  return Readable.from(slices());
}
