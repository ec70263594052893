import { branchLockName, WORKTREE_LOCK } from '../../catalog/catalog.js';
import { AlreadyExistsError, InvalidArgumentError, NothingToCommitError } from '../../errors/index.js';
import { canonicalJson } from '../../util/canonical-json.js';
import type { ObjectId } from '../../util/hash.js';
import type { ObjectWriter } from '../../store/object-store.js';
import { encodeCommit, encodeRootTree, type Commit, type RootTree } from '../objects/commit-object.js';
import { readCommitTree } from '../objects/read-objects.js';
import { checkRefName, branchRef, tagRef } from '../refs/ref-name.js';
import { readHead } from '../refs/refs.js';
import { currentActor, type Repository } from '../repository.js';
import { diffWorkingState } from '../worktree/status.js';
import { readWorkingState, rememberHashes, type WorkingState } from '../worktree/working-state.js';
import { withLocks } from './locks.js';
import { refuseWhileInterrupted } from '../worktree/worktree-journal.js';

/** Options of `commit`. */
export interface CommitOptions {
  readonly message: string;
  /** Tags to create on the new commit (immutable; an existing tag name is refused up front). */
  readonly tags?: readonly string[];
  readonly author?: string;
  /** Commit even if nothing changed. */
  readonly allowEmpty?: boolean;
  /**
   * Sections that capabilities above the repository add to the root tree (e.g. `lineage`,
   * `metrics`), replacing the parent's. A section that points at stored objects lists their ids in
   * its `refs` array so that fsck and gc can reach them; those objects must be durable already.
   * A change in sections alone is a change worth committing. `null` drops the parent's section
   * (for sections that belong to one commit only, such as metrics).
   */
  readonly sections?: Readonly<Record<string, SectionValue | null>>;
  readonly onProgress?: (done: number, total: number) => void;
}

/** A root-tree section: JSON data, with `refs` naming the stored objects it depends on. */
export type SectionValue = Readonly<Record<string, unknown>> & { readonly refs?: readonly ObjectId[] };

/** What `commit` made. */
export interface CommitResult {
  readonly id: ObjectId;
  readonly branch: string | null;
  readonly changes: number;
  /** Files that had to be read (the rest were vouched for by the stat cache). */
  readonly hashed: number;
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
  for (const tag of tags) {
    checkRefName(tag, 'tag');
    if (await repo.catalog.getRef(tagRef(tag)))
      throw new AlreadyExistsError(`tag '${tag}' exists already`, { what: 'tag', name: tag });
  }
  const head = await readHead(repo);
  const locks = head.branch ? [WORKTREE_LOCK, branchLockName(head.branch)] : [WORKTREE_LOCK];
  return withLocks(repo, locks, async () => {
    // A half-written checkout, restore or merge must not be recorded as ordinary work.
    refuseWhileInterrupted(repo, 'commit');
    // Re-read HEAD under the lock: another writer may have committed since.
    const current = await readHead(repo);
    const base = await readCommitTree(repo, current.commit);
    const sections = options.sections ?? {};
    const writer = repo.store.createWriter();
    try {
      const state = await readWorkingState(repo, {
        hashFile: (f) => writer.addFile(f.abs),
        storedOf: (ids) => repo.store.hasMany(ids),
        base,
        onHashed: options.onProgress,
      });
      const changes = await diffWorkingState(repo, base, state);
      const sectionsChanged = Object.entries(sections).some(
        ([name, value]) => canonicalJson(value ?? undefined) !== canonicalJson(base[name]),
      );
      // A git resource's HEAD moving, or its becoming dirty, is a change even with the same files.
      const extrasChanged = Object.entries(state.tree.resources).some(
        ([name, r]) => canonicalJson(r.extra) !== canonicalJson(base.resources[name]?.extra),
      );
      if (
        changes.length === 0 &&
        !sectionsChanged &&
        !extrasChanged &&
        !options.allowEmpty &&
        current.commit
      ) {
        throw new NothingToCommitError('nothing to commit: the working folders match HEAD', {
          head: current.commit,
        });
      }
      await writeMissingNodes(repo, writer, state);
      const merged: Record<string, unknown> = {
        ...base,
        ...sections,
        resources: state.tree.resources,
      };
      for (const [name, value] of Object.entries(sections)) if (value === null) delete merged[name];
      const tree = merged as RootTree;
      const treeId = await writer.add(encodeRootTree(tree));
      const record: Commit = {
        tree: treeId,
        parents: current.commit ? [current.commit] : [],
        message: options.message,
        author: options.author ?? currentActor().author,
        time: new Date().toISOString(),
        tags: [...tags],
      };
      const id = await writer.add(encodeCommit(record));
      await writer.commit();
      if (current.branch) await repo.catalog.updateRef(branchRef(current.branch), id, current.commit);
      else await repo.catalog.setSymbolicRef('HEAD', { target: id });
      for (const tag of tags) await repo.catalog.updateRef(tagRef(tag), id, null);
      await rememberHashes(repo, state);
      return { id, branch: current.branch, changes: changes.length, hashed: state.hashed };
    } catch (err) {
      await writer.abort().catch(() => undefined);
      throw err;
    }
  });
}
