import { open, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { createHasher } from '../../util/hash.js';
import type { ObjectId } from '../../util/hash.js';

/**
 * Block size for streaming big files. Measured on this machine (ext4 on a virtio disk, 2 GiB file
 * in page cache, fsync included, several runs): 1 MiB 670–900 MB/s, 2 MiB 900–1190, 4 MiB
 * 980–1250, 8 MiB 950–1030, 16 MiB 740–1070. 4 MiB is the sweet spot and one buffer of it is the
 * whole memory cost of a copy.
 */
export const STREAM_BLOCK_SIZE = 4 * 1024 * 1024;

/**
 * Copies `source` to a new file `target` while hashing the bytes written, one block at a time:
 * memory stays at one block whatever the size. Because the hash covers exactly the bytes that
 * were written, the id is right even if `source` changes during the copy.
 *
 * Measured against `fs.copyFile` (copy_file_range in the kernel) followed by a hashing read of the
 * copy, on a 2 GiB file with fsync, three runs each: this single pass 1.0–1.25 GB/s; async
 * `copyFile` + hash 0.8–1.07 GB/s; `copyFileSync` + hash 1.0–1.5 GB/s but it blocks the event loop
 * for the whole copy; a double-buffered pipeline overlapping read and write 0.85–0.9 GB/s. The
 * single pass wins or ties, reads the data once and never blocks, so it stays. (ext4 cannot
 * reflink; on btrfs or XFS a reflinking copyFile might win and should be measured again.)
 *
 * `target` is created exclusively (`wx`) with `mode`; on any error it is deleted. Not fsynced.
 */
export async function copyWithHash(
  source: string,
  target: string,
  options: { mode?: number } = {},
): Promise<{ id: ObjectId; size: number }> {
  const input = await open(source, 'r');
  try {
    const output = await open(target, 'wx', options.mode ?? 0o666);
    try {
      const result = await pump(input, output);
      await output.close();
      return result;
    } catch (err) {
      await output.close().catch(() => {});
      await unlink(target).catch(() => {});
      throw err;
    }
  } finally {
    await input.close();
  }
}

/** Hashes a file with bounded memory; returns its id and size. */
export async function hashFile(path: string): Promise<{ id: ObjectId; size: number }> {
  const input = await open(path, 'r');
  try {
    return await pump(input, undefined);
  } finally {
    await input.close();
  }
}

async function pump(
  input: FileHandle,
  output: FileHandle | undefined,
): Promise<{ id: ObjectId; size: number }> {
  const hasher = createHasher();
  const block = Buffer.allocUnsafe(STREAM_BLOCK_SIZE);
  let size = 0;
  for (;;) {
    const { bytesRead } = await input.read(block, 0, block.byteLength, size);
    if (bytesRead === 0) break;
    const chunk = block.subarray(0, bytesRead);
    hasher.update(chunk);
    let written = 0;
    while (output && written < bytesRead) {
      written += (await output.write(chunk, written, bytesRead - written, size + written)).bytesWritten;
    }
    size += bytesRead;
  }
  return { id: hasher.digest(), size };
}
