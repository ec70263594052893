import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { createGunzip } from 'node:zlib';
import { isStrataError } from '../../errors/index.js';
import type { ArraySource, BatchOptions, SampleBatch } from './array-source.js';
import { fileRangeBatches } from './file-range-batches.js';
import { formatError } from './format-error.js';
import { parseIdxHeader, type IdxHeader } from './idx.js';
import { streamBatches } from './stream-batches.js';

/** Magic (4 bytes) and at most 255 dimensions of 4 bytes. */
const MAX_HEADER = 4 + 4 * 255;

/** Reads and checks the header of an IDX file. */
export async function readIdxHeaderAsync(path: string): Promise<IdxHeader> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const head = Buffer.alloc(Math.min(size, MAX_HEADER));
    await file.read(head, 0, head.length, 0);
    return parseIdxHeader(head, size, path);
  } finally {
    await file.close();
  }
}

/**
 * Reads and checks the header of a gzipped IDX file (MNIST is downloaded so): the first bytes
 * decompressed, checked against the uncompressed size in the gzip trailer (which holds it modulo
 * 2^32).
 */
async function readGzipIdxHeader(path: string): Promise<IdxHeader> {
  const file = await open(path, 'r');
  let trailerSize: number;
  try {
    const { size } = await file.stat();
    const trailer = Buffer.alloc(4);
    if (size < 18) throw formatError(path, 'gzipped IDX file', 'too short to be gzip');
    await file.read(trailer, 0, 4, size - 4);
    trailerSize = trailer.readUInt32LE(0);
  } finally {
    await file.close();
  }
  const parts: Buffer[] = [];
  let length = 0;
  const stream = createReadStream(path).pipe(createGunzip());
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      parts.push(chunk);
      length += chunk.length;
      if (length >= 4 && length >= 4 + 4 * parts[0]![3]!) break;
      if (length >= MAX_HEADER) break;
    }
  } catch (err) {
    throw formatError(path, 'gzipped IDX file', (err as Error).message);
  } finally {
    stream.destroy();
  }
  const head = Buffer.concat(parts);
  // The trailer holds the size modulo 2^32: lift it to the header's size when they agree there.
  const rank = head.length >= 4 ? head[3]! : 0;
  let size = trailerSize;
  if (head.length >= 4 + 4 * rank && rank > 0) {
    const claimed = parseIdxHeaderLength(head, rank);
    if (claimed !== undefined && claimed % 2 ** 32 === trailerSize) size = claimed;
  }
  return parseIdxHeader(head, size, path);
}

/** Header plus data bytes an IDX header claims, or undefined when its type code is unknown. */
function parseIdxHeaderLength(head: Buffer, rank: number): number | undefined {
  const itemSize = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 }[head[2]!];
  if (itemSize === undefined) return undefined;
  let elements = 1;
  for (let i = 0; i < rank; i++) elements *= head.readUInt32BE(4 + 4 * i);
  return 4 + 4 * rank + elements * itemSize;
}

/**
 * An IDX file (MNIST's format), plain or gzipped (`.gz`), as a source: samples along the first
 * dimension, swapped to little-endian.
 */
export async function openIdxSource(path: string): Promise<ArraySource> {
  const gzipped = path.toLowerCase().endsWith('.gz');
  const header = gzipped ? await readGzipIdxHeader(path) : await readIdxHeaderAsync(path);
  const count = header.shape[0]!;
  const sampleShape = header.shape.slice(1);
  const range = { path, dtype: header.dtype, shape: sampleShape, count, dataOffset: header.dataOffset };
  return {
    path,
    name: idxBaseName(path),
    dtype: header.dtype,
    sampleShape,
    count,
    batches: (options) =>
      gzipped ? gzipBatches(range, options) : fileRangeBatches({ ...range, bigEndian: true }, options),
  };
}

async function* gzipBatches(
  range: { path: string; dtype: IdxHeader['dtype']; shape: number[]; count: number; dataOffset: number },
  options?: BatchOptions,
): AsyncGenerator<SampleBatch> {
  const stream = createReadStream(range.path).pipe(createGunzip());
  try {
    yield* streamBatches(
      stream as AsyncIterable<Uint8Array>,
      { file: range.path, ...range, skip: range.dataOffset, bigEndian: true },
      options,
    );
  } catch (err) {
    throw isStrataError(err) ? err : formatError(range.path, 'gzipped IDX file', (err as Error).message);
  } finally {
    stream.destroy();
  }
}

/** `train-images-idx3-ubyte` → `train-images`; `labels.idx1.gz` → `labels`. */
function idxBaseName(path: string): string {
  const base = basename(path).replace(/\.gz$/i, '');
  const stripped = base.replace(/[.-]idx\d*(-ubyte)?$/i, '').replace(/-ubyte$/i, '');
  return stripped === '' ? base : stripped;
}
