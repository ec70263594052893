import type { ArrayWriteInput } from './array-source.js';
import { writeDurably } from './durable-file-writer.js';
import { encodeNpyHeader } from './npy.js';
import { checkWriteInput, feedChunks } from './write-input.js';

/**
 * Writes a `.npy` of shape (count, ...sampleShape) that numpy loads as is: temp file, fsync,
 * rename, so a failed write leaves nothing behind.
 */
export async function writeNpy(path: string, input: ArrayWriteInput): Promise<void> {
  checkWriteInput(path, input);
  await writeDurably(path, async (writer) => {
    await writer.write(encodeNpyHeader(input.dtype, [input.count, ...input.sampleShape]));
    await feedChunks(path, input, (chunk) => writer.write(chunk));
  });
}
