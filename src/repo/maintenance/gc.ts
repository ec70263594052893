import { GC_LOCK } from '../../catalog/catalog.js';
import { StrataError } from '../../errors/index.js';
import type { LeftoverReport } from '../../store/object-store.js';
import type { ObjectId } from '../../util/hash.js';
import { withLocks } from '../commit/locks.js';
import type { Repository } from '../repository.js';
import { walkReachable } from './reachable.js';

/** What `gc` removed. */
export interface GcReport {
  readonly reachable: number;
  readonly removed: number;
  readonly dryRun: boolean;
  /** Temp files and unindexed pack files that killed writers (or a killed gc) left behind. */
  readonly leftovers: LeftoverReport;
}

/**
 * How old a temp file of a still-running process must be before gc takes it for abandoned (its
 * pid was reused): an active writer touches its temp file far more often than this.
 */
export const TEMP_GRACE_MS = 60 * 60 * 1000;

/**
 * Removes objects no ref reaches. It holds the exclusive gc lock, so it never runs while a commit
 * or checkout is writing (their new objects are not reachable until their ref moves), and it
 * refuses to run at all when the object graph has problems: deleting on a broken walk could
 * delete what a damaged commit still needs.
 */
export async function gc(
  repo: Repository,
  options: { dryRun?: boolean; tempGraceMs?: number } = {},
): Promise<GcReport> {
  return withLocks(
    repo,
    [GC_LOCK],
    async (held) => {
      // First what killed writers left: their temp files, and packs no index row points at
      // (those are indexed again here, so the walk below decides whether they are garbage).
      const leftovers = options.dryRun
        ? { removedTempFiles: 0, removedPacks: 0, reindexedPacks: 0 }
        : await repo.store.removeLeftovers({ graceMs: options.tempGraceMs ?? TEMP_GRACE_MS });
      const { reachable, problems } = await walkReachable(repo);
      if (problems.length > 0) {
        throw new StrataError(
          'E_FSCK_FAILED',
          `gc refused: ${problems.length} reachable objects are missing or corrupt; run 'strata fsck'`,
          {
            problems: problems.length,
          },
        );
      }
      const garbage: ObjectId[] = [];
      for await (const id of repo.store.list()) if (!reachable.has(id)) garbage.push(id);
      if (!options.dryRun && garbage.length > 0) {
        // A gc whose lease was taken over may be racing a writer whose new objects no ref reaches yet.
        await held.assertStillHeld();
        await repo.store.deleteMany(garbage);
      }
      return {
        reachable: reachable.size,
        removed: garbage.length,
        dryRun: options.dryRun === true,
        leftovers,
      };
    },
    { exclusive: true },
  );
}
