import type { RootTree } from '../objects/commit-object.js';
import type { Repository } from '../repository.js';

/**
 * Registers the resources a commit has and this repository does not (e.g. added on another
 * branch), with the path and role the commit recorded, so a checkout can restore them.
 */
export async function addMissingResources(repo: Repository, tree: RootTree): Promise<void> {
  const known = new Set((await repo.catalog.listResources()).map((r) => r.name));
  for (const [name, snap] of Object.entries(tree.resources)) {
    if (known.has(name)) continue;
    await repo.catalog.addResource({
      name,
      path: snap.path,
      role: snap.role,
      type: snap.type,
      options: {},
      createdAt: new Date().toISOString(),
    });
  }
}
