import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from '../errors/index.js';
import { readCommitTree } from '../repo/objects/read-objects.js';
import { deleteTag, listTags } from '../repo/refs/branches.js';
import { resolveRevision } from '../repo/refs/refs.js';
import type { Repository } from '../repo/repository.js';
import { resourceType } from '../repo/resources/types/index.js';
import { checkStoredPath } from '../repo/worktree/apply-changes.js';
import type { ObjectId } from '../util/hash.js';
import { ownSection } from './metrics/own-sections.js';
import { resultsResources } from './results/take-results.js';

/** Catalog config key marking a snapshot as deleted (hidden from reports). */
export const DELETED_PREFIX = 'snapshot.deleted.';

/** What `deleteSnapshot` did. */
export interface DeleteSnapshotResult {
  readonly commit: ObjectId;
  readonly tagsRemoved: readonly string[];
  /** Results folders removed (absolute), none with `keepResults`. */
  readonly resultsRemoved: readonly string[];
}

/**
 * Deletes a snapshot: removes its tags, hides it from `report history`, and removes its results
 * subfolder unless `keepResults`. Commits are immutable and later snapshots build on this one, so
 * the commit itself stays in its branch's history; `gc` reclaims it once no ref reaches it.
 */
export async function deleteSnapshot(
  repo: Repository,
  revision: string,
  options: { readonly keepResults?: boolean } = {},
): Promise<DeleteSnapshotResult> {
  const { commit } = await resolveRevision(repo, revision);
  if ((await repo.catalog.getConfig(DELETED_PREFIX + commit)) !== undefined)
    throw new InvalidArgumentError(`snapshot ${commit.slice(0, 12)} is deleted already`, { commit });
  const tree = await readCommitTree(repo, commit);
  const tagsRemoved = (await listTags(repo)).filter((t) => t.commit === commit).map((t) => t.name);
  for (const tag of tagsRemoved) await deleteTag(repo, tag);
  const resultsRemoved: string[] = [];
  // A merge made before results were marked per-commit copied its parent's section: not its own.
  const folder = ((await ownSection(repo, commit, tree, 'results')) as { folder?: string } | undefined)
    ?.folder;
  if (folder && !options.keepResults) {
    checkStoredPath(folder, 'results folder');
    for (const r of await resultsResources(repo)) {
      const abs = join(resourceType(r.type).open(repo.root, r.path), folder);
      rmSync(abs, { recursive: true, force: true });
      resultsRemoved.push(abs);
    }
  }
  await repo.catalog.setConfig(DELETED_PREFIX + commit, new Date().toISOString());
  return { commit, tagsRemoved, resultsRemoved };
}

/** The ids of deleted snapshots. */
export async function deletedSnapshots(repo: Repository): Promise<Set<ObjectId>> {
  const all = await repo.catalog.listConfig();
  return new Set(
    Object.keys(all)
      .filter((k) => k.startsWith(DELETED_PREFIX))
      .map((k) => k.slice(DELETED_PREFIX.length)),
  );
}
