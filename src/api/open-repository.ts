import { openRepository as openBackendRepository } from '../backends/open-backends.js';
import { registerOnDemandSource } from '../backends/on-demand-source.js';
import type { Repository } from '../repo/repository.js';

/**
 * Opens the repository that contains `from` (default: the current directory). A partial clone's
 * store fetches what the clone left out from its remote on demand; the remote layer that does it
 * is loaded on the first miss only.
 */
export async function openRepository(from = process.cwd()): Promise<Repository> {
  registerOnDemandSource(async (repo, record) =>
    (await import('../remote/on-demand.js')).openOnDemandFetcher(repo, record),
  );
  return openBackendRepository(from);
}
