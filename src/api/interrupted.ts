import { hostname } from 'node:os';
import {
  readMoveJournal,
  recoverStaging,
  STAGING_LOCK,
  stagingJournalPath,
} from '../assets/staging/index.js';
import type { RecoveryReport } from '../assets/staging/index.js';
import { NotFoundError } from '../errors/index.js';
import { isProcessAlive, withLocks } from '../repo/commit/locks.js';
import type { Repository } from '../repo/repository.js';
import {
  isJournalOwnerAlive,
  resolveInterrupted,
  type RecoveryResult,
} from '../repo/worktree/journaled-rewrite.js';
import { describeInterrupted, readWorktreeJournal } from '../repo/worktree/worktree-journal.js';

/** An operation whose journal is still there: interrupted, or (`inProgress`) running right now. */
export interface InterruptedOperation {
  readonly operation: 'checkout' | 'restore' | 'merge' | 'assets create';
  /** What it was working towards: a revision, restored paths, or the number of staged files. */
  readonly target: string;
  readonly started: string;
  /** True when the process that started it is still running (nothing to recover yet). */
  readonly inProgress: boolean;
  /** The commands that finish and that undo it. */
  readonly continueCommand: string;
  readonly abortCommand: string;
  /** One line for people. */
  readonly message: string;
}

/**
 * What `status` reports about an unfinished operation: a checkout, restore or merge (worktree
 * journal) or an `assets create` (move journal). Undefined when nothing is pending.
 */
export function findInterrupted(repo: Repository): InterruptedOperation | undefined {
  const journal = readWorktreeJournal(repo);
  if (journal) {
    const inProgress = isJournalOwnerAlive(journal);
    return {
      operation: journal.operation,
      target: journal.target,
      started: journal.started,
      inProgress,
      continueCommand: `strata ${journal.operation} --continue`,
      abortCommand: `strata ${journal.operation} --abort`,
      message: inProgress
        ? `a ${journal.operation} (pid ${journal.pid}) is running`
        : describeInterrupted(journal),
    };
  }
  const moves = readMoveJournal(stagingJournalPath(repo));
  if (moves) {
    return {
      operation: 'assets create',
      target: `${moves.entries.length} files`,
      started: moves.created,
      inProgress: false,
      continueCommand: 'strata recover',
      abortCommand: 'strata recover --abort',
      message:
        `an 'assets create' (${moves.entries.length} files to ${moves.mode}) was interrupted; ` +
        `'strata recover' finishes the moves, 'strata recover --abort' moves the files back ` +
        `(the next 'assets create' moves them back by itself)`,
    };
  }
  return undefined;
}

/** What `recover` did: at most one of each kind of journal is pending. */
export interface RecoverResult {
  readonly worktree?: RecoveryResult;
  readonly staging?: RecoveryReport;
}

/**
 * `strata recover`: finishes (or with `abort`, undoes) every interrupted operation: a checkout,
 * restore or merge (see `resolveInterrupted`), and an `assets create` whose files were being
 * moved. `NotFoundError` when nothing is pending.
 */
export async function recover(
  repo: Repository,
  options: { abort?: boolean; onProgress?: (done: number, total: number) => void } = {},
): Promise<RecoverResult> {
  const out: { worktree?: RecoveryResult; staging?: RecoveryReport } = {};
  if (readWorktreeJournal(repo))
    out.worktree = await resolveInterrupted(repo, options.abort ? 'abort' : 'continue', {
      onProgress: options.onProgress,
    });
  if (readMoveJournal(stagingJournalPath(repo))) {
    await releaseDeadStagingLock(repo);
    out.staging = await withLocks(repo, [STAGING_LOCK], () =>
      recoverStaging(repo, options.abort ? 'rollback' : 'finish'),
    );
  }
  if (!out.worktree && !out.staging)
    throw new NotFoundError('no interrupted operation to recover', { what: 'interrupted operation' });
  return out;
}

/** A killed `assets create` leaves its lock: with its journal pending, a dead holder's lock is freed. */
async function releaseDeadStagingLock(repo: Repository): Promise<void> {
  for (const lock of await repo.catalog.listLocks()) {
    if (lock.name === STAGING_LOCK && lock.host === hostname() && !isProcessAlive(lock.pid))
      await repo.catalog.forceReleaseLock(lock.name);
  }
}
