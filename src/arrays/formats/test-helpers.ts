import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArraySource, ArrayWriteInput, BatchOptions } from './array-source.js';
import type { DType } from '../dtype.js';
import { ITEM_SIZE } from '../dtype.js';
import { elementCount } from '../shape.js';

/** For tests: a temp folder and a function that removes it. */
export function makeTempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `strata-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** For tests: every batch of a source, copied and concatenated, with the batches' sizes. */
export async function readAll(
  source: ArraySource,
  options?: BatchOptions,
): Promise<{ data: Buffer; counts: number[]; byteSizes: number[] }> {
  const parts: Buffer[] = [];
  const counts: number[] = [];
  const byteSizes: number[] = [];
  for await (const batch of source.batches(options)) {
    parts.push(Buffer.from(batch.data));
    counts.push(batch.count);
    byteSizes.push(batch.data.byteLength);
  }
  return { data: Buffer.concat(parts), counts, byteSizes };
}

/** For tests: a write input over `data`, delivered in chunks of `chunkBytes` (odd sizes on purpose). */
export function inputOf(
  dtype: DType,
  sampleShape: readonly number[],
  data: Uint8Array,
  chunkBytes = 1000,
): ArrayWriteInput {
  const count = data.byteLength / (elementCount(sampleShape) * ITEM_SIZE[dtype] || 1);
  return {
    dtype,
    sampleShape,
    count: Number.isInteger(count) ? count : 0,
    chunks: (async function* () {
      for (let i = 0; i < data.byteLength; i += chunkBytes) yield data.subarray(i, i + chunkBytes);
    })(),
  };
}

/** For tests: random bytes for `count` samples of a shape; bools are 0 or 1. */
export function randomSamples(dtype: DType, sampleShape: readonly number[], count: number): Buffer {
  const bytes = randomBytes(count * elementCount(sampleShape) * ITEM_SIZE[dtype]);
  if (dtype === 'bool') for (let i = 0; i < bytes.length; i++) bytes[i]! &= 1;
  return bytes;
}
