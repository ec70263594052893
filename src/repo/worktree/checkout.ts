import { WORKTREE_LOCK } from '../../catalog/catalog.js';
import { UncommittedChangesError } from '../../errors/index.js';
import type { ObjectId } from '../../util/hash.js';
import { withLocks } from '../commit/locks.js';
import { diffTrees, type FileChange } from '../diff/diff-trees.js';
import { createNodeSource } from '../merkle/read-map.js';
import type { RootTree } from '../objects/commit-object.js';
import { readCommitTree } from '../objects/read-objects.js';
import { readHead, resolveRevision } from '../refs/refs.js';
import { readPartialClone } from '../partial-clone.js';
import type { Repository } from '../repository.js';
import { addMissingResources } from '../resources/register-from-tree.js';
import { resourceFolder } from './apply-changes.js';
import { runJournaled, type RewriteJob } from './journaled-rewrite.js';
import { checkResourceExtras } from './restore-extras.js';
import { planRestorable, resourceWritable, type UnrestorableFile } from './unrestorable.js';
import { refuseWhileInterrupted, type JournalFile } from './worktree-journal.js';
import { diffWorkingState, readWorkingStateForCompare } from './status.js';
import { cleanScans, scanStatesAfterRewrite } from './rewrite-scan-state.js';

/** Options of `checkout` and `restore`. */
export interface RewriteOptions {
  /** Overwrite uncommitted changes. */
  readonly force?: boolean;
  /**
   * Told the resources that differ from the target but cannot be written back: read-only ones,
   * and those whose contents are not stored (reference-only local folders, git files).
   */
  readonly onUnrestorable?: (resources: readonly string[]) => void;
  /**
   * Told, before anything is written, every file that differs from the target but is left as it
   * is, and why (read-only, reference-only, behind a symlink); may throw to stop the rewrite.
   */
  readonly onUnrestorableFiles?: (files: readonly UnrestorableFile[]) => void;
  readonly onProgress?: (done: number, total: number) => void;
}

/** What checkout did. */
export interface CheckoutResult {
  readonly commit: ObjectId;
  readonly branch: string | null;
  /** Files written or removed. */
  readonly updated: number;
  /** Files that differ from the commit but were left as they are, and why. */
  readonly unrestorable: readonly UnrestorableFile[];
}

const key = (c: { resource: string; path: string }) => `${c.resource}\u0000${c.path}`;

/**
 * The files whose uncommitted content would be lost by applying `planned`: those that differ from
 * HEAD in the working folders (modified, or untracked) and that the plan would overwrite or
 * delete. A file deleted in the working folders loses nothing when it is brought back.
 */
export function findOverwrites(
  uncommitted: readonly FileChange[],
  planned: readonly FileChange[],
): FileChange[] {
  const dirty = new Map(uncommitted.filter((c) => c.change !== 'removed').map((c) => [key(c), c]));
  return planned.filter((c) => dirty.has(key(c))).map((c) => dirty.get(key(c))!);
}

export function refuseOverwrites(lost: readonly FileChange[], verb: string): void {
  if (lost.length === 0) return;
  const shown = lost
    .slice(0, 5)
    .map((c) => `${c.resource}/${c.path}`)
    .join(', ');
  const more = lost.length > 5 ? ` and ${lost.length - 5} more` : '';
  throw new UncommittedChangesError(
    `${verb} would overwrite uncommitted changes in ${shown}${more}; commit them, or use --force to discard them`,
    { paths: lost.map((c) => ({ resource: c.resource, path: c.path })) },
  );
}

/**
 * Decides which of `towardsTarget` (working folders → target) a rewrite applies, as git does:
 * - a file that HEAD does not have and the target does not have either (an untracked file) is
 *   never deleted, with or without `force`;
 * - with `onlyWhereTargetMoves` (checkout and merge without `force`), only files that differ
 *   between HEAD and the target are touched: local changes elsewhere are carried over.
 */
export function planRewrite(
  towardsTarget: readonly FileChange[],
  local: readonly FileChange[],
  moved: ReadonlySet<string> | undefined,
): FileChange[] {
  const untracked = new Set(local.filter((c) => c.change === 'added').map(key));
  return towardsTarget.filter(
    (c) => !(c.change === 'removed' && untracked.has(key(c))) && (moved === undefined || moved.has(key(c))),
  );
}

/** True when two trees name the same resources with the same maps: `diffTrees` sees them alike. */
function sameMaps(a: RootTree, b: RootTree): boolean {
  const names = Object.keys(a.resources);
  return (
    names.length === Object.keys(b.resources).length &&
    names.every((n) => b.resources[n] !== undefined && b.resources[n]!.map === a.resources[n]!.map)
  );
}

/** What a rewrite journals besides its files: see `WorktreeJournal`. */
export type RewriteSpec = Omit<RewriteJob, 'changes' | 'folders'>;

/**
 * Plans a working-folder rewrite towards `target`, checking for lost work, then applies it under
 * a journal (`runJournaled`). Without `spec`, it is journaled as a restore of `verb`'s subject.
 */
export async function rewriteWorkingFolders(
  repo: Repository,
  target: RootTree,
  select: (c: FileChange) => boolean,
  verb: string,
  options: RewriteOptions & { readonly onlyWhereTargetMoves?: boolean },
  spec: RewriteSpec = {
    operation: 'restore',
    target: verb.replace(/^restore of /, ''),
    locks: [WORKTREE_LOCK],
    finish: { kind: 'none' },
  },
): Promise<number> {
  refuseWhileInterrupted(repo, verb.split(' ')[0] ?? verb);
  const head = await readHead(repo);
  const headTree = await readCommitTree(repo, head.commit);
  const state = await readWorkingStateForCompare(repo, { base: headTree });
  // Only resources the target knows are rewritten; others are left as they are.
  const scope = (tree: RootTree): RootTree => ({
    resources: Object.fromEntries(
      Object.entries(tree.resources).filter(([name]) => name in target.resources),
    ),
  });
  const source = createNodeSource((id) => repo.store.get(id), { overlay: state.overlay });
  // Results are additive: a checkout or restore brings back missing result files but never
  // deletes or rolls back the ones present.
  const additive = (c: FileChange) =>
    target.resources[c.resource]?.role !== 'results' || c.before === undefined;
  // Only stored, writable resources are rewritten file by file.
  const writable = (name: string) => resourceWritable(target, state.tree, name);
  const local = await diffWorkingState(repo, headTree, state);
  // A partial clone's unpopulated folder is rewritten only where it holds a file: one absent there
  // stands for the target's as it stood for HEAD's, and stays on the remote until read.
  const unpopulated = new Set((await readPartialClone(repo))?.unpopulated ?? []);
  const present = new Set(
    state.resources
      .filter((r) => unpopulated.has(r.record.name))
      .flatMap((r) => r.files.map((f) => key({ resource: r.record.name, path: f.path }))),
  );
  // A checkout moves HEAD to the target: resources clean now can hand their scan state on (not an
  // unpopulated folder, whose absent files are never written).
  const movesHead = spec.finish.kind === 'head';
  const clean = new Map(
    movesHead
      ? [...(await cleanScans(repo, headTree, state))].filter(([name]) => !unpopulated.has(name))
      : [],
  );
  const diffedHead = (options.onlyWhereTargetMoves && !options.force) || clean.size > 0;
  const headToTarget = diffedHead ? await diffTrees(source, scope(headTree), target) : [];
  const moved = options.onlyWhereTargetMoves && !options.force ? new Set(headToTarget.map(key)) : undefined;
  // Where the working folders hold HEAD's files (the usual checkout), their diff to the target is
  // HEAD's: one Merkle diff instead of two.
  const fromWorking =
    diffedHead && sameMaps(scope(state.tree), scope(headTree))
      ? headToTarget
      : await diffTrees(source, scope(state.tree), target);
  const towards = fromWorking.filter(
    (c) => select(c) && additive(c) && (!unpopulated.has(c.resource) || present.has(key(c))),
  );
  const all = planRewrite(towards, local, moved);

  // File by file: read-only and reference-only resources, and local folders behind a symlink, are
  // left as they are and reported.
  const plan = planRestorable(target, state.tree, all, await repo.catalog.listResources());
  const toTarget = plan.write;
  const skipped = [...new Set(all.filter((c) => !writable(c.resource)).map((c) => c.resource))];
  if (skipped.length > 0) options.onUnrestorable?.(skipped);
  if (plan.unrestorable.length > 0) options.onUnrestorableFiles?.(plan.unrestorable);
  if (!options.force) refuseOverwrites(findOverwrites(local, toTarget), verb);
  const names = [...new Set(toTarget.map((c) => c.resource))];
  const file = (e: FileChange['before']): JournalFile =>
    e
      ? {
          hash: e.hash,
          executable: e.executable,
          size: e.size,
          ...(e.symlink ? { symlink: true } : {}),
          ...(e.chunked ? { chunked: true } : {}),
        }
      : null;
  const report = await runJournaled(
    repo,
    {
      ...spec,
      folders: Object.fromEntries(names.map((n) => [n, resourceFolder(repo, plan.target, n)])),
      changes: toTarget.map((c) => ({
        resource: c.resource,
        path: c.path,
        before: file(c.before),
        after: file(c.after),
      })),
    },
    { onProgress: options.onProgress },
  );
  if (clean.size > 0)
    await repo.catalog.saveScanStates(scanStatesAfterRewrite(clean, plan.target, headToTarget, toTarget));
  return report.applied;
}

/**
 * Makes the working folders match a branch, tag or commit, rewriting only the files that differ,
 * and moves HEAD (following the branch, or detached at a commit). Uncommitted changes in files the
 * checkout would touch stop it unless `force`; others are carried over. Files never committed
 * survive (`force` overwrites one only where the target has a file of that name). Journaled: a
 * killed checkout is finished or undone by `resolveInterrupted`.
 */
export async function checkout(
  repo: Repository,
  revision: string,
  options: RewriteOptions = {},
): Promise<CheckoutResult> {
  return withLocks(repo, [WORKTREE_LOCK], async () => {
    refuseWhileInterrupted(repo, 'checkout');
    const head = await readHead(repo);
    const resolved = await resolveRevision(repo, revision);
    const target = await readCommitTree(repo, resolved.commit);
    await addMissingResources(repo, target);
    const names = Object.keys(target.resources);
    checkResourceExtras(repo, target, names);
    let unrestorable: readonly UnrestorableFile[] = [];
    const updated = await rewriteWorkingFolders(
      repo,
      target,
      () => true,
      `checkout of '${revision}'`,
      {
        ...options,
        onlyWhereTargetMoves: true,
        onUnrestorableFiles: (files) => {
          unrestorable = files;
          options.onUnrestorableFiles?.(files);
        },
      },
      {
        operation: 'checkout',
        target: revision,
        locks: [WORKTREE_LOCK],
        extrasFrom: resolved.commit,
        finish: {
          kind: 'head',
          commit: resolved.commit,
          branch: resolved.branch ?? null,
          previous: { branch: head.branch, commit: head.commit },
        },
      },
    );
    return { commit: resolved.commit, branch: resolved.branch ?? null, updated, unrestorable };
  });
}
