import { closeSync, constants, fsyncSync, mkdirSync, openSync } from 'node:fs';
import { copyFile, rename, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { fsyncDir } from '../../util/durable-fs.js';
import { defaultIoConcurrency, forEachBounded } from './bounded.js';
import { STAGING_TEMP_PREFIX } from './staging-layout.js';

/** One planned move: absolute source and target. */
export interface MoveEntry {
  readonly from: string;
  readonly to: string;
}

/** Options of `moveFiles`. */
export interface MoveFilesOptions {
  readonly concurrency?: number;
  /** `always` takes the cross-filesystem path even where a rename would work (tests). */
  readonly crossDevice?: 'auto' | 'always';
  readonly onProgress?: (done: number, total: number) => void;
  /** Called after each file is in place (tests use it to crash mid-move). */
  readonly afterEach?: (entry: MoveEntry) => void;
}

/** A temporary name beside `target`, on the target's filesystem; recovery deletes leftovers. */
export function stagingTempPath(target: string): string {
  return join(dirname(target), `${STAGING_TEMP_PREFIX}${basename(target)}-${randomBytes(4).toString('hex')}`);
}

function fsyncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Copies `from` to `to` so that `to` appears only whole: clone-or-copy to a temp file beside the
 * target, fsync it, rename it into place. The source is left alone.
 */
export async function copyWhole(from: string, to: string): Promise<void> {
  const temp = stagingTempPath(to);
  try {
    await copyFile(from, temp, constants.COPYFILE_FICLONE);
    fsyncFile(temp);
    await rename(temp, to);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

/**
 * Moves files so that none is ever lost: on one filesystem a rename (atomic); across filesystems
 * a whole copy (temp → fsync → rename), then — only once every target folder is fsynced — the
 * sources are unlinked. Folder fsyncs are batched: once per folder, not once per file. At any
 * instant each file is at its source, fully at its target, or (briefly, cross-device) both.
 */
export async function moveFiles(
  entries: readonly MoveEntry[],
  options: MoveFilesOptions = {},
): Promise<void> {
  const concurrency = options.concurrency ?? defaultIoConcurrency();
  const copied: string[] = [];
  const targetDirs = new Set<string>();
  const sourceDirs = new Set<string>();
  for (const e of entries) targetDirs.add(dirname(e.to));
  for (const dir of targetDirs) mkdirSync(dir, { recursive: true });
  let done = 0;
  await forEachBounded(entries, concurrency, async (entry) => {
    let renamed = false;
    if (options.crossDevice !== 'always') {
      try {
        await rename(entry.from, entry.to);
        renamed = true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      }
    }
    if (!renamed) {
      await copyWhole(entry.from, entry.to);
      copied.push(entry.from);
    }
    sourceDirs.add(dirname(entry.from));
    options.afterEach?.(entry);
    options.onProgress?.(++done, entries.length);
  });
  // Targets must be durable before any source copy goes away.
  for (const dir of targetDirs) fsyncDir(dir);
  await forEachBounded(copied, concurrency, (from) => unlink(from));
  for (const dir of sourceDirs) fsyncDir(dir);
}
