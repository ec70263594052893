import type { ArraySource } from './array-source.js';

/** Not written yet. */
export async function openNpzSources(path: string): Promise<ArraySource[]> {
  throw new Error(`${path}: not implemented yet`);
}
