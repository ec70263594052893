import type { ArrayWriteInput } from './array-source.js';

/** Writes a `.npy` of shape (count, ...sampleShape) that numpy loads as is (temp, fsync, rename). */
export async function writeNpy(path: string, input: ArrayWriteInput): Promise<void> {
  void input;
  throw new Error(`${path}: not implemented yet`);
}
