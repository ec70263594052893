import { InvalidArgumentError } from '../../errors/index.js';
import type { DType } from '../dtype.js';
import { ITEM_SIZE } from '../dtype.js';
import { elementCount } from '../shape.js';

/** IDX (MNIST) type codes. */
const IDX_TYPES: Readonly<Record<number, DType>> = {
  0x08: 'uint8',
  0x09: 'int8',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

/** What an IDX header says, checked against the file's real size. Data is big-endian on disk. */
export interface IdxHeader {
  readonly dtype: DType;
  readonly shape: number[];
  readonly dataOffset: number;
  readonly dataLength: number;
}

/** Parses an IDX header (MNIST's format) from the first bytes of a file of `fileSize` bytes. */
export function parseIdxHeader(head: Uint8Array, fileSize: number, file = 'IDX file'): IdxHeader {
  const buf = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  const fail = (why: string) =>
    new InvalidArgumentError(`${file}: not a valid IDX file: ${why}`, { file, reason: why });
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0) throw fail('missing the two zero magic bytes');
  const dtype = IDX_TYPES[buf[2]!];
  if (!dtype) throw fail(`unknown type code 0x${buf[2]!.toString(16)}`);
  const rank = buf[3]!;
  if (rank < 1) throw fail('zero dimensions');
  const dataOffset = 4 + 4 * rank;
  if (buf.length < dataOffset) throw fail(`header of ${rank} dimensions is truncated`);
  const shape = Array.from({ length: rank }, (_, i) => buf.readUInt32BE(4 + 4 * i));
  const dataLength = elementCount(shape) * ITEM_SIZE[dtype];
  if (fileSize !== dataOffset + dataLength) {
    throw fail(
      `header says shape [${shape.join(', ')}] (${dataLength} bytes of data) but the file has ${fileSize - dataOffset}`,
    );
  }
  return { dtype, shape, dataOffset, dataLength };
}
