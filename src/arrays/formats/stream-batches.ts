import { ITEM_SIZE, swapBytes, type DType } from '../dtype.js';
import { elementCount } from '../shape.js';
import type { BatchOptions, SampleBatch } from './array-source.js';
import { samplesPerBatch } from './batch-plan.js';
import { truncatedError } from './format-error.js';

/** What a byte stream holds: `skip` bytes of header, then `count` samples of `shape`. */
export interface StreamLayout {
  readonly file: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly count: number;
  readonly skip: number;
  readonly bigEndian: boolean;
}

/**
 * Cuts a byte stream (a zip member, say) into batches of whole samples, copying into one reused
 * buffer: each batch's `data` is a view into it, valid until the caller asks for the next batch.
 * A stream that ends early is an error naming the file, expected and got bytes.
 */
export async function* streamBatches(
  stream: AsyncIterable<Uint8Array>,
  layout: StreamLayout,
  options: BatchOptions = {},
): AsyncGenerator<SampleBatch> {
  const { file, dtype, shape, count, skip, bigEndian } = layout;
  const itemSize = ITEM_SIZE[dtype];
  const sampleBytes = elementCount(shape) * itemSize;
  const totalBytes = count * sampleBytes;
  if (count === 0) return;
  if (sampleBytes === 0) {
    yield { dtype, shape, count, data: new Uint8Array(0) };
    return;
  }
  const perBatch = Math.min(count, samplesPerBatch(dtype, shape, options.maxBytes));
  const buffer = Buffer.allocUnsafe(perBatch * sampleBytes);
  let toSkip = skip;
  let filled = 0;
  let emitted = 0;
  const emit = (): SampleBatch => {
    const n = Math.min(perBatch, count - emitted);
    const data = buffer.subarray(0, n * sampleBytes);
    if (bigEndian && itemSize > 1) swapBytes(data, itemSize);
    emitted += n;
    filled = 0;
    options.onBytes?.(emitted * sampleBytes, totalBytes);
    return { dtype, shape, count: n, data };
  };
  for await (const chunk of stream) {
    let offset = Math.min(toSkip, chunk.byteLength);
    toSkip -= offset;
    while (offset < chunk.byteLength && emitted < count) {
      const want = Math.min(perBatch, count - emitted) * sampleBytes;
      const n = Math.min(want - filled, chunk.byteLength - offset);
      buffer.set(chunk.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      if (filled === want) yield emit();
    }
    if (emitted === count) return;
  }
  throw truncatedError(file, skip + totalBytes, skip + emitted * sampleBytes + filled);
}
