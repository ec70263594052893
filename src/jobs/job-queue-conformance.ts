import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { AlreadyExistsError, JobEndedError, LeaseLostError, NotFoundError } from '../errors/index.js';
import { startWorkerProcesses } from './local/worker-processes.js';
import type { JobQueueLocation } from './open-job-queue.js';
import type { JobQueue, JobRecord, TaskLease } from './port.js';

/** One adapter under test: a fresh, empty queue and where worker processes find it. */
export interface JobQueueHarness {
  readonly queue: JobQueue;
  readonly location: JobQueueLocation;
  close(): Promise<void>;
}

const HANDLERS = fileURLToPath(new URL('./test-support/effect-handlers.js', import.meta.url));

/** Polls `probe` until it returns a value (no fixed sleeps: waits for the condition itself). */
async function eventually<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const tasks = (n: number, payload: (i: number) => unknown = () => null) =>
  Array.from({ length: n }, (_, i) => ({ key: `t${i}`, payload: payload(i) as never }));

/**
 * The `JobQueue` conformance suite, run for every adapter (local, bullmq): enqueue, lease,
 * heartbeat, complete, fail with retry and backoff, stalled-task recovery after a worker process
 * dies, cancel, progress, at-least-once execution with idempotent effects.
 */
export function runJobQueueConformance(name: string, open: () => Promise<JobQueueHarness>): void {
  describe(`JobQueue conformance: ${name}`, () => {
    let harness: JobQueueHarness;
    let queue: JobQueue;
    before(async () => {
      harness = await open();
      queue = harness.queue;
    });
    after(async () => harness.close());

    it('creates a job with its tasks; lists and shows it; refuses a used id', async () => {
      const job = await queue.createJob({ kind: 'k', config: { a: 1 }, tasks: tasks(3) });
      assert.equal(job.state, 'queued');
      assert.deepEqual(job.counts, { total: 3, done: 0, failed: 0 });
      assert.deepEqual(job.config, { a: 1 });
      assert.equal((await queue.getJob(job.id))?.id, job.id);
      assert.ok((await queue.listJobs()).some((listed) => listed.id === job.id));
      await assert.rejects(
        queue.createJob({ kind: 'k', config: null, tasks: [], id: job.id }),
        AlreadyExistsError,
      );
      assert.equal(await queue.getJob('no-such-job'), undefined);
      await queue.cancel(job.id);
    });

    it('a job without tasks completes at once', async () => {
      const job = await queue.createJob({ kind: 'k', config: null, tasks: [] });
      assert.equal(job.state, 'completed');
    });

    it('leases each task once, heartbeats, completes; the job ends completed with its workers', async () => {
      const job = await queue.createJob({ kind: 'lease-basic', config: null, tasks: tasks(2) });
      const a = await queue.lease({ workerId: 'wa', jobId: job.id, leaseMs: 10_000 });
      const b = await queue.lease({ workerId: 'wb', jobId: job.id, leaseMs: 10_000 });
      assert.ok(a !== undefined && b !== undefined);
      assert.notEqual(a.taskKey, b.taskKey);
      assert.equal(a.attempt, 1);
      assert.equal(await queue.lease({ workerId: 'wc', jobId: job.id }), undefined);
      assert.equal((await queue.getJob(job.id))?.state, 'running');
      const renewed = await queue.heartbeat(a);
      assert.ok(renewed.leaseUntil >= a.leaseUntil);
      await queue.complete(renewed);
      await assert.rejects(queue.complete(renewed), LeaseLostError);
      assert.deepEqual((await queue.getJob(job.id))?.counts, { total: 2, done: 1, failed: 0 });
      await queue.complete(b);
      const ended = await queue.waitForJob(job.id);
      assert.equal(ended.state, 'completed');
      assert.deepEqual(ended.counts, { total: 2, done: 2, failed: 0 });
      assert.deepEqual(ended.workers.map((w) => w.id).sort(), ['wa', 'wb']);
      assert.ok(ended.startedAt !== undefined && ended.finishedAt !== undefined);
    });

    it('an expired lease goes to the next worker; the old holder is refused', async () => {
      const job = await queue.createJob({ kind: 'lease-expiry', config: null, tasks: tasks(1) });
      const first = await queue.lease({ workerId: 'slow', jobId: job.id, leaseMs: 200 });
      assert.ok(first !== undefined);
      const second = await eventually(
        () => queue.lease({ workerId: 'fast', jobId: job.id, leaseMs: 10_000 }),
        'expiry',
      );
      assert.equal(second.taskKey, first.taskKey);
      assert.equal(second.attempt, 2);
      await assert.rejects(queue.heartbeat(first), LeaseLostError);
      await assert.rejects(queue.complete(first), LeaseLostError);
      await queue.complete(second);
      assert.equal((await queue.waitForJob(job.id)).state, 'completed');
    });

    it('a failed attempt is retried after its backoff; out of attempts the job fails with the list', async () => {
      const job = await queue.createJob({
        kind: 'retry',
        config: null,
        tasks: tasks(2),
        retry: { maxAttempts: 2, backoff: { type: 'fixed', delayMs: 300 } },
      });
      const lease = (await queue.lease({ workerId: 'w', jobId: job.id }))!;
      const failedAt = Date.now();
      assert.equal(await queue.fail(lease, new Error('bad tile t0')), 'retry');
      const other = (await queue.lease({ workerId: 'w', jobId: job.id }))!;
      assert.notEqual(other.taskKey, lease.taskKey, 'the failed task waits for its backoff');
      await queue.complete(other);
      const again = await eventually(() => queue.lease({ workerId: 'w', jobId: job.id }), 'retry');
      assert.ok(Date.now() - failedAt >= 300, 'not before the backoff');
      assert.equal(again.taskKey, lease.taskKey);
      assert.equal(again.attempt, 2);
      assert.equal(await queue.fail(again, new Error('bad tile t0')), 'failed');
      const ended = await queue.waitForJob(job.id);
      assert.equal(ended.state, 'failed');
      assert.deepEqual(ended.counts, { total: 2, done: 1, failed: 1 });
      assert.equal(ended.errors.length, 1);
      assert.equal(ended.errors[0]?.taskKey, lease.taskKey);
      assert.equal(ended.errors[0]?.attempts, 2);
      assert.match(ended.errors[0]?.message ?? '', /bad tile/);
    });

    it('a job that allows errors ends completed_with_errors', async () => {
      const job = await queue.createJob({
        kind: 'allow',
        config: null,
        tasks: tasks(2),
        allowErrors: true,
        retry: { maxAttempts: 1 },
      });
      const worker = queue.createWorker({
        jobId: job.id,
        handlers: {
          allow: async ({ lease }) => {
            if (lease.taskKey === 't1') throw new NotFoundError('missing tile', { what: 'tile' });
          },
        },
      });
      const ended = await queue.waitForJob(job.id);
      await worker.close();
      assert.equal(ended.state, 'completed_with_errors');
      assert.deepEqual(ended.counts, { total: 2, done: 1, failed: 1 });
      assert.equal(ended.errors[0]?.code, 'E_NOT_FOUND');
    });

    it('workers run handlers per kind, report progress, and go idle when the joined job ends', async () => {
      const job = await queue.createJob({ kind: 'progress', config: { n: 20 }, tasks: tasks(20) });
      const seen: JobRecord[] = [];
      const stop = queue.subscribe(job.id, ({ job: record }) => seen.push(record), { intervalMs: 20 });
      let configSeen: unknown;
      const worker = queue.createWorker({
        jobId: job.id,
        concurrency: 3,
        handlers: {
          progress: async ({ config }) => {
            configSeen = config;
          },
        },
      });
      await worker.idle;
      await worker.close();
      const ended = await queue.waitForJob(job.id);
      assert.equal(ended.state, 'completed');
      assert.deepEqual(configSeen, { n: 20 });
      await eventually(async () => (seen.at(-1)?.state === 'completed' ? true : undefined), 'last event');
      stop();
      const dones = seen.map((record) => record.counts.done);
      assert.deepEqual(
        dones,
        [...dones].sort((x, y) => x - y),
        'counts only grow',
      );
      assert.equal(seen.at(-1)?.counts.done, 20);
    });

    it('cancel aborts running handlers, drops queued tasks, and is refused on an ended job', async () => {
      const job = await queue.createJob({ kind: 'cancel', config: null, tasks: tasks(5) });
      let started = 0;
      let aborted = 0;
      const worker = queue.createWorker({
        jobId: job.id,
        leaseMs: 300,
        handlers: {
          cancel: ({ signal }) =>
            new Promise<void>((resolve) => {
              started += 1;
              signal.addEventListener('abort', () => {
                aborted += 1;
                resolve();
              });
            }),
        },
      });
      await eventually(async () => (started === 1 ? true : undefined), 'a running task');
      const cancelled = await queue.cancel(job.id);
      assert.equal(cancelled.state, 'cancelled');
      await eventually(async () => (aborted === 1 ? true : undefined), 'the handler aborted');
      await worker.idle;
      await worker.close();
      assert.equal(started, 1);
      assert.equal(await queue.lease({ workerId: 'late', jobId: job.id }), undefined);
      await assert.rejects(queue.cancel(job.id), JobEndedError);
      await assert.rejects(queue.cancel('no-such-job'), NotFoundError);
      const record = (await queue.getJob(job.id))!;
      assert.equal(record.state, 'cancelled');
      assert.equal(record.counts.done, 0);
    });

    it('a worker process killed mid-task: others finish the job; every effect once (at least once)', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'strata-jobs-'));
      try {
        writeFileSync(join(dir, 'runs.log'), '');
        const n = 12;
        const job = await queue.createJob({
          kind: 'effect',
          config: null,
          tasks: tasks(n, (i) => ({ dir, crash: i === 5 })),
        });
        // Two processes: one dies with SIGKILL inside task t5 (after writing its effect, before
        // completing); the survivor takes the task over once the lease expires.
        const pool = startWorkerProcesses(2, {
          location: harness.location,
          handlersModule: HANDLERS,
          jobId: job.id,
          leaseMs: 500,
        });
        const codes = await pool.exited;
        assert.deepEqual(
          [...codes].sort((x, y) => (x ?? -1) - (y ?? -1)),
          [null, 0],
          'one killed, one exited after the job ended',
        );
        const ended = await queue.getJob(job.id);
        assert.equal(ended?.state, 'completed');
        assert.deepEqual(ended?.counts, { total: n, done: n, failed: 0 });
        const runs = readFileSync(join(dir, 'runs.log'), 'utf8').trim().split('\n');
        const crashed = runs.filter((line) => line.startsWith('t5 '));
        assert.equal(crashed.length, 2, 'the killed task ran again');
        assert.equal(crashed[1]?.split(' ')[1], '2', 'as its second attempt');
        assert.deepEqual(
          readdirSync(join(dir, 'effects')).sort(),
          tasks(n)
            .map((t) => t.key)
            .sort(),
        );
        assert.ok(ended!.workers.length === 2);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('tasks survive a lease holder that never comes back (lease protocol)', async () => {
      const job = await queue.createJob({ kind: 'orphan', config: null, tasks: tasks(3) });
      const orphaned: TaskLease[] = [];
      // Leases long enough that none expires while the three are taken, even on a loaded machine
      // (an expired one would be leased again here, using up an attempt of the same task).
      for (let i = 0; i < 3; i++)
        orphaned.push((await queue.lease({ workerId: 'gone', jobId: job.id, leaseMs: 1_000 }))!);
      assert.equal(new Set(orphaned.map((lease) => lease.taskKey)).size, 3);
      const worker = queue.createWorker({ jobId: job.id, handlers: { orphan: async () => {} } });
      await worker.idle;
      await worker.close();
      const ended = await queue.waitForJob(job.id);
      assert.equal(ended.state, 'completed');
      assert.ok(existsSync(HANDLERS));
    });
  });
}
