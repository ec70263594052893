import { join } from 'node:path';
import { ConfigError } from '../errors/index.js';
import { openJobQueue, type JobQueueLocation } from '../jobs/open-job-queue.js';
import type { JobQueue } from '../jobs/port.js';
import type { RepositoryConfig } from '../repo/repository-config.js';

/** The job tables of an embedded repository, beside `catalog.db` (their own schema history). */
export const JOBS_DB = 'jobs.db';

/**
 * Where a repository's jobs live. The job tables: `.strata/jobs.db` for an embedded repository,
 * the shared catalog's PostgreSQL database and schema otherwise (every machine sees the same job
 * records). The engine: `options.queue` (`--queue`), else `STRATA_QUEUE`, else the config's
 * optional `"jobs"` field (`"local"` or `"redis://host:6379"`), else `local`. No password inside.
 */
export function jobQueueLocation(
  repo: { readonly strataDir: string; readonly config: RepositoryConfig },
  options: { readonly queue?: string } = {},
): JobQueueLocation {
  const configured = (repo.config as { readonly jobs?: unknown }).jobs;
  if (configured !== undefined && typeof configured !== 'string') {
    throw new ConfigError(`.strata/config.json: field 'jobs' must be 'local' or a redis:// URL`, {
      field: 'jobs',
      expected: "'local' or a redis:// URL",
    });
  }
  const queue = options.queue ?? process.env.STRATA_QUEUE ?? configured ?? 'local';
  const { catalog } = repo.config;
  if (catalog.type === 'sqlite') return { store: join(repo.strataDir, JOBS_DB), queue };
  const url = new URL(catalog.url);
  url.password = '';
  if (catalog.schema !== undefined) url.searchParams.set('schema', catalog.schema);
  return { store: url.toString(), queue };
}

/**
 * Opens the repository's job queue. `records: true` opens only the job records (the local
 * adapter over the catalog's job tables): enough to list and show jobs from any machine, even
 * when the distributed engine is out of reach.
 */
export async function openRepositoryJobQueue(
  repo: { readonly strataDir: string; readonly config: RepositoryConfig },
  options: { readonly queue?: string; readonly records?: boolean } = {},
): Promise<JobQueue> {
  const location = jobQueueLocation(repo, options);
  return openJobQueue(options.records === true ? { store: location.store } : location);
}
