import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { hashBytes, type ObjectId } from '../../util/hash.js';
import { hashFileSync } from '../../util/hash-file.js';
import { withErrorPath } from '../../util/error-path.js';
import type { ObjectWriter } from '../object-store.js';
import { encodeChunkManifest, type ChunkRef } from './chunk-manifest.js';
import { MAX_CHUNK } from './gear-chunker.js';
import { createWasmChunker } from './gear-wasm.js';

/**
 * Files of at least this many bytes are stored as chunks listed by a manifest; smaller ones stay
 * whole objects (one pack record, no manifest), so many small files cost exactly what they did.
 */
export const CHUNKED_FILE_MIN = 1024 * 1024;

/** Bytes read from the file at a time: bounds memory whatever the file's size. */
const READ_BLOCK = 4 * 1024 * 1024;

/** A file's content id: a whole object's id, or its chunk manifest's id when `chunked`. */
export interface FileContentId {
  readonly id: ObjectId;
  readonly size: number;
  readonly chunked: boolean;
}

/**
 * Yields each content-defined chunk of the open file, in order, reading `READ_BLOCK` bytes at a
 * time; a chunk's bytes are only valid until the next one is asked for. Returns the bytes read.
 */
function* fileChunks(fd: number): Generator<Buffer, number> {
  // The read buffer lives in the WebAssembly chunker's memory, so cutting copies nothing.
  const chunker = createWasmChunker(READ_BLOCK + MAX_CHUNK);
  const buffer = chunker.buffer;
  let filled = 0;
  let position = 0;
  let eof = false;
  while (!eof || filled > 0) {
    while (!eof && filled < READ_BLOCK) {
      const n = readSync(fd, buffer, filled, buffer.length - filled, position);
      if (n === 0) eof = true;
      filled += n;
      position += n;
    }
    let start = 0;
    // Without the end of file in sight a cut needs MAX_CHUNK bytes ahead to be final.
    while (start < filled && (eof || filled - start >= MAX_CHUNK)) {
      const end = chunker.findChunkEnd(start, filled);
      yield buffer.subarray(start, end);
      start = end;
    }
    buffer.copy(buffer, 0, start, filled);
    filled -= start;
  }
  return position;
}

/** Chunks between two turns of the event loop (about 4 MiB at the 64 KiB average). */
const CHUNKS_PER_TURN = 64;

/**
 * Runs every chunk of the file through `use`, in order; returns the file's length. Reading,
 * cutting and packing are synchronous underneath, so the loop lets the event loop turn every few
 * MiB: a Ctrl-C or SIGTERM is handled while a big file is stored, not only after it.
 */
async function forEachChunk(fd: number, use: (chunk: Buffer) => Promise<void>): Promise<number> {
  const chunks = fileChunks(fd);
  for (let n = 1; ; n++) {
    const next = chunks.next();
    if (next.done) return next.value;
    await use(next.value);
    if (n % CHUNKS_PER_TURN === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Opens `path` and runs `use` with its descriptor and size; filesystem errors name the path. */
async function withOpenFile<T>(path: string, use: (fd: number, size: number) => Promise<T>): Promise<T> {
  const fd = openSync(path, 'r');
  try {
    return await use(fd, fstatSync(fd).size);
  } catch (err) {
    throw withErrorPath(err, path);
  } finally {
    closeSync(fd);
  }
}

/**
 * Stores a file's content through `writer`: chunked (each chunk a small packed object, then the
 * manifest) when it has at least `CHUNKED_FILE_MIN` bytes when opened, else as one object.
 * Memory stays bounded by the read block whatever the file's size. `scannedSize`: the size a
 * scan just saw; below the threshold the file is stored whole without being opened here first.
 */
export async function addFileContent(
  writer: ObjectWriter,
  path: string,
  options: { scannedSize?: number } = {},
): Promise<FileContentId> {
  // A file the scan found small takes today's path untouched: no extra open per small file.
  if (options.scannedSize !== undefined && options.scannedSize < CHUNKED_FILE_MIN)
    return { ...(await writer.addFile(path)), chunked: false };
  const chunks: ChunkRef[] = [];
  const store = async (chunk: Buffer) => {
    chunks.push({ id: await writer.add(chunk), size: chunk.byteLength });
  };
  const outcome = await withOpenFile(path, async (fd, size) => {
    if (size < CHUNKED_FILE_MIN) return undefined;
    return forEachChunk(fd, store);
  });
  if (outcome === undefined) return { ...(await writer.addFile(path)), chunked: false };
  const id = await writer.add(encodeChunkManifest(chunks));
  return { id, size: outcome, chunked: true };
}

/**
 * The content id `addFileContent` would give the file, computed without storing anything (status,
 * lineage references). Small files are hashed whole; big ones are chunked and each chunk hashed.
 * Throws the filesystem error (ENOENT when the file vanished).
 */
export function hashFileContentSync(path: string, options: { scannedSize?: number } = {}): FileContentId {
  if (options.scannedSize !== undefined && options.scannedSize < CHUNKED_FILE_MIN)
    return { ...hashFileSync(path), chunked: false };
  const fd = openSync(path, 'r');
  try {
    if (fstatSync(fd).size < CHUNKED_FILE_MIN) return { ...hashFileSync(path), chunked: false };
    const chunkRefs: ChunkRef[] = [];
    const chunks = fileChunks(fd);
    for (;;) {
      const next = chunks.next();
      if (next.done) {
        return { id: hashBytes(encodeChunkManifest(chunkRefs)), size: next.value, chunked: true };
      }
      chunkRefs.push({ id: hashBytes(next.value), size: next.value.byteLength });
    }
  } catch (err) {
    throw withErrorPath(err, path);
  } finally {
    closeSync(fd);
  }
}
