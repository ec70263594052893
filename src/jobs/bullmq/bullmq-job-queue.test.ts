import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropSchema, freshSchema } from '../../catalog/postgres/test-support/test-schema.js';
import { runJobQueueConformance } from '../job-queue-conformance.js';
import { openJobQueue } from '../open-job-queue.js';

/** A fresh harness: job tables in a temporary jobs.db, tasks on the given BullMQ engine. */
function harness(engine: string, cleanup: () => Promise<void> = async () => {}) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-bullmq-jobs-'));
    const location = { store: join(dir, 'jobs.db'), queue: engine };
    const queue = await openJobQueue(location);
    return {
      queue,
      location,
      async close() {
        await queue.close();
        rmSync(dir, { recursive: true, force: true });
        await cleanup();
      },
    };
  };
}

const postgres = process.env.STRATA_TEST_POSTGRES;
if (postgres === undefined) {
  console.log('# skipped: bullmq on its PostgreSQL backend (STRATA_TEST_POSTGRES is not set)');
} else {
  const schema = freshSchema();
  const url = new URL(postgres);
  url.searchParams.set('schema', schema);
  runJobQueueConformance(
    'bullmq on its PostgreSQL backend',
    harness(`bullmq+${url.toString()}`, () => dropSchema(postgres, schema)),
  );
}

const redis = process.env.STRATA_TEST_REDIS;
if (redis === undefined) {
  console.log('# skipped: bullmq on Redis (STRATA_TEST_REDIS is not set)');
} else {
  // A unique key prefix per run: tests sharing the Redis never see each other's queues. A Redis
  // that does not answer fails the suite (opening the queue throws QueueUnavailableError).
  const url = new URL(redis);
  url.searchParams.set('prefix', `strata-test-${process.pid}-${Date.now().toString(36)}`);
  runJobQueueConformance('bullmq on Redis', harness(url.toString()));
}
