import { existsSync, readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { ConflictError, InterruptedOperationError } from '../../errors/index.js';
import { fsyncDir, writeFileDurable } from '../../util/durable-fs.js';
import type { ObjectId } from '../../util/hash.js';
import type { ResourceSnapshot } from '../objects/commit-object.js';
import type { Repository } from '../repository.js';

/** One file's state in a journal: its content and mode, or `null` for "no file". */
export type JournalFile = {
  readonly hash: ObjectId;
  readonly executable: boolean;
  /** A symbolic link whose target is the object `hash` (absent for regular files). */
  readonly symlink?: boolean;
  /** `hash` names a chunk manifest (a big file stored as chunks). */
  readonly chunked?: boolean;
  /** Bytes of content, when known: a small file is then read in a batch and written in one call. */
  readonly size?: number;
} | null;

/** One file a journaled operation rewrites: what it was before and what it becomes. */
export interface JournalChange {
  readonly resource: string;
  readonly path: string;
  readonly before: JournalFile;
  readonly after: JournalFile;
}

/** What happens once every file is written (the part after the working folders). */
export type JournalFinish =
  /** checkout: HEAD moves to the branch or commit; `previous` is where it was. */
  | {
      readonly kind: 'head';
      readonly commit: ObjectId;
      readonly branch: string | null;
      readonly previous: { readonly branch: string | null; readonly commit: ObjectId | null };
    }
  /** restore: nothing but the files. */
  | { readonly kind: 'none' }
  /** fast-forward merge: the branch moves from `from` to `to`. */
  | { readonly kind: 'ref'; readonly branch: string; readonly from: ObjectId | null; readonly to: ObjectId }
  /** three-way merge: the merge commit is made from the recorded tree parts. */
  | {
      readonly kind: 'merge-commit';
      readonly branch: string;
      readonly ours: ObjectId;
      readonly theirs: ObjectId;
      readonly message: string;
      readonly resources: Readonly<Record<string, ResourceSnapshot>>;
      readonly sections: Readonly<Record<string, unknown>>;
    };

/** The operations that journal their working-folder writes. */
export type JournaledOperation = 'checkout' | 'restore' | 'merge';

/**
 * The journal of a working-folder rewrite, written durably before the first file is touched and
 * removed at the end: its presence means the operation was interrupted. It lists every planned
 * file change, so recovery can finish (write every `after`) or roll back (write every `before`
 * still in the store) without recomputing anything, and the folders its temporary files live in.
 */
export interface WorktreeJournal {
  readonly version: 1;
  readonly operation: JournaledOperation;
  /** What the user asked for, as they said it (a revision, or the restored paths). */
  readonly target: string;
  readonly started: string;
  readonly pid: number;
  readonly host: string;
  /** Names the temporary files and folder of this run (see `tempFolder`). */
  readonly token: string;
  /** Locks the operation held (a killed run leaves them; recovery takes them over). */
  readonly locks: readonly string[];
  /** Each rewritten resource's folder on disk (absolute). */
  readonly folders: Readonly<Record<string, string>>;
  /** A git resource's recorded state to restore after the files (checkout), by commit. */
  readonly extrasFrom?: ObjectId;
  readonly changes: readonly JournalChange[];
  readonly finish: JournalFinish;
}

/** Where the journal lives: one per repository, since the worktree lock admits one rewrite at a time. */
export function worktreeJournalPath(repo: Repository): string {
  return join(repo.strataDir, 'journal', 'worktree.json');
}

/** The repository-local folder for one run's temporary files (same filesystem as most resources). */
export function tempFolder(repo: Repository, token: string): string {
  return join(repo.strataDir, 'tmp', `worktree-${token}`);
}

/** Writes the journal durably (temp, fsync, rename, fsync of its folder). */
export function writeWorktreeJournal(
  repo: Repository,
  journal: Omit<WorktreeJournal, 'version' | 'started' | 'pid' | 'host'>,
): WorktreeJournal {
  const full: WorktreeJournal = {
    version: 1,
    started: new Date().toISOString(),
    pid: process.pid,
    host: hostname(),
    ...journal,
  };
  writeFileDurable(worktreeJournalPath(repo), JSON.stringify(full));
  return full;
}

/** The pending journal, or undefined when no working-folder rewrite was interrupted. */
export function readWorktreeJournal(repo: Repository): WorktreeJournal | undefined {
  const path = worktreeJournalPath(repo);
  if (!existsSync(path)) return undefined;
  let journal: WorktreeJournal;
  try {
    journal = JSON.parse(readFileSync(path, 'utf8')) as WorktreeJournal;
  } catch (err) {
    throw new ConflictError(`journal ${path} is unreadable: ${(err as Error).message}`, { path });
  }
  if (journal.version !== 1 || !Array.isArray(journal.changes)) {
    throw new ConflictError(`journal ${path} has an unknown format`, { path });
  }
  return journal;
}

/** Removes the journal: the operation is complete (or rolled back). */
export function removeWorktreeJournal(repo: Repository): void {
  const path = worktreeJournalPath(repo);
  rmSync(path, { force: true });
  fsyncDir(dirname(path));
}

/** The commands that finish or undo an interrupted operation, for messages. */
export function recoveryHint(operation: JournaledOperation): string {
  return `'strata ${operation} --continue' finishes it, 'strata ${operation} --abort' undoes it (or 'strata recover')`;
}

/** One line saying what was interrupted and how to resolve it. */
export function describeInterrupted(journal: Pick<WorktreeJournal, 'operation' | 'target'>): string {
  const what =
    journal.operation === 'checkout'
      ? `a checkout to '${journal.target}'`
      : journal.operation === 'merge'
        ? `a merge of '${journal.target}'`
        : `a restore of ${journal.target}`;
  return `${what} was interrupted; ${recoveryHint(journal.operation)}`;
}

/**
 * Refuses with `InterruptedOperationError` while a journaled operation is unfinished: a commit
 * then would record a half-written tree (a half-merged one after a killed merge) as ordinary work.
 */
export function refuseWhileInterrupted(repo: Repository, verb: string): void {
  const journal = readWorktreeJournal(repo);
  if (!journal) return;
  throw new InterruptedOperationError(`cannot ${verb}: ${describeInterrupted(journal)}`, {
    operation: journal.operation,
    target: journal.target,
  });
}
