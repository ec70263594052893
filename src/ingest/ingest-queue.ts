import { join } from 'node:path';
import { LocalJobQueue } from '../jobs/local/local-job-queue.js';
import type { JobQueue } from '../jobs/port.js';
import { openJobStore } from '../jobs/store/open-job-store.js';
import type { Repository } from '../repo/repository.js';

/**
 * The job queue ingest jobs run on: the repository's job tables (`.strata/jobs.db` beside an
 * embedded catalog, the shared PostgreSQL catalog's database otherwise), leased by local workers.
 */
export async function openIngestQueue(repo: Repository): Promise<JobQueue> {
  const catalog = repo.config.catalog;
  let location = join(repo.strataDir, 'jobs.db');
  if (catalog.type === 'postgres') {
    const url = new URL(catalog.url);
    if (catalog.schema) url.searchParams.set('schema', catalog.schema);
    location = url.toString();
  }
  return new LocalJobQueue(await openJobStore(location));
}
