import { openRepository } from './open-repository.js';
import { openComputeProject, type ComputeProject } from '../compute/compute-project.js';
import type { Repository } from '../repo/repository.js';

/**
 * `openComputeProject` for a repository object or a path inside one; a repository it opened
 * itself is closed with the project.
 */
export async function computeProject(repoOrPath: Repository | string): Promise<ComputeProject> {
  if (typeof repoOrPath !== 'string') return openComputeProject(repoOrPath);
  const repo = await openRepository(repoOrPath);
  try {
    return await openComputeProject(repo, { ownsRepo: true });
  } catch (err) {
    await repo.close();
    throw err;
  }
}
