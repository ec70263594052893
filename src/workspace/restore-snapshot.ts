import { WORKTREE_LOCK } from '../catalog/catalog.js';
import { CannotRestoreError, InvalidArgumentError } from '../errors/index.js';
import { withLocks } from '../repo/commit/locks.js';
import type { RootTree } from '../repo/objects/commit-object.js';
import { readCommitTree } from '../repo/objects/read-objects.js';
import { resolveRevision } from '../repo/refs/refs.js';
import type { Repository } from '../repo/repository.js';
import { addMissingResources } from '../repo/resources/register-from-tree.js';
import { rewriteWorkingFolders } from '../repo/worktree/checkout.js';
import { checkResourceExtras, restoreResourceExtras } from '../repo/worktree/restore-extras.js';
import type { UnrestorableFile } from '../repo/worktree/unrestorable.js';
import type { ObjectId } from '../util/hash.js';

/** Options of `restoreSnapshotResources`. */
export interface RestoreSnapshotOptions {
  /** Restore only these resources. */
  readonly only?: readonly string[];
  /** Leave these resources as they are. */
  readonly leave?: readonly string[];
  /** Fail, changing nothing, if any chosen resource cannot be restored. */
  readonly strict?: boolean;
  /** Overwrite uncommitted changes. */
  readonly force?: boolean;
  readonly onProgress?: (done: number, total: number) => void;
}

/** A resource a restore could not bring back, and why. */
export interface SkippedResource {
  readonly resource: string;
  readonly reason: 'not in snapshot' | 'read-only' | 'contents not stored';
}

/** What `restoreSnapshotResources` did. */
export interface RestoreSnapshotResult {
  readonly commit: ObjectId;
  /** Files written or removed. */
  readonly updated: number;
  /** Git resources checked out at the snapshot's commit. */
  readonly checkedOut: readonly string[];
  readonly skipped: readonly SkippedResource[];
  /** Every file left different from the snapshot, and why (read-only, reference-only, symlink). */
  readonly unrestorable: readonly UnrestorableFile[];
}

/**
 * Brings the working resources back to a snapshot without moving HEAD (the library's
 * `restoreSnapshot` also restores the snapshot's lineage). Results are additive
 * (missing result files come back, present ones are never rolled back); read-only resources are
 * never written; a git resource is checked out at the recorded commit, and a dirty one stops the
 * restore before anything is written. A local folder elsewhere on disk is written back like an inner
 * folder when its contents are stored; a reference-only one (or one recorded so by an older
 * snapshot) is reported as skipped, and each file it cannot bring back is listed in `unrestorable`
 * (with `strict`, any of these is an error and nothing is written).
 */
export async function restoreSnapshotResources(
  repo: Repository,
  revision: string,
  options: RestoreSnapshotOptions = {},
): Promise<RestoreSnapshotResult> {
  if (options.only?.length && options.leave?.length)
    throw new InvalidArgumentError('give --only or --leave, not both', {});
  return withLocks(repo, [WORKTREE_LOCK], async () => {
    const { commit } = await resolveRevision(repo, revision);
    const full = await readCommitTree(repo, commit);
    const current = (await repo.catalog.listResources()).map((r) => r.name);
    const known = new Set([...current, ...Object.keys(full.resources)]);
    for (const name of [...(options.only ?? []), ...(options.leave ?? [])])
      if (!known.has(name))
        throw new InvalidArgumentError(`no resource named '${name}' here or in ${revision}`, {
          resource: name,
        });
    const chosen = [...known].filter(
      (n) => (!options.only?.length || options.only.includes(n)) && !options.leave?.includes(n),
    );
    const target: RootTree = {
      ...full,
      resources: Object.fromEntries(Object.entries(full.resources).filter(([n]) => chosen.includes(n))),
    };
    const skipped: SkippedResource[] = chosen
      .filter((n) => !(n in full.resources))
      .map((resource) => ({ resource, reason: 'not in snapshot' }));
    let unrestorable: readonly UnrestorableFile[] = [];
    const refuse = () => {
      if (options.strict && (skipped.length > 0 || unrestorable.length > 0)) {
        const what = [
          ...skipped.map((s) => `${s.resource} (${s.reason})`),
          ...unrestorable.slice(0, 3).map((f) => `${f.resource}/${f.path} (${f.reason})`),
          ...(unrestorable.length > 3 ? [`${unrestorable.length - 3} more file(s)`] : []),
        ];
        throw new CannotRestoreError(`cannot restore ${what.join(', ')} from ${revision}`, {
          skipped,
          unrestorable,
          revision,
        });
      }
    };
    refuse();
    await addMissingResources(repo, target);
    const registered = new Map((await repo.catalog.listResources()).map((r) => [r.name, r]));
    const names = Object.keys(target.resources);
    checkResourceExtras(repo, target, names, { dirtyStops: true });
    const updated = await rewriteWorkingFolders(repo, target, () => true, `restore of '${revision}'`, {
      force: options.force,
      onProgress: options.onProgress,
      onUnrestorable: (resources) => {
        for (const resource of resources) {
          const snap = target.resources[resource]!;
          // A git resource's files come back through `git checkout` of the recorded commit.
          if (snap.type === 'git' && !snap.readOnly) continue;
          const readOnly = snap.readOnly || registered.get(resource)?.options.readOnly === true;
          skipped.push({ resource, reason: readOnly ? 'read-only' : 'contents not stored' });
        }
        refuse();
      },
      // Called after onUnrestorable and before anything is written: strict refuses here.
      onUnrestorableFiles: (files) => {
        unrestorable = files;
        refuse();
      },
    });
    const checkedOut = restoreResourceExtras(repo, target, names);
    return { commit, updated, checkedOut, skipped, unrestorable };
  });
}
