import type { RootTree } from '../objects/commit-object.js';
import type { Repository } from '../repository.js';
import { checkResourceName } from './resources.js';
import { resourceType } from './types/index.js';

/**
 * Registers the resources a commit has and this repository does not (e.g. added on another
 * branch), with the path and role the commit recorded, so a checkout can restore them. A local
 * folder elsewhere on disk is registered read-only: a commit (perhaps from another machine) must
 * not make Strata write to a folder outside the repository that nobody registered here; `resource
 * add local` makes it writable.
 */
export async function addMissingResources(repo: Repository, tree: RootTree): Promise<void> {
  const known = new Set((await repo.catalog.listResources()).map((r) => r.name));
  for (const [name, snap] of Object.entries(tree.resources)) {
    if (known.has(name)) continue;
    // Names and paths from a stored tree get the same checks as ones typed by a user.
    await repo.catalog.addResource({
      name: checkResourceName(name),
      path: resourceType(snap.type).checkPath(repo.root, snap.path, repo.root),
      role: snap.role,
      type: snap.type,
      options: {
        ...(snap.readOnly || snap.type === 'local' ? { readOnly: true } : {}),
        ...(snap.content !== undefined && snap.type === 'local' ? { referenceOnly: true } : {}),
        ...(snap.content === 'stat' ? { noHash: true } : {}),
      },
      createdAt: new Date().toISOString(),
    });
  }
}
