import { open } from 'node:fs/promises';
import { ITEM_SIZE, swapBytes, type DType } from '../dtype.js';
import { elementCount } from '../shape.js';
import type { BatchOptions, SampleBatch } from './array-source.js';
import { samplesPerBatch } from './batch-plan.js';
import { truncatedError } from './format-error.js';

/** Where a file's samples lie: `count` samples of `shape` from `dataOffset`, in the given byte order. */
export interface FileRange {
  readonly path: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly count: number;
  readonly dataOffset: number;
  readonly bigEndian: boolean;
}

/**
 * Streams the samples of a byte range of a file as batches, reading with two reused buffers: the
 * next batch is read while the caller consumes the current one. Each batch's `data` is a view into
 * one of those buffers: consume or copy it before calling `next()` again.
 */
export async function* fileRangeBatches(
  range: FileRange,
  options: BatchOptions = {},
): AsyncGenerator<SampleBatch> {
  const { path, dtype, shape, count, dataOffset, bigEndian } = range;
  const itemSize = ITEM_SIZE[dtype];
  const sampleBytes = elementCount(shape) * itemSize;
  const totalBytes = count * sampleBytes;
  if (count === 0) return;
  if (sampleBytes === 0) {
    yield { dtype, shape, count, data: new Uint8Array(0) };
    return;
  }
  const perBatch = Math.min(count, samplesPerBatch(dtype, shape, options.maxBytes));
  const buffers = [Buffer.allocUnsafe(perBatch * sampleBytes), Buffer.allocUnsafe(0)];
  if (count > perBatch) buffers[1] = Buffer.allocUnsafe(perBatch * sampleBytes);
  const file = await open(path, 'r');
  let pending: Promise<SampleBatch> | undefined;
  try {
    let done = 0;
    let which = 0;
    const readBatch = async (into: Buffer, first: number): Promise<SampleBatch> => {
      const n = Math.min(perBatch, count - first);
      const want = n * sampleBytes;
      let got = 0;
      while (got < want) {
        const { bytesRead } = await file.read(into, got, want - got, dataOffset + first * sampleBytes + got);
        if (bytesRead === 0)
          throw truncatedError(path, dataOffset + totalBytes, dataOffset + first * sampleBytes + got);
        got += bytesRead;
      }
      const data = into.subarray(0, want);
      if (bigEndian && itemSize > 1) swapBytes(data, itemSize);
      return { dtype, shape, count: n, data };
    };
    pending = readBatch(buffers[0]!, 0);
    while (pending) {
      const batch = await pending;
      done += batch.count;
      which ^= 1;
      pending = done < count ? readBatch(buffers[which]!, done) : undefined;
      // A failed read-ahead is reported when it is awaited; keep it from being "unhandled" meanwhile.
      pending?.catch(() => undefined);
      options.onBytes?.(done * sampleBytes, totalBytes);
      yield batch;
    }
  } finally {
    // A caller that stops early leaves a read-ahead in flight: let it land before closing the file.
    await pending?.catch(() => undefined);
    await file.close();
  }
}
