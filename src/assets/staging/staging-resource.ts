import { basename, isAbsolute, relative, resolve, sep } from 'node:path';
import { ConfigError } from '../../errors/index.js';
import type { ResourceRecord } from '../../catalog/catalog.js';
import type { Repository } from '../../repo/repository.js';
import { addResource } from '../../repo/resources/resources.js';

/** The staging folder's path relative to the repository root; it must lie inside it. */
export function stagingPathInRepository(repo: Repository, stagingRoot: string): string {
  const rel = relative(repo.root, resolve(stagingRoot));
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new ConfigError(
      `staging_directory '${stagingRoot}' must be a folder inside the repository at ${repo.root}`,
      { key: 'staging_directory', path: stagingRoot, repository: repo.root },
    );
  }
  return rel.split(sep).join('/');
}

/**
 * The resource that versions the staging folder: found by path, or registered as an in-repo
 * folder with role `assets` the first time. A resource at that path with another role is refused.
 */
export async function ensureStagingResource(repo: Repository, stagingRoot: string): Promise<ResourceRecord> {
  const path = stagingPathInRepository(repo, stagingRoot);
  const existing = (await repo.catalog.listResources()).find((r) => r.path === path);
  if (existing) {
    if (existing.role !== 'assets') {
      throw new ConfigError(
        `staging_directory '${path}' is resource '${existing.name}' with role '${existing.role}', not 'assets'`,
        { key: 'staging_directory', resource: existing.name, role: existing.role },
      );
    }
    return existing;
  }
  return addResource(repo, { path, role: 'assets', cwd: repo.root, create: true, name: basename(path) });
}
