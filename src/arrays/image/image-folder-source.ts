import type { ArraySource } from '../formats/array-source.js';

/** Not written yet. */
export async function openImageFolder(path: string): Promise<ArraySource> {
  throw new Error(`${path}: not implemented yet`);
}
