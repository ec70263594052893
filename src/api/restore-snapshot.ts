import { restoreLineage } from '../lineage/lineage-section.js';
import type { Repository } from '../repo/repository.js';
import { publishResources } from '../repo/resources/refresh-resources.js';
import {
  restoreSnapshotResources,
  type RestoreSnapshotOptions,
  type RestoreSnapshotResult,
} from '../workspace/restore-snapshot.js';

/**
 * Restores a whole snapshot: its resources (see the workspace's `restoreSnapshotResources`) and,
 * when every resource was restored, its lineage as the current one, so the next step is checked
 * against the data it will actually read. The only `restoreSnapshot`: the workspace's part is
 * named for what it does, since the workspace may not import lineage (a sibling capability).
 *
 * @example
 * ```ts
 * const { updated } = await restoreSnapshot(repo, 'exp-1', { force: true });
 * ```
 */
export async function restoreSnapshot(
  repo: Repository,
  revision: string,
  options: RestoreSnapshotOptions = {},
): Promise<RestoreSnapshotResult> {
  const result = await restoreSnapshotResources(repo, revision, options);
  if (!options.only?.length && !options.leave?.length) await restoreLineage(repo, revision);
  // Restored local copies of S3 prefixes go back into their buckets.
  await publishResources(
    repo,
    (r) => (!options.only?.length || options.only.includes(r.name)) && !options.leave?.includes(r.name),
  );
  return result;
}
