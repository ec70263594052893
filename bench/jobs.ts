/**
 * The `jobs` benchmark: tiny tasks (a handler that does nothing) through the `JobQueue` adapters,
 * job records and task outcomes written to the catalog's job tables, in a fresh repository under
 * os.tmpdir() removed at the end.
 *
 *   local_in_process   one job of N tasks, one worker (concurrency 4) in the benchmark process,
 *                      SQLite job tables (.strata/jobs.db): tasks/s from first lease to job end
 *   local_processes    the same with 2 worker processes (`startWorkerProcesses`)
 *   local_postgres     the in-process run with the job tables in PostgreSQL (when
 *                      STRATA_TEST_POSTGRES is set; a fresh schema, dropped afterwards)
 *   sqlite_floor       peer measured in the same run: the bare SQLite writes a durable queue needs
 *                      per task (two single-row UPDATE transactions) in one connection
 *   bullmq_postgres_backend  the BullMQ adapter on BullMQ's PostgreSQL backend (job tables in
 *                      SQLite), one worker with concurrency 32 (when STRATA_TEST_POSTGRES is set)
 *   bullmq             the BullMQ adapter on Redis (STRATA_TEST_REDIS, default redis://127.0.0.1:6379; a
 *                      fresh key prefix), job tables in SQLite, outcomes batched; one worker with
 *                      concurrency 128 (more tasks in flight hide the
 *                      round trips to Redis; 32 gave ~730/s here) (target >= 2,000 tasks/s)
 *
 * Every run is checked (job completed, done = N); a failed check makes the run exit non-zero.
 * BENCH_JOBS_N sets N (default 5,000); the BullMQ run on Redis takes BENCH_JOBS_BULLMQ_N tasks
 * (default 20,000): at 2,000/s, 5,000 tasks last 2.5 s, of which the worker's start (two Redis
 * connections, BullMQ's scripts, the first catalog poll) was a visible share on a loaded machine.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { check, log } from './lib/check.js';
import { round } from './lib/stats.js';
import { allMet, atLeast } from './lib/targets.js';
import { withTempRoot } from './lib/temp-root.js';

const N = Number(process.env.BENCH_JOBS_N ?? 5_000);
const API_URL = new URL('../src/api/index.js', import.meta.url).href;
type Api = typeof import('../src/api/index.js');
type Queue = Awaited<ReturnType<Api['openRepositoryJobQueue']>>;

const BULLMQ_N = Number(process.env.BENCH_JOBS_BULLMQ_N ?? 20_000);
const tasks = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `t${i}`, payload: i }));

/** Creates a job of n tiny tasks, runs `work` until it ends, returns tasks/s and checks the end. */
async function timed(queue: Queue, label: string, work: (jobId: string) => Promise<void>, n = N) {
  const createdAt = performance.now();
  const job = await queue.createJob({ kind: 'tiny', config: null, tasks: tasks(n) });
  const enqueueS = (performance.now() - createdAt) / 1000;
  const started = performance.now();
  await work(job.id);
  const ended = await queue.waitForJob(job.id, { intervalMs: 20 });
  const seconds = (performance.now() - started) / 1000;
  check(
    ended.state === 'completed' && ended.counts.done === n,
    `${label}: ${ended.state} ${JSON.stringify(ended.counts)}`,
  );
  log(`${label}: ${n} tasks in ${seconds.toFixed(2)} s`);
  return {
    tasks: n,
    enqueue_s: round(enqueueS),
    run_s: round(seconds),
    tasks_per_s: Math.round(n / seconds),
    workers: ended.workers.length,
  };
}

function inProcess(queue: Queue) {
  return async (jobId: string) => {
    const worker = queue.createWorker({ jobId, concurrency: 4, handlers: { tiny: async () => {} } });
    await worker.idle;
    await worker.close();
  };
}

/** The bare SQLite writes per task of a durable queue: lease and complete, each its own transaction. */
function sqliteFloor(root: string): Record<string, unknown> {
  const Database = createRequire(import.meta.url)('better-sqlite3') as new (file: string) => {
    pragma(text: string): unknown;
    exec(text: string): void;
    prepare(text: string): { run(...args: unknown[]): unknown };
    close(): void;
  };
  const db = new Database(join(root, 'floor.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, state TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO t VALUES (?, ?)');
  db.exec('BEGIN');
  for (let i = 0; i < N; i++) insert.run(`t${i}`, 'queued');
  db.exec('COMMIT');
  const update = db.prepare('UPDATE t SET state = ? WHERE k = ?');
  const started = performance.now();
  for (let i = 0; i < N; i++) {
    for (const state of ['leased', 'done']) {
      db.exec('BEGIN IMMEDIATE');
      update.run(state, `t${i}`);
      db.exec('COMMIT');
    }
  }
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return { tasks: N, run_s: round(seconds), tasks_per_s: Math.round(N / seconds) };
}

export async function run(): Promise<Record<string, unknown>> {
  const api = (await import(API_URL)) as Api;
  return withTempRoot('strata-bench-jobs-', async (root) => {
    const repoDir = join(root, 'repo');
    const repo = await api.initRepository(repoDir);
    const handlers = join(root, 'tiny-handlers.mjs');
    writeFileSync(handlers, 'export const handlers = { tiny: async () => {} };\n');
    const queue = await api.openRepositoryJobQueue(repo, { queue: 'local' });
    const results: Record<string, unknown> = {};
    try {
      results.local_in_process = await timed(queue, 'local in process', inProcess(queue));
      const location = api.jobQueueLocation(repo, { queue: 'local' });
      results.local_processes = await timed(queue, 'local, 2 processes', async (jobId) => {
        const pool = api.startWorkerProcesses(2, {
          location,
          handlersModule: handlers,
          jobId,
          concurrency: 2,
        });
        const codes = await pool.exited;
        check(
          codes.every((code) => code === 0),
          `worker processes exited with ${codes.join(', ')}`,
        );
      });
    } finally {
      await queue.close();
      await repo.close();
    }
    results.local_postgres = await postgresRun();
    results.bullmq_postgres_backend = await bullmqPostgresRun(root);
    results.sqlite_floor = sqliteFloor(root);
    results.bullmq = await bullmqRedisRun(root);
    const targets = {
      bullmq_tasks_per_s: atLeast((results.bullmq as { tasks_per_s: number | null }).tasks_per_s, 2_000),
    };
    return { n: N, ...results, targets, all_targets_met: allMet(targets) };
  });
}

async function postgresRun(): Promise<Record<string, unknown>> {
  const connectionString = process.env.STRATA_TEST_POSTGRES;
  if (connectionString === undefined) return { skipped: 'STRATA_TEST_POSTGRES is not set' };
  const schema = `strata_bench_jobs_${process.pid}`;
  const { default: pg } = await import('pg');
  const url = new URL(connectionString);
  url.searchParams.set('schema', schema);
  const { openJobQueue } = (await import(
    new URL('../src/jobs/open-job-queue.js', import.meta.url).href
  )) as typeof import('../src/jobs/open-job-queue.js');
  const queue = await openJobQueue({ store: url.toString() });
  try {
    return await timed(queue, 'local over PostgreSQL', inProcess(queue));
  } finally {
    await queue.close();
    const client = new pg.Client({ connectionString });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  }
}

async function bullmqPostgresRun(root: string): Promise<Record<string, unknown>> {
  const connectionString = process.env.STRATA_TEST_POSTGRES;
  if (connectionString === undefined) return { skipped: 'STRATA_TEST_POSTGRES is not set' };
  const schema = `strata_bench_bullmq_${process.pid}`;
  const { default: pg } = await import('pg');
  const url = new URL(connectionString);
  url.searchParams.set('schema', schema);
  const { openJobQueue } = (await import(
    new URL('../src/jobs/open-job-queue.js', import.meta.url).href
  )) as typeof import('../src/jobs/open-job-queue.js');
  const queue = await openJobQueue({
    store: join(root, 'bullmq-jobs.db'),
    queue: `bullmq+${url.toString()}`,
  });
  try {
    return await timed(queue, 'bullmq on its PostgreSQL backend', async (jobId) => {
      const worker = queue.createWorker({ jobId, concurrency: 32, handlers: { tiny: async () => {} } });
      await worker.idle;
      await worker.close();
    });
  } finally {
    await queue.close();
    const client = new pg.Client({ connectionString });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  }
}

/** The BullMQ adapter on Redis, a fresh key prefix (the keys are left to the queue's own cleanup). */
async function bullmqRedisRun(root: string): Promise<Record<string, unknown>> {
  const url = new URL(process.env.STRATA_TEST_REDIS ?? 'redis://127.0.0.1:6379');
  url.searchParams.set('prefix', `strata-bench-${process.pid}`);
  const { openJobQueue } = (await import(
    new URL('../src/jobs/open-job-queue.js', import.meta.url).href
  )) as typeof import('../src/jobs/open-job-queue.js');
  const queue = await openJobQueue({ store: join(root, 'bullmq-redis-jobs.db'), queue: url.toString() });
  try {
    return await timed(
      queue,
      'bullmq on Redis',
      async (jobId) => {
        const worker = queue.createWorker({ jobId, concurrency: 128, handlers: { tiny: async () => {} } });
        await worker.idle;
        await worker.close();
      },
      BULLMQ_N,
    );
  } finally {
    await queue.close();
  }
}
