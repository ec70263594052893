import { constants } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { defaultIoConcurrency, forEachBounded } from './bounded.js';
import type { MoveEntry } from './move-files.js';

/** Options of `copyFiles`. */
export interface CopyFilesOptions {
  readonly concurrency?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Copies files with many copies in flight (libuv's pool spreads them over the cores), cloning
 * where the filesystem can (reflink: no data copied at all) and falling back to a kernel copy.
 * Targets are written in place and not fsynced: the sources stay, the staging journal marks the
 * run as unfinished until it is committed, and the commit makes the content durable in the store.
 */
export async function copyFiles(
  entries: readonly MoveEntry[],
  options: CopyFilesOptions = {},
): Promise<void> {
  const dirs = new Set<string>();
  for (const e of entries) dirs.add(dirname(e.to));
  for (const dir of dirs) mkdirSync(dir, { recursive: true });
  let done = 0;
  await forEachBounded(entries, options.concurrency ?? defaultIoConcurrency(), async (entry) => {
    await copyFile(entry.from, entry.to, constants.COPYFILE_FICLONE);
    options.onProgress?.(++done, entries.length);
  });
}
