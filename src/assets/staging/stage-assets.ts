import { lstatSync, rmSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { InvalidArgumentError, NotFoundError } from '../../errors/index.js';
import { copyFiles } from './copy-files.js';
import { checkRecordId, metadataWrites, writeMetadata, type MetadataCounts } from './metadata-writer.js';
import { moveFiles, type MoveEntry } from './move-files.js';
import { recoverMoves, writeMoveJournal } from './move-journal.js';
import { checkRelativePath, stagingLayout } from './staging-layout.js';
import type { StagingAsset, WriteMode } from './staging-plan.js';

/** Options of `stageAssets`. */
export interface StageAssetsOptions {
  readonly ingressRoot: string;
  readonly stagingRoot: string;
  readonly assets: readonly StagingAsset[];
  readonly writeMode: WriteMode;
  /**
   * Where the journal goes (outside the staging folder, so it is never committed). It is left in
   * place: the caller removes it once the staged result is committed.
   */
  readonly journalPath: string;
  /** Parallelism: copy threads (copy mode, default 1), or moves in flight (move mode). */
  readonly concurrency?: number;
  readonly chunkBytes?: number;
  /** Tests: force the cross-filesystem move path. */
  readonly crossDevice?: 'auto' | 'always';
  readonly onProgress?: (done: number, total: number) => void;
  /** Tests: called after each moved file (to crash mid-move). */
  readonly afterEachMove?: (entry: MoveEntry) => void;
}

/** What was staged. */
export interface StageResult {
  readonly assets: number;
  readonly files: number;
  /** Bytes of content staged. */
  readonly bytes: number;
  readonly metadata: MetadataCounts;
}

/**
 * Checks every path and lists the moves, before anything on disk changes. Sources are stat'ed
 * unless `trustSizes` and the size is known (copy mode: a vanished source fails the copy instead,
 * and nothing is lost).
 */
export function planStaging(
  ingressRoot: string,
  stagingRoot: string,
  assets: readonly StagingAsset[],
  trustSizes = false,
): { entries: MoveEntry[]; bytes: number } {
  // Plain concatenation: paths are checked relative paths, and path.join's normalisation showed
  // up in profiles at 100,000 files.
  const content = stagingLayout(stagingRoot).content + sep;
  const from = ingressRoot + sep;
  const entries: MoveEntry[] = [];
  const seen = new Set<string>();
  let bytes = 0;
  for (const asset of assets) {
    checkRelativePath(asset.path, 'asset path');
    checkRecordId(asset.id, 'asset');
    for (const file of asset.files) {
      checkRelativePath(file.path, 'file path');
      checkRecordId(file.id, 'file');
      if (seen.has(file.path)) {
        throw new InvalidArgumentError(`file '${file.path}' is listed twice`, { path: file.path });
      }
      seen.add(file.path);
      const source = from + file.path;
      if (trustSizes && file.size !== undefined) bytes += file.size;
      else {
        const st = lstatSync(source, { throwIfNoEntry: false });
        if (!st) throw vanished(file.path);
        if (!st.isFile()) {
          throw new InvalidArgumentError(`'${file.path}' is not a regular file`, { path: file.path });
        }
        bytes += st.size;
      }
      entries.push({ from: source, to: content + file.path });
    }
  }
  return { entries, bytes };
}

function vanished(path: string): NotFoundError {
  return new NotFoundError(`file '${path}' is no longer in the ingress folder; run update again`, {
    what: 'file',
    path,
  });
}

/**
 * Stages assets: their files into `<staging>/content/` (same relative paths), by copy or by move,
 * then their metadata into `<staging>/metadata/`. Every path is checked and every source is
 * found before anything changes. In move mode a target that exists already is removed first, so
 * that a file found at its target after a crash is always the newly moved one.
 */
export async function stageAssets(options: StageAssetsOptions): Promise<StageResult> {
  const layout = stagingLayout(options.stagingRoot);
  const { entries, bytes } = planStaging(
    options.ingressRoot,
    options.stagingRoot,
    options.assets,
    options.writeMode === 'copy',
  );
  if (options.writeMode === 'move') {
    for (const e of entries) rmSync(e.to, { force: true });
  }
  writeMoveJournal(options.journalPath, entries, options.writeMode);
  if (options.writeMode === 'move') {
    await moveFiles(entries, {
      concurrency: options.concurrency,
      crossDevice: options.crossDevice,
      onProgress: options.onProgress,
      afterEach: options.afterEachMove,
    });
    const metadata = await writeMetadata(layout, options.assets, { chunkBytes: options.chunkBytes });
    return { assets: options.assets.length, files: entries.length, bytes, metadata };
  }
  // Copy mode: content copies and metadata writes in one pass of synchronous calls (runFileOps).
  const { ops, counts } = metadataWrites(layout, options.assets, options.chunkBytes);
  try {
    await copyFiles(entries, {
      threads: options.concurrency,
      onProgress: options.onProgress,
      alsoWrite: ops,
    });
  } catch (err) {
    // Remove the partial copies now (the sources are intact), then name the file at fault.
    await recoverMoves(options.journalPath, 'rollback');
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT' && e.path?.startsWith(options.ingressRoot)) {
      throw vanished(relative(options.ingressRoot, e.path).split(sep).join('/'));
    }
    throw err;
  }
  const metadata = counts;
  return { assets: options.assets.length, files: entries.length, bytes, metadata };
}
