import { branchLockName, WORKTREE_LOCK } from '../../catalog/catalog.js';
import { InvalidArgumentError } from '../../errors/index.js';
import type { ObjectWriter } from '../../store/object-store.js';
import type { ObjectId } from '../../util/hash.js';
import type { SectionValue } from '../commit/create-commit.js';
import { withLocks } from '../commit/locks.js';
import type { SectionConflict, SectionProvider } from '../commit/section-provider.js';
import { mergeBase } from '../history/merge-base.js';
import { editMap } from '../merkle/edit-map.js';
import { mergeMaps, type MergeConflictKind, type MergeStrategy } from '../merkle/merge-maps.js';
import type { ResourceSnapshot, RootTree } from '../objects/commit-object.js';
import { readCommitTree } from '../objects/read-objects.js';
import { branchRef } from '../refs/ref-name.js';
import { readHead, resolveRevision } from '../refs/refs.js';
import type { Repository } from '../repository.js';
import { rewriteWorkingFolders } from '../worktree/checkout.js';
import { refuseWhileInterrupted } from '../worktree/worktree-journal.js';

/** A conflict in a resource: a file (`path`) or the whole resource (`path` null). */
export interface ResourceConflict {
  readonly resource: string;
  readonly path: string | null;
  readonly kind: MergeConflictKind | 'resource';
}

/** A conflict of a merge: in a resource, or one a section's merge hook reported (e.g. a column sample). */
export type MergeConflict<C extends SectionConflict = SectionConflict> = ResourceConflict | C;

/** What `mergeRevision` did; `conflicts` lists resource conflicts first, then the sections'. */
export interface MergeResult<C extends SectionConflict = SectionConflict> {
  readonly result: 'fast-forward' | 'merged' | 'conflict' | 'up-to-date';
  readonly commit?: ObjectId;
  readonly conflicts: readonly MergeConflict<C>[];
}

/** Options of `mergeRevision`. */
export interface MergeOptions {
  /** Resolve every conflict to our side or theirs (without it, conflicts refuse the merge). */
  readonly strategy?: MergeStrategy;
  readonly message?: string;
  /**
   * The capabilities' section providers: their `beforeMerge` hooks may refuse the merge and their
   * `merge` hooks merge their sections (a section without one keeps our side). The public API
   * passes the same providers as to a snapshot.
   */
  readonly providers?: readonly SectionProvider[];
  /**
   * Checked before the working folders are rewritten (the point after which a merge finishes or
   * is undone by `--continue|--abort`): aborted earlier, nothing is written and it rejects.
   */
  readonly signal?: AbortSignal;
}

type Resources = RootTree['resources'];

/** Three-way merge of the resources' file maps; resource-level changes merge like columns. */
async function mergeResources(
  repo: Repository,
  writer: ObjectWriter,
  base: Resources,
  ours: Resources,
  theirs: Resources,
  strategy: MergeStrategy | undefined,
): Promise<{ resources: Record<string, ResourceSnapshot>; conflicts: ResourceConflict[] }> {
  const resources: Record<string, ResourceSnapshot> = {};
  const conflicts: ResourceConflict[] = [];
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

type Side = { readonly commit: ObjectId | null; readonly tree: RootTree };

/** Runs every provider's `merge` hook: the merged sections and their conflicts, in provider order. */
async function mergeSections(
  repo: Repository,
  writer: ObjectWriter,
  providers: readonly SectionProvider[],
  [base, ours, theirs]: readonly [Side, Side, Side],
  strategy: MergeStrategy | undefined,
): Promise<{ sections: Record<string, SectionValue | null>; conflicts: SectionConflict[] }> {
  const sections: Record<string, SectionValue | null> = {};
  const conflicts: SectionConflict[] = [];
  const side = (s: Side, section: string) => ({
    commit: s.commit,
    value: s.tree[section],
  });
  for (const provider of providers) {
    if (!provider.merge) continue;
    const { section } = provider;
    const merged = await provider.merge({
      repo,
      base: side(base, section),
      ours: side(ours, section),
      theirs: side(theirs, section),
      strategy,
      writer,
    });
    sections[section] = merged.value;
    conflicts.push(...merged.conflicts);
  }
  return { sections, conflicts };
}

/**
 * Merges a branch (or any revision) into the current branch: a fast-forward when the current
 * branch is an ancestor, otherwise a three-way merge from the common ancestor, at file level for
 * resources and through the providers' `merge` hooks for sections (columns merge at sample level).
 * Conflicts refuse the merge and change nothing, unless a strategy resolves them wholesale. The
 * working folders follow the merged commit.
 */
export async function mergeRevision(
  repo: Repository,
  revision: string,
  options: MergeOptions = {},
): Promise<MergeResult> {
  const providers = options.providers ?? [];
  const head = await readHead(repo);
  if (!head.branch) throw new InvalidArgumentError('HEAD is detached: check out a branch to merge into', {});
  const branch = head.branch;
  const locks = [WORKTREE_LOCK, branchLockName(branch)];
  return withLocks(repo, locks, async () => {
    refuseWhileInterrupted(repo, 'merge');
    const ours = (await repo.catalog.getRef(branchRef(branch)))?.target ?? null;
    for (const provider of providers) await provider.beforeMerge?.({ repo, branch, head: ours });
    const theirs = (await resolveRevision(repo, revision)).commit;
    const base = ours ? await mergeBase(repo, ours, theirs) : null;
    if (ours !== null && (base === theirs || ours === theirs))
      return { result: 'up-to-date', commit: ours, conflicts: [] };
    const theirTree = await readCommitTree(repo, theirs);
    if (ours === null || base === ours) {
      options.signal?.throwIfAborted();
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
      const sections = await mergeSections(
        repo,
        writer,
        providers,
        [
          { commit: base, tree: baseTree },
          { commit: ours, tree: ourTree },
          { commit: theirs, tree: theirTree },
        ],
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
      const conflicts = [...resources.conflicts, ...sections.conflicts];
      if (conflicts.length > 0 && !options.strategy) {
        await writer.abort();
        return { result: 'conflict', conflicts };
      }
      options.signal?.throwIfAborted();
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
            sections: sections.sections,
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
