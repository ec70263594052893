import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openJobQueue } from '../open-job-queue.js';
import { freePort, PrivateRedis } from './test-support/redis-server.js';

// These tests run their own redis-server on a free port (they stop and restart it), so they need
// only the redis-server binary, not STRATA_TEST_REDIS.

test('bullmq: Redis down at open is a QueueUnavailableError naming the address', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-redis-down-'));
  try {
    const port = await freePort();
    await assert.rejects(
      openJobQueue({ store: join(dir, 'jobs.db'), queue: `redis://127.0.0.1:${port}` }),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, 'E_QUEUE_UNAVAILABLE');
        assert.match(err.message, new RegExp(`redis://127\\.0\\.0\\.1:${port}.*cannot be reached`));
        return true;
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bullmq: Redis killed mid-job and restarted empty: workers wait, tasks are rebuilt from the catalog, the job completes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-redis-restart-'));
  const redis = await PrivateRedis.start();
  const queue = await openJobQueue({ store: join(dir, 'jobs.db'), queue: redis.url });
  try {
    const total = 30;
    const job = await queue.createJob({
      kind: 'tiny',
      config: {},
      tasks: Array.from({ length: total }, (_, i) => ({ key: `t${i}`, payload: i })),
    });
    const effects = new Set<string>();
    let runs = 0;
    let outage: Promise<void> | undefined;
    const worker = queue.createWorker({
      jobId: job.id,
      concurrency: 2,
      leaseMs: 1_000,
      handlers: {
        tiny: async ({ lease }) => {
          runs += 1;
          effects.add(lease.taskKey);
          // After a third of the work, Redis dies (losing every queued task) and comes back empty.
          if (runs === 10) outage = redis.stop().then(() => redis.restart());
        },
      },
    });
    await worker.idle;
    await worker.close();
    assert.ok(outage !== undefined, 'the outage happened');
    await outage;
    const record = (await queue.getJob(job.id))!;
    assert.equal(record.state, 'completed');
    assert.deepEqual(record.counts, { total, done: total, failed: 0 });
    assert.equal(effects.size, total);
  } finally {
    await queue.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
