import { addFileContent, CHUNKED_FILE_MIN } from '../../store/chunked/index.js';
import { branchLockName, WORKTREE_LOCK } from '../../catalog/catalog.js';
import { InvalidArgumentError, NothingToCommitError } from '../../errors/index.js';
import { canonicalJson } from '../../util/canonical-json.js';
import type { ObjectId } from '../../util/hash.js';
import type { ObjectWriter } from '../../store/object-store.js';
import { encodeCommit, encodeRootTree, type Commit, type RootTree } from '../objects/commit-object.js';
import { readCommitTree } from '../objects/read-objects.js';
import { checkNewRefName } from '../refs/branches.js';
import { branchRef, tagRef } from '../refs/ref-name.js';
import { readHead } from '../refs/refs.js';
import type { Repository } from '../repository.js';
import { authorFields } from './author.js';
import { countWorkingChanges } from '../worktree/status.js';
import { readWorkingState, rememberHashes, type WorkingState } from '../worktree/working-state.js';
import { withLocks } from './locks.js';
import { refuseWhileInterrupted } from '../worktree/worktree-journal.js';

/** Options of `commit`. */
export interface CommitOptions {
  readonly message: string;
  /** Tags to create on the new commit (immutable; an existing tag name is refused up front). */
  readonly tags?: readonly string[];
  /** The author's name (default: `resolveAuthor`, which also gives the email). */
  readonly author?: string;
  /** The author's email, with `author`. */
  readonly authorEmail?: string;
  /** Commit even if nothing changed. */
  readonly allowEmpty?: boolean;
  /**
   * Sections that capabilities above the repository add to the root tree (e.g. `lineage`,
   * `metrics`), replacing the parent's. A section that points at stored objects lists their ids in
   * its `refs` array so that fsck and gc can reach them; those objects must be durable already.
   * A change in sections alone is a change worth committing. `null` drops the parent's section;
   * dropping alone is not a change. A section marked `perCommit: true` (see `isPerCommitSection`)
   * belongs to the commit that set it and is never carried over to a child.
   */
  readonly sections?: Readonly<Record<string, SectionValue | null>>;
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Told, right after the scan, the entries left out because they cannot be versioned (FIFOs,
   * sockets, devices, names not in UTF-8), so they are reported even when nothing is committed.
   */
  readonly onSkipped?: (entries: WorkingState['skipped']) => void;
}

/**
 * A root-tree section: JSON data, with `refs` naming the stored objects it depends on, and
 * `perCommit: true` when it describes the commit that set it only (metrics, filed-away results).
 */
export type SectionValue = Readonly<Record<string, unknown>> & {
  readonly refs?: readonly ObjectId[];
  readonly perCommit?: boolean;
};

/** True for a section that belongs to one commit only and is never inherited by its children. */
export function isPerCommitSection(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { perCommit?: unknown }).perCommit === true;
}

/**
 * The part of a parent's root tree a child starts from: every section but the per-commit ones,
 * then `sections` applied (`null` removes one).
 */
export function childTree(
  parent: Readonly<Record<string, unknown>>,
  sections: Readonly<Record<string, SectionValue | null>>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(parent)) if (!isPerCommitSection(value)) merged[name] = value;
  for (const [name, value] of Object.entries(sections)) {
    if (value === null) delete merged[name];
    else merged[name] = value;
  }
  return merged;
}

/** What `commit` made. */
export interface CommitResult {
  readonly id: ObjectId;
  readonly branch: string | null;
  readonly changes: number;
  /** Files that had to be read (the rest were vouched for by the stat cache). */
  readonly hashed: number;
  /** Entries left out because they cannot be versioned (FIFOs, sockets, devices, non-UTF-8 names). */
  readonly skipped: WorkingState['skipped'];
}

/** Stores the Merkle nodes the store lacks: only the changed paths' nodes are new, O(k log n). */
async function writeMissingNodes(repo: Repository, writer: ObjectWriter, state: WorkingState): Promise<void> {
  const ids = [...state.overlay.keys()];
  const present = await repo.store.hasMany(ids);
  for (const id of ids) if (!present.has(id)) await writer.add(state.overlay.get(id)!);
}

/**
 * Records the working folders as a new commit on the current branch (or detached HEAD). Order is
 * what makes it crash-safe: file contents, tree nodes, root and commit objects are made durable
 * first; the commit becomes visible only by the final compare-and-swap of the branch ref.
 */
export async function commit(repo: Repository, options: CommitOptions): Promise<CommitResult> {
  const tags = options.tags ?? [];
  if (options.sections && 'resources' in options.sections) {
    throw new InvalidArgumentError("the 'resources' section is the repository's own", {
      section: 'resources',
    });
  }
  for (const tag of tags) await checkNewRefName(repo, tag, 'tag');
  // A malformed STRATA_AUTHOR is refused before anything is written.
  const author = await authorFields(repo, options);
  const head = await readHead(repo);
  const locks = head.branch ? [WORKTREE_LOCK, branchLockName(head.branch)] : [WORKTREE_LOCK];
  return withLocks(repo, locks, async (held) => {
    // A half-written checkout, restore or merge must not be recorded as ordinary work.
    refuseWhileInterrupted(repo, 'commit');
    // Re-read HEAD under the lock: another writer may have committed since.
    const current = await readHead(repo);
    const base = await readCommitTree(repo, current.commit);
    const sections = options.sections ?? {};
    const writer = repo.store.createWriter();
    try {
      const state = await readWorkingState(repo, {
        // Small files go straight to the writer, exactly as before chunking: the common case.
        hashFile: (f) => (f.size < CHUNKED_FILE_MIN ? writer.addFile(f.abs) : addFileContent(writer, f.abs)),
        storedOf: (ids) => repo.store.hasMany(ids),
        storeBytes: (data) => writer.add(data),
        base,
        onHashed: options.onProgress,
        committing: true,
      });
      if (state.skipped.length > 0) options.onSkipped?.(state.skipped);
      const changes = await countWorkingChanges(repo, base, state);
      // Only new section content is a change: a parent's per-commit section (its metrics) is never
      // inherited, and dropping one is no reason for a commit, so status and commit agree.
      const inherited = childTree(base, {});
      const sectionsChanged = Object.entries(sections).some(
        ([name, value]) => value !== null && canonicalJson(value) !== canonicalJson(inherited[name]),
      );
      // A git resource's HEAD moving, or its becoming dirty, is a change even with the same files;
      // so is a change in how contents are recorded (a local folder now stored).
      const extrasChanged = Object.entries(state.tree.resources).some(
        ([name, r]) =>
          canonicalJson(r.extra) !== canonicalJson(base.resources[name]?.extra) ||
          (r.content ?? null) !== (base.resources[name]?.content ?? null),
      );
      if (changes === 0 && !sectionsChanged && !extrasChanged && !options.allowEmpty && current.commit) {
        throw new NothingToCommitError('nothing to commit: the working folders match HEAD', {
          head: current.commit,
        });
      }
      await writeMissingNodes(repo, writer, state);
      const tree = { ...childTree(base, sections), resources: state.tree.resources } as RootTree;
      const treeId = await writer.add(encodeRootTree(tree));
      const record: Commit = {
        tree: treeId,
        parents: current.commit ? [current.commit] : [],
        message: options.message,
        ...author,
        time: new Date().toISOString(),
        tags: [...tags],
      };
      const id = await writer.add(encodeCommit(record));
      await writer.commit();
      // A holder whose lease was taken over stops here: the new owner may be writing the branch.
      await held.assertStillHeld();
      if (current.branch) await repo.catalog.updateRef(branchRef(current.branch), id, current.commit);
      else await repo.catalog.setSymbolicRef('HEAD', { target: id });
      for (const tag of tags) await repo.catalog.updateRef(tagRef(tag), id, null);
      await rememberHashes(repo, state);
      return {
        id,
        branch: current.branch,
        changes,
        hashed: state.hashed,
        skipped: state.skipped,
      };
    } catch (err) {
      await writer.abort().catch(() => undefined);
      throw err;
    }
  });
}
