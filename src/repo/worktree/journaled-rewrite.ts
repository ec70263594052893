import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { ConflictError, InvalidArgumentError, NotFoundError } from '../../errors/index.js';
import type { ObjectId } from '../../util/hash.js';
import { commitTree } from '../commit/commit-tree.js';
import { isProcessAlive, withLocks } from '../commit/locks.js';
import { readCommit, readCommitTree } from '../objects/read-objects.js';
import { branchRef } from '../refs/ref-name.js';
import type { Repository } from '../repository.js';
import { applyJournal, removeTemporaryFiles, type ApplyReport } from './apply-changes.js';
import { restoreResourceExtras } from './restore-extras.js';
import {
  readWorktreeJournal,
  removeWorktreeJournal,
  writeWorktreeJournal,
  type JournaledOperation,
  type WorktreeJournal,
} from './worktree-journal.js';

/** What a journaled rewrite is about to do: everything of its journal but the run's own fields. */
export type RewriteJob = Omit<WorktreeJournal, 'version' | 'started' | 'pid' | 'host' | 'token'>;

/**
 * Test hook: `STRATA_TEST_CRASH_AFTER_FILES=N` kills the process (SIGKILL) after N files of a
 * journaled rewrite are written, so crash tests are sized by work done, never by wall time.
 */
function crashHook(): { afterEach?(done: number): void } {
  const after = Number(process.env.STRATA_TEST_CRASH_AFTER_FILES ?? NaN);
  if (!Number.isInteger(after)) return {};
  return {
    afterEach(done: number) {
      if (done === after) process.kill(process.pid, 'SIGKILL');
    },
  };
}

/**
 * Runs a working-folder rewrite under its journal: the journal is written durably first, then
 * every file is replaced (temporary name, rename), then the finishing step (HEAD, a ref, a merge
 * commit) runs, and only then is the journal removed. Killed at any instant, the journal says what
 * was under way and `resolveInterrupted` finishes or undoes it. The caller holds `job.locks`.
 */
export async function runJournaled(
  repo: Repository,
  job: RewriteJob,
  options: { onProgress?: (done: number, total: number) => void } = {},
): Promise<ApplyReport> {
  const journal = writeWorktreeJournal(repo, { ...job, token: randomBytes(6).toString('hex') });
  let report: ApplyReport;
  try {
    report = await applyJournal(repo, journal, 'forward', {
      onProgress: options.onProgress,
      hooks: crashHook(),
    });
    await finishForward(repo, journal);
  } catch (err) {
    await rollBack(repo, journal);
    throw err;
  }
  // Every file was written: no temporary name is left in the working folders.
  removeTemporaryFiles(repo, journal, { workingFolders: false });
  removeWorktreeJournal(repo);
  return report;
}

/**
 * A rewrite that failed midway (a folder in the way, a full disk, a missing object) is undone at
 * once, so the tree is never left worse than before: every file goes back to its earlier state.
 * If even that fails, the journal stays and `status` explains what to do.
 */
async function rollBack(repo: Repository, journal: WorktreeJournal): Promise<void> {
  try {
    await applyJournal(repo, journal, 'back');
    await finishBack(repo, journal);
  } catch {
    removeTemporaryFiles(repo, journal);
    return;
  }
  removeTemporaryFiles(repo, journal);
  removeWorktreeJournal(repo);
}

/** The steps after the files, done again safely by `--continue` (each is idempotent). */
async function finishForward(repo: Repository, journal: WorktreeJournal): Promise<void> {
  if (journal.extrasFrom) {
    const target = await readCommitTree(repo, journal.extrasFrom);
    restoreResourceExtras(repo, target, Object.keys(target.resources));
  }
  const finish = journal.finish;
  if (finish.kind === 'head') {
    if (finish.branch) await repo.catalog.setSymbolicRef('HEAD', { symbolic: branchRef(finish.branch) });
    else await repo.catalog.setSymbolicRef('HEAD', { target: finish.commit });
  } else if (finish.kind === 'ref') {
    const now = (await repo.catalog.getRef(branchRef(finish.branch)))?.target ?? null;
    if (now !== finish.to) await repo.catalog.updateRef(branchRef(finish.branch), finish.to, finish.from);
  } else if (finish.kind === 'merge-commit') {
    const now = (await repo.catalog.getRef(branchRef(finish.branch)))?.target ?? null;
    if (now === finish.ours) {
      await commitTree(repo, {
        branch: finish.branch,
        message: finish.message,
        parents: [finish.ours, finish.theirs],
        resources: finish.resources,
        sections: finish.sections as Parameters<typeof commitTree>[1]['sections'],
      });
    } else if (!(await isMergeOf(repo, now, finish.ours, finish.theirs))) {
      throw new ConflictError(
        `branch '${finish.branch}' moved since the merge began; 'strata merge --abort' puts the files back`,
        { branch: finish.branch },
      );
    }
  }
}

/** Undoes the step after the files when it already ran (HEAD, a ref, a merge commit). */
async function finishBack(repo: Repository, journal: WorktreeJournal): Promise<void> {
  const finish = journal.finish;
  if (finish.kind === 'head') {
    const prev = finish.previous;
    if (prev.branch) await repo.catalog.setSymbolicRef('HEAD', { symbolic: branchRef(prev.branch) });
    else if (prev.commit) await repo.catalog.setSymbolicRef('HEAD', { target: prev.commit });
  } else if (finish.kind === 'ref') {
    const now = (await repo.catalog.getRef(branchRef(finish.branch)))?.target ?? null;
    if (now === finish.to && finish.from !== null && finish.from !== finish.to)
      await repo.catalog.updateRef(branchRef(finish.branch), finish.from, finish.to);
  } else if (finish.kind === 'merge-commit') {
    const now = (await repo.catalog.getRef(branchRef(finish.branch)))?.target ?? null;
    if (now !== null && now !== finish.ours && (await isMergeOf(repo, now, finish.ours, finish.theirs)))
      await repo.catalog.updateRef(branchRef(finish.branch), finish.ours, now);
  }
}

async function isMergeOf(repo: Repository, commit: ObjectId | null, ours: ObjectId, theirs: ObjectId) {
  if (commit === null) return false;
  const parents = (await readCommit(repo, commit)).parents;
  return parents.length === 2 && parents[0] === ours && parents[1] === theirs;
}

/** What `resolveInterrupted` did. */
export interface RecoveryResult extends ApplyReport {
  readonly operation: JournaledOperation;
  readonly target: string;
  readonly action: 'continue' | 'abort';
}

/**
 * Finishes (`continue`: every file to its new state, then HEAD, the ref or the merge commit) or
 * undoes (`abort`: every file back to its earlier state where the store holds it, and HEAD or the
 * ref back) an interrupted checkout, restore or merge, then deletes its temporary files and its
 * journal. `operation`, when given, must be the interrupted one (`strata merge --continue` does
 * not finish a checkout). Locks a killed run left behind are taken over: the journal proves the
 * dead process held them for this operation.
 */
export async function resolveInterrupted(
  repo: Repository,
  action: 'continue' | 'abort',
  options: {
    operation?: JournaledOperation;
    onProgress?: (done: number, total: number) => void;
  } = {},
): Promise<RecoveryResult> {
  const journal = readWorktreeJournal(repo);
  if (!journal) {
    throw new NotFoundError(`no interrupted ${options.operation ?? 'operation'} to ${action}`, {
      what: 'interrupted operation',
    });
  }
  if (options.operation && options.operation !== journal.operation) {
    throw new InvalidArgumentError(
      `the interrupted operation is a ${journal.operation}, not a ${options.operation}: use 'strata ${journal.operation} --${action}' or 'strata recover'`,
      { operation: journal.operation },
    );
  }
  await takeOverStaleLocks(repo, journal);
  return withLocks(repo, journal.locks, async () => {
    // Re-read under the locks: another recovery may have finished it meanwhile.
    const current = readWorktreeJournal(repo);
    if (!current || current.token !== journal.token)
      throw new NotFoundError(`no interrupted ${journal.operation} to ${action}`, {
        what: 'interrupted operation',
      });
    const report = await applyJournal(repo, current, action === 'continue' ? 'forward' : 'back', {
      onProgress: options.onProgress,
    });
    if (action === 'continue') await finishForward(repo, current);
    else await finishBack(repo, current);
    removeTemporaryFiles(repo, current);
    removeWorktreeJournal(repo);
    return { ...report, operation: current.operation, target: current.target, action };
  });
}

/** True when the process that wrote `journal` is still running (the operation is in progress). */
export function isJournalOwnerAlive(journal: WorktreeJournal): boolean {
  return journal.host === hostname() && journal.pid !== process.pid && isProcessAlive(journal.pid);
}

async function takeOverStaleLocks(repo: Repository, journal: WorktreeJournal): Promise<void> {
  if (journal.host !== hostname() || isJournalOwnerAlive(journal)) return;
  for (const lock of await repo.catalog.listLocks()) {
    if (journal.locks.includes(lock.name) && lock.pid === journal.pid && lock.host === journal.host)
      await repo.catalog.forceReleaseLock(lock.name);
  }
}
