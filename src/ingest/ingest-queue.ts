import { openRepositoryJobQueue } from '../backends/repository-jobs.js';
import type { JobQueue } from '../jobs/port.js';
import type { Repository } from '../repo/repository.js';

/**
 * The job queue ingest jobs run on: the repository's (the composition root picks the engine and
 * where the job tables live; see `jobQueueLocation`).
 */
export function openIngestQueue(
  repo: Repository,
  options: { readonly queue?: string } = {},
): Promise<JobQueue> {
  return openRepositoryJobQueue(repo, options);
}
