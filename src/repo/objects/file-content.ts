import type { ObjectStore } from '../../store/object-store.js';
import {
  chunkedReadBatches,
  openChunkedReadStream,
  readChunkedBytes,
  readChunkedToFile,
} from '../../store/chunked/index.js';
import type { FileEntry } from './file-entry.js';

/** What a reader needs of a file entry to find its content. */
type ContentRef = Pick<FileEntry, 'hash' | 'chunked'>;

/** A file's content in memory, verified: whole objects directly, chunked ones chunk by chunk. */
export async function readFileContent(store: ObjectStore, entry: ContentRef): Promise<Buffer> {
  return entry.chunked ? readChunkedBytes(store, entry.hash) : store.get(entry.hash);
}

/** Writes a file's content to `path` (temp file, renamed when verified), with bounded memory. */
export async function writeFileContent(
  store: ObjectStore,
  entry: ContentRef,
  path: string,
  options: { mode?: number } = {},
): Promise<void> {
  if (entry.chunked) await readChunkedToFile(store, entry.hash, path, options);
  else await store.readToFile(entry.hash, path, options);
}

/** Streams bytes of a file's content, for downloads (chunked files: every chunk verified). */
export async function openFileContentStream(
  store: ObjectStore,
  entry: ContentRef,
  range?: { start: number; end: number },
): Promise<NodeJS.ReadableStream | undefined> {
  if (entry.chunked) return openChunkedReadStream(store, entry.hash, range);
  return store.openReadStream?.(entry.hash, range);
}

/**
 * Bytes of a file's content as batches of buffers, for a consumer that writes each batch out
 * before asking for the next (downloads): a chunked file's batches are views of a few reused
 * buffers (no garbage per gigabyte), valid only until the next batch is asked for. Every chunk is
 * verified; other content streams as `openFileContentStream` does, or is read whole.
 */
export async function* fileContentBatches(
  store: ObjectStore,
  entry: ContentRef,
  range?: { start: number; end: number },
): AsyncGenerator<readonly Buffer[]> {
  if (entry.chunked) {
    yield* chunkedReadBatches(store, entry.hash, range);
    return;
  }
  const stream = await store.openReadStream?.(entry.hash, range);
  if (stream) {
    for await (const piece of stream) yield [piece as Buffer];
    return;
  }
  const bytes = await store.get(entry.hash);
  yield [range ? bytes.subarray(range.start, range.end + 1) : bytes];
}
