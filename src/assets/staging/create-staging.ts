import { join } from 'node:path';
import { isStrataError } from '../../errors/index.js';
import { refuseStagedChanges } from '../../repo/commit/refuse-staged.js';
import { commit } from '../../repo/commit/create-commit.js';
import { withLocks } from '../../repo/commit/locks.js';
import type { Repository } from '../../repo/repository.js';
import { ASSET_STORE } from '../asset-store-port.js';
import { readAssets } from '../model.js';
import { toStagingAsset } from './from-records.js';
import type { MoveEntry } from './move-files.js';
import { recoverMoves, removeMoveJournal, type RecoveryPolicy, type RecoveryReport } from './move-journal.js';
import { stageAssets } from './stage-assets.js';
import { ensureStagingResource, stagingPathInRepository } from './staging-resource.js';
import type { StagingAsset, WriteMode } from './staging-plan.js';

/** The catalog lock that keeps two stagings (or a staging and a delete) of one repository apart. */
export const STAGING_LOCK = 'assets-staging';

/** Where the move journal lives: in `.strata/`, never inside the committed staging folder. */
export function stagingJournalPath(repo: Repository): string {
  return join(repo.strataDir, 'assets-staging-journal.json');
}

/**
 * Finishes or rolls back a staging that was interrupted (the journal is still there). Callers
 * hold STAGING_LOCK. Returns undefined when nothing was pending.
 */
export function recoverStaging(
  repo: Repository,
  policy: RecoveryPolicy = 'rollback',
): Promise<RecoveryReport | undefined> {
  return recoverMoves(stagingJournalPath(repo), policy);
}

/** Options of `createStaging`. */
export interface CreateStagingOptions {
  readonly ingressRoot: string;
  readonly stagingRoot: string;
  readonly writeMode: WriteMode;
  /** The assets to stage; default: the valid assets of the last `update`. */
  readonly assets?: readonly StagingAsset[];
  /** What to do with an interrupted earlier staging; default `rollback` (files back at their source). */
  readonly recovery?: RecoveryPolicy;
  readonly concurrency?: number;
  readonly chunkBytes?: number;
  readonly crossDevice?: 'auto' | 'always';
  readonly onProgress?: (done: number, total: number) => void;
  readonly afterEachMove?: (entry: MoveEntry) => void;
  /**
   * Checked before staging and again before the commit. Aborted after files were staged, the
   * staging is rolled back through its journal (files back at their source, copies removed) and
   * it rejects: nothing is committed either way.
   */
  readonly signal?: AbortSignal;
}

/** What `createStaging` did: the shape of `strata assets create --json`. */
export interface CreateResult {
  /** Assets staged. */
  readonly staged: number;
  readonly files: number;
  /** Bytes of content staged. */
  readonly bytes: number;
  /** The commit that versions this staging; null when nothing was staged or nothing changed. */
  readonly commit: string | null;
  /** True when the staging equals the last committed one. */
  readonly unchanged?: boolean;
  /** The resource (role `assets`) holding the staging folder. */
  readonly resource?: string;
  readonly recovered?: RecoveryReport;
}

async function validAssets(repo: Repository): Promise<StagingAsset[]> {
  const store = await repo.ports.get(ASSET_STORE).open();
  try {
    return (await readAssets(store, { valid: true })).map(toStagingAsset);
  } finally {
    await store.close();
  }
}

/**
 * `create`: stages the valid assets (content and metadata), then commits them as the resource
 * with role `assets`, so every staging is a snapshot that `diff` and `restore` know. With no valid
 * asset nothing is staged and nothing committed. The move journal is removed only after the
 * commit: a crash at any point leaves each file at its source or staged, and the next run rolls
 * the unfinished staging back (or finishes it) before doing anything else.
 */
export async function createStaging(repo: Repository, options: CreateStagingOptions): Promise<CreateResult> {
  stagingPathInRepository(repo, options.stagingRoot);
  return withLocks(repo, [STAGING_LOCK], async () => {
    const recovered = await recoverStaging(repo, options.recovery ?? 'rollback');
    const assets = options.assets ?? (await validAssets(repo));
    const extra = recovered ? { recovered } : {};
    if (assets.length === 0) return { staged: 0, files: 0, bytes: 0, commit: null, ...extra };
    // Checked before any file moves: the commit below takes no column section.
    await refuseStagedChanges(repo, 'assets create');
    options.signal?.throwIfAborted();
    const resource = await ensureStagingResource(repo, options.stagingRoot);
    const journal = stagingJournalPath(repo);
    const staged = await stageAssets({
      ingressRoot: options.ingressRoot,
      stagingRoot: options.stagingRoot,
      assets,
      writeMode: options.writeMode,
      journalPath: journal,
      concurrency: options.concurrency,
      chunkBytes: options.chunkBytes,
      crossDevice: options.crossDevice,
      onProgress: options.onProgress,
      afterEachMove: options.afterEachMove,
    });
    if (options.signal?.aborted) {
      // Cancelled after staging: put the files back (the journal's rollback, as after a crash).
      await recoverStaging(repo, 'rollback');
      options.signal.throwIfAborted();
    }
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
    let id: string | null = null;
    let unchanged = false;
    try {
      const made = await commit(repo, {
        message: `assets: staged ${plural(staged.assets, 'asset')} (${plural(staged.files, 'file')}, ${options.writeMode})`,
      });
      id = made.id;
    } catch (err) {
      if (!(isStrataError(err) && err.code === 'E_NOTHING_TO_COMMIT')) throw err;
      unchanged = true;
    }
    removeMoveJournal(journal);
    return {
      staged: staged.assets,
      files: staged.files,
      bytes: staged.bytes,
      commit: id,
      ...(unchanged ? { unchanged } : {}),
      resource: resource.name,
      ...extra,
    };
  });
}
