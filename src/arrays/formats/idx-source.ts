import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ArraySource } from './array-source.js';
import { fileRangeBatches } from './file-range-batches.js';
import { parseIdxHeader, type IdxHeader } from './idx.js';

/** Reads and checks the header of an IDX file. */
export async function readIdxHeaderAsync(path: string): Promise<IdxHeader> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    // Magic (4 bytes) and at most 255 dimensions of 4 bytes.
    const head = Buffer.alloc(Math.min(size, 4 + 4 * 255));
    await file.read(head, 0, head.length, 0);
    return parseIdxHeader(head, size, path);
  } finally {
    await file.close();
  }
}

/** An IDX file (MNIST's format) as a source: samples along the first dimension, swapped to little-endian. */
export async function openIdxSource(path: string): Promise<ArraySource> {
  const header = await readIdxHeaderAsync(path);
  const count = header.shape[0]!;
  const sampleShape = header.shape.slice(1);
  return {
    path,
    name: idxBaseName(path),
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
          bigEndian: true,
        },
        options,
      ),
  };
}

/** `train-images-idx3-ubyte` → `train-images`; `labels.idx1` → `labels`. */
function idxBaseName(path: string): string {
  const base = basename(path);
  const stripped = base.replace(/[.-]idx\d*(-ubyte)?$/i, '').replace(/-ubyte$/i, '');
  return stripped === '' ? base : stripped;
}
