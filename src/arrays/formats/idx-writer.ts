import { InvalidArgumentError } from '../../errors/index.js';
import { ITEM_SIZE, swapBytes, type DType } from '../dtype.js';
import type { ArrayWriteInput } from './array-source.js';
import { writeDurably } from './durable-file-writer.js';
import { checkWriteInput, feedChunks } from './write-input.js';

/** IDX type codes by dtype: the only dtypes the format has. */
const IDX_CODES: Partial<Record<DType, number>> = {
  uint8: 0x08,
  int8: 0x09,
  int16: 0x0b,
  int32: 0x0c,
  float32: 0x0d,
  float64: 0x0e,
};

/**
 * Writes an IDX file (MNIST's format) of shape (count, ...sampleShape), big-endian as the format
 * says. Only uint8, int8, int16, int32, float32 and float64 exist in IDX; other dtypes are refused.
 */
export async function writeIdx(path: string, input: ArrayWriteInput): Promise<void> {
  const code = IDX_CODES[input.dtype];
  if (code === undefined) {
    throw new InvalidArgumentError(
      `${path}: IDX files cannot hold ${input.dtype}; they hold ${Object.keys(IDX_CODES).join(', ')}`,
      { file: path, dtype: input.dtype, supported: Object.keys(IDX_CODES) },
    );
  }
  checkWriteInput(path, input);
  const dims = [input.count, ...input.sampleShape];
  if (dims.length > 255 || dims.some((d) => d > 0xffffffff)) {
    throw new InvalidArgumentError(`${path}: IDX holds at most 255 dimensions of at most 2^32-1`, {
      file: path,
      shape: dims,
    });
  }
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = code;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  const itemSize = ITEM_SIZE[input.dtype];
  await writeDurably(
    path,
    async (writer) => {
      await writer.writeVerbatim(header);
      await feedChunks(path, input, (chunk) => writer.write(chunk));
    },
    itemSize > 1 ? (run) => swapBytes(run, itemSize) : undefined,
  );
}
