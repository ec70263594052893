import { InvalidArgumentError } from '../../errors/index.js';
import { ITEM_SIZE } from '../dtype.js';
import { checkShapeSpec, elementCount } from '../shape.js';
import type { ArrayWriteInput } from './array-source.js';

/** Bytes an input must deliver: count × elements per sample × item size. */
export function expectedBytes(input: ArrayWriteInput): number {
  return input.count * elementCount(input.sampleShape) * ITEM_SIZE[input.dtype];
}

/** Checks the input's count and shape before anything is written. */
export function checkWriteInput(file: string, input: ArrayWriteInput): void {
  if (!Number.isSafeInteger(input.count) || input.count < 0) {
    throw new InvalidArgumentError(`${file}: sample count ${input.count} is not a whole number >= 0`, {
      file,
      count: input.count,
    });
  }
  checkShapeSpec(input.sampleShape, `${file}: sample shape`);
}

/**
 * The input's chunks, checked to add up to exactly the bytes its count and shape promise; a
 * mismatch is an error naming the file, expected and got bytes.
 */
export async function* checkedChunks(file: string, input: ArrayWriteInput): AsyncGenerator<Uint8Array> {
  const expected = expectedBytes(input);
  let got = 0;
  for await (const chunk of input.chunks) {
    got += chunk.byteLength;
    if (got > expected) break;
    yield chunk;
  }
  if (got !== expected) throw sizeMismatch(file, input, expected, got);
}

/**
 * Feeds the input's chunks to `sink`, checking they add up to exactly the bytes its count and
 * shape promise (an error naming the file, expected and got bytes otherwise). Unlike
 * {@link checkedChunks} it costs no await per chunk when `sink` returns nothing, which matters
 * for inputs of one small chunk per sample.
 */
export async function feedChunks(
  file: string,
  input: ArrayWriteInput,
  sink: (chunk: Uint8Array) => Promise<void> | undefined,
): Promise<void> {
  const expected = expectedBytes(input);
  let got = 0;
  for await (const chunk of input.chunks) {
    got += chunk.byteLength;
    if (got > expected) break;
    const writing = sink(chunk);
    if (writing) await writing;
  }
  if (got !== expected) throw sizeMismatch(file, input, expected, got);
}

function sizeMismatch(
  file: string,
  input: ArrayWriteInput,
  expected: number,
  got: number,
): InvalidArgumentError {
  return new InvalidArgumentError(
    `${file}: ${input.count} samples of shape [${input.sampleShape.join(', ')}] ${input.dtype} need ${expected} bytes, the input gave ${got > expected ? 'more' : got}`,
    { file, expectedBytes: expected, gotBytes: got },
  );
}
