import { DirtyResourceError } from '../../errors/index.js';
import type { RootTree } from '../objects/commit-object.js';
import type { Repository } from '../repository.js';
import { resourceType } from '../resources/types/index.js';

function writableExtras(repo: Repository, target: RootTree, names: readonly string[]) {
  return names.flatMap((name) => {
    const snap = target.resources[name];
    if (!snap || snap.readOnly || !snap.extra) return [];
    const type = resourceType(snap.type);
    if (!type.restoreExtra) return [];
    return [{ name, snap, type, abs: type.locate(repo.root, snap.path) }];
  });
}

/**
 * Checks, before anything is written, that every writable resource with extra state (a git
 * repository) can be brought back to `target`'s. A dirty git repository that would have to move
 * to another commit stops it; with `dirtyStops` (a whole-snapshot restore) any dirty one does,
 * since its uncommitted changes are not what the snapshot recorded.
 */
export function checkResourceExtras(
  repo: Repository,
  target: RootTree,
  names: readonly string[],
  options: { readonly dirtyStops?: boolean } = {},
): void {
  for (const r of writableExtras(repo, target, names)) {
    const wanted = (r.snap.extra as { git?: { commit?: string | null } }).git?.commit;
    const now = (r.type.describe?.(r.abs) as { git?: { commit: string | null; dirty: boolean } } | undefined)
      ?.git;
    if (!wanted || !now?.dirty) continue;
    if (options.dirtyStops || now.commit !== wanted) {
      throw new DirtyResourceError(
        `git resource '${r.name}' at ${r.abs} has uncommitted changes; commit or stash them before restoring`,
        { resource: r.name, path: r.abs, commit: wanted },
      );
    }
  }
}

/** Brings writable resources' extra state back to `target`'s; returns the names changed. */
export function restoreResourceExtras(
  repo: Repository,
  target: RootTree,
  names: readonly string[],
): string[] {
  return writableExtras(repo, target, names)
    .filter((r) => r.type.restoreExtra!(r.abs, r.name, r.snap.extra))
    .map((r) => r.name);
}
