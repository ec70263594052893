import type { ObjectStore } from '../../store/object-store.js';
import { openChunkedReadStream, readChunkedBytes, readChunkedToFile } from '../../store/chunked/index.js';
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
