import { ITEM_SIZE, type DType } from '../dtype.js';
import { elementCount } from '../shape.js';

/** Default most bytes of sample data in one batch. */
export const DEFAULT_MAX_BATCH_BYTES = 8 * 1024 * 1024;

/** How many whole samples go in one batch: as many as fit in maxBytes, at least one. */
export function samplesPerBatch(
  dtype: DType,
  shape: readonly number[],
  maxBytes = DEFAULT_MAX_BATCH_BYTES,
): number {
  const sampleBytes = elementCount(shape) * ITEM_SIZE[dtype];
  if (sampleBytes === 0) return Number.MAX_SAFE_INTEGER;
  return Math.max(1, Math.floor(maxBytes / sampleBytes));
}
