import { open } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { ArraySource } from './array-source.js';
import { fileRangeBatches } from './file-range-batches.js';
import { parseNpyHeader, type NpyHeader } from './npy.js';

/** Reads and checks the header of a `.npy` file (the first 64 KiB at most). */
export async function readNpyHeaderAsync(path: string): Promise<NpyHeader> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const head = Buffer.alloc(Math.min(size, 64 * 1024));
    await file.read(head, 0, head.length, 0);
    return parseNpyHeader(head, size, path);
  } finally {
    await file.close();
  }
}

/**
 * A `.npy` file as a source: samples along the first axis (a 0-d array is one sample of shape
 * []), streamed in batches, big-endian data swapped to little-endian.
 */
export async function openNpySource(path: string): Promise<ArraySource> {
  const header = await readNpyHeaderAsync(path);
  const [count, sampleShape] =
    header.shape.length === 0 ? [1, []] : [header.shape[0]!, header.shape.slice(1)];
  return {
    path,
    name: basename(path, extname(path)),
    dtype: header.dtype,
    sampleShape,
    count,
    batches: (options) =>
      fileRangeBatches(
        {
          path,
          dtype: header.dtype,
          shape: sampleShape,
          count,
          dataOffset: header.dataOffset,
          bigEndian: header.bigEndian,
        },
        options,
      ),
  };
}
