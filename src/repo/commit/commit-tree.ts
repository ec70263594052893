import type { ObjectId } from '../../util/hash.js';
import { encodeCommit, encodeRootTree, type Commit, type RootTree } from '../objects/commit-object.js';
import { readCommitTree } from '../objects/read-objects.js';
import { branchRef } from '../refs/ref-name.js';
import type { Repository } from '../repository.js';
import { authorFields } from './author.js';
import { childTree, type SectionValue } from './create-commit.js';

/** Options of `commitTree`. */
export interface CommitTreeOptions {
  /** The branch to move. */
  readonly branch: string;
  readonly message: string;
  /** The author's name (default: `resolveAuthor`, which also gives the email). */
  readonly author?: string;
  /** The author's email, with `author`. */
  readonly authorEmail?: string;
  /**
   * Sections to set (null removes one); the rest of the first parent's tree is carried over, but
   * for per-commit sections (see `isPerCommitSection`).
   */
  readonly sections?: Readonly<Record<string, SectionValue | null>>;
  /** Resources to record instead of the first parent's (a merge's merged resources). */
  readonly resources?: RootTree['resources'];
  /** Parents; default: the branch head. The first parent's tree is the base. */
  readonly parents?: readonly ObjectId[];
  /** Objects the sections refer to that must become durable in the same batch. */
  readonly objects?: readonly Uint8Array[];
}

/**
 * Records a commit that changes sections of the tree (columns, a merge's resources) without
 * scanning the working folders, and moves `branch` to it by compare-and-swap. The caller holds the
 * branch's writer lock. Everything the commit needs is durable before the ref moves.
 */
export async function commitTree(repo: Repository, options: CommitTreeOptions): Promise<ObjectId> {
  const author = await authorFields(repo, options);
  const head = (await repo.catalog.getRef(branchRef(options.branch)))?.target ?? null;
  const parents = options.parents ?? (head ? [head] : []);
  const base = await readCommitTree(repo, parents[0] ?? null);
  // Per-commit sections (the parent's metrics) never carry over: a merge or a column commit has
  // no metrics of its own.
  const merged = childTree(base, options.sections ?? {});
  if (options.resources) merged.resources = options.resources;
  const writer = repo.store.createWriter();
  try {
    for (const bytes of options.objects ?? []) await writer.add(bytes);
    const tree = await writer.add(encodeRootTree(merged as RootTree));
    const record: Commit = {
      tree,
      parents: [...parents],
      message: options.message,
      ...author,
      time: new Date().toISOString(),
      tags: [],
    };
    const id = await writer.add(encodeCommit(record));
    await writer.commit();
    await repo.catalog.updateRef(branchRef(options.branch), id, head);
    return id;
  } catch (err) {
    await writer.abort().catch(() => undefined);
    throw err;
  }
}
