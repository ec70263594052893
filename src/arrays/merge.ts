import { branchLockName, WORKTREE_LOCK } from '../catalog/catalog.js';
import { InvalidArgumentError, UncommittedChangesError } from '../errors/index.js';
import { withLocks } from '../repo/commit/locks.js';
import { mergeBase } from '../repo/history/merge-base.js';
import { editMap } from '../repo/merkle/edit-map.js';
import { mergeMaps, type MergeConflictKind, type MergeStrategy } from '../repo/merkle/merge-maps.js';
import { createNodeSource } from '../repo/merkle/read-map.js';
import type { ResourceSnapshot, RootTree } from '../repo/objects/commit-object.js';
import { readCommitTree } from '../repo/objects/read-objects.js';
import { branchRef } from '../repo/refs/ref-name.js';
import { readHead, resolveRevision } from '../repo/refs/refs.js';
import type { Repository } from '../repo/repository.js';
import { rewriteWorkingFolders } from '../repo/worktree/checkout.js';
import { refuseWhileInterrupted } from '../repo/worktree/worktree-journal.js';
import type { ObjectId } from '../util/hash.js';
import {
  clearColumnStage,
  columnsSection,
  COLUMNS_SECTION,
  readColumns,
  readColumnStage,
} from './columns/column-record.js';
import { rebaseColumnStage } from './columns/column-stage-rebase.js';
import type { ColumnKey } from './columns/column-keys.js';
import { mergeColumnRecords } from './columns/column-merge.js';

/** A conflict of a merge: a column sample (`column`, `key`) or a resource file (`resource`, `path`). */
export type MergeConflict =
  | { readonly column: string; readonly key: ColumnKey | null; readonly kind: MergeConflictKind | 'schema' }
  | {
      readonly resource: string;
      readonly path: string | null;
      readonly kind: MergeConflictKind | 'resource';
    };

export interface MergeResult {
  readonly result: 'fast-forward' | 'merged' | 'conflict' | 'up-to-date';
  readonly commit?: ObjectId;
  readonly conflicts: readonly MergeConflict[];
}

export interface MergeOptions {
  /** Resolve every conflict to our side or theirs (without it, conflicts refuse the merge). */
  readonly strategy?: MergeStrategy;
  readonly message?: string;
}

type Resources = RootTree['resources'];

/** Three-way merge of the resources' file maps; resource-level changes merge like columns. */
async function mergeResources(
  repo: Repository,
  writer: ReturnType<Repository['store']['createWriter']>,
  base: Resources,
  ours: Resources,
  theirs: Resources,
  strategy: MergeStrategy | undefined,
): Promise<{ resources: Record<string, ResourceSnapshot>; conflicts: MergeConflict[] }> {
  const resources: Record<string, ResourceSnapshot> = {};
  const conflicts: MergeConflict[] = [];
  const same = (a?: ResourceSnapshot, b?: ResourceSnapshot) => JSON.stringify(a) === JSON.stringify(b);
  for (const name of [
    ...new Set([...Object.keys(base), ...Object.keys(ours), ...Object.keys(theirs)]),
  ].sort()) {
    const [b, o, t] = [base[name], ours[name], theirs[name]];
    let result: ResourceSnapshot | undefined;
    if (same(o, t) || same(t, b)) result = o;
    else if (same(o, b)) result = t;
    else if (!o || !t || !b || o.content || o.type !== t.type || o.path !== t.path) {
      conflicts.push({ resource: name, path: null, kind: 'resource' });
      result = strategy === 'theirs' ? t : o;
    } else {
      const merged = await mergeMaps(repo.nodes, b.map, o.map, t.map, { strategy });
      for (const c of merged.conflicts) conflicts.push({ resource: name, path: c.key, kind: c.kind });
      const built = await editMap(repo.nodes, o.map, merged.edits);
      for (const node of built.nodes) await writer.add(node.bytes);
      // Sizes are recounted by the next status; the file count is exact.
      result = { ...o, map: built.root, files: built.count };
    }
    if (result) resources[name] = result;
  }
  return { resources, conflicts };
}

/**
 * Merges a branch (or any revision) into the current branch: a fast-forward when the current
 * branch is an ancestor, otherwise a three-way merge from the common ancestor, at sample level
 * for columns and file level for resources. Conflicts refuse the merge and change nothing, unless
 * a strategy resolves them wholesale. The working folders follow the merged commit.
 */
export async function mergeRevision(
  repo: Repository,
  revision: string,
  options: MergeOptions = {},
): Promise<MergeResult> {
  const head = await readHead(repo);
  if (!head.branch) throw new InvalidArgumentError('HEAD is detached: check out a branch to merge into', {});
  const branch = head.branch;
  const locks = [WORKTREE_LOCK, branchLockName(branch)];
  return withLocks(repo, locks, async () => {
    refuseWhileInterrupted(repo, 'merge');
    const ours = (await repo.catalog.getRef(branchRef(branch)))?.target ?? null;
    const stage = readColumnStage(repo, branch);
    // A leftover staging the head already holds (a commit killed after its ref update) is cleared;
    // anything really staged refuses the merge, which would otherwise leave it behind.
    const pending =
      stage &&
      (await rebaseColumnStage(
        repo,
        stage,
        ours,
        readColumns(await readCommitTree(repo, ours), `commit ${ours}`),
      ));
    if (stage && !pending) clearColumnStage(repo, branch);
    if (pending) {
      throw new UncommittedChangesError(
        `branch '${branch}' has staged column changes; commit them or 'strata column reset' before merging`,
        { branch },
      );
    }
    const theirs = (await resolveRevision(repo, revision)).commit;
    const base = ours ? await mergeBase(repo, ours, theirs) : null;
    if (ours !== null && (base === theirs || ours === theirs))
      return { result: 'up-to-date', commit: ours, conflicts: [] };
    const theirTree = await readCommitTree(repo, theirs);
    if (ours === null || base === ours) {
      await rewriteWorkingFolders(
        repo,
        theirTree,
        () => true,
        `merge of '${revision}'`,
        { onlyWhereTargetMoves: true },
        {
          operation: 'merge',
          target: revision,
          locks,
          finish: { kind: 'ref', branch, from: ours, to: theirs },
        },
      );
      return { result: 'fast-forward', commit: theirs, conflicts: [] };
    }
    const [baseTree, ourTree] = [await readCommitTree(repo, base), await readCommitTree(repo, ours)];
    const writer = repo.store.createWriter();
    try {
      const nodes = createNodeSource((id) => repo.store.get(id), { cacheSize: 1 << 14 });
      const columns = await mergeColumnRecords(
        nodes,
        writer,
        readColumns(baseTree, `commit ${base}`),
        readColumns(ourTree, `commit ${ours}`),
        readColumns(theirTree, `commit ${theirs}`),
        options.strategy,
      );
      const resources = await mergeResources(
        repo,
        writer,
        baseTree.resources,
        ourTree.resources,
        theirTree.resources,
        options.strategy,
      );
      const conflicts = [...resources.conflicts, ...columns.conflicts];
      if (conflicts.length > 0 && !options.strategy) {
        await writer.abort();
        return { result: 'conflict', conflicts };
      }
      await writer.commit();
      const merged: RootTree = { ...ourTree, resources: resources.resources };
      // The merge commit is made by the journal's finishing step, after the files: a merge killed
      // in between is finished (or undone) by `strata merge --continue|--abort`, never committed
      // as an ordinary commit.
      await rewriteWorkingFolders(
        repo,
        merged,
        () => true,
        `merge of '${revision}'`,
        { onlyWhereTargetMoves: true },
        {
          operation: 'merge',
          target: revision,
          locks,
          finish: {
            kind: 'merge-commit',
            branch,
            ours,
            theirs,
            message: options.message ?? `Merge '${revision}' into ${branch}`,
            resources: resources.resources,
            sections: {
              [COLUMNS_SECTION]:
                Object.keys(columns.records).length > 0 ? columnsSection(columns.records) : null,
            },
          },
        },
      );
      const commit = (await repo.catalog.getRef(branchRef(branch)))!.target!;
      return { result: 'merged', commit, conflicts };
    } catch (err) {
      await writer.abort().catch(() => undefined);
      throw err;
    }
  });
}
