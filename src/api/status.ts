import type { Repository } from '../repo/repository.js';
import { status as scanStatus, type StatusReport } from '../repo/worktree/status.js';
import { recoverResultsMove } from '../workspace/results/move-plan.js';

/**
 * The changes in the working folders since HEAD's commit, as `strata status` reports them: a
 * results move left by a killed commit is finished or undone first, so its half-moved files never
 * show up as changes.
 *
 * @example
 * ```ts
 * const { changes } = await status(repo);
 * ```
 */
export async function status(
  repo: Repository,
  options: { onHashed?: (done: number, total: number) => void } = {},
): Promise<StatusReport> {
  await recoverResultsMove(repo);
  return scanStatus(repo, options);
}
