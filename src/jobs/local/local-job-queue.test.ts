import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropSchema, freshSchema } from '../../catalog/postgres/test-support/test-schema.js';
import { runJobQueueConformance } from '../job-queue-conformance.js';
import { openJobQueue } from '../open-job-queue.js';

runJobQueueConformance('local over SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-local-jobs-'));
  const location = { store: join(dir, 'jobs.db') };
  const queue = await openJobQueue(location);
  return {
    queue,
    location,
    async close() {
      await queue.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

const postgres = process.env.STRATA_TEST_POSTGRES;
if (postgres === undefined) {
  console.log('# skipped: local over PostgreSQL (STRATA_TEST_POSTGRES is not set)');
} else {
  runJobQueueConformance('local over PostgreSQL', async () => {
    const schema = freshSchema();
    const url = new URL(postgres);
    url.searchParams.set('schema', schema);
    const location = { store: url.toString() };
    const queue = await openJobQueue(location);
    return {
      queue,
      location,
      async close() {
        await queue.close();
        await dropSchema(postgres, schema);
      },
    };
  });
}
