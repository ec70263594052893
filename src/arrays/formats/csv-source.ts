import type { ArraySource, OpenOptions } from './array-source.js';

/** Not written yet. */
export async function openCsvSource(path: string, options: OpenOptions = {}): Promise<ArraySource> {
  void options;
  throw new Error(`${path}: not implemented yet`);
}
