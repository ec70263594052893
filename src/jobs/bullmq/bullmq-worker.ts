import { UnrecoverableError, type Job, type Worker } from 'bullmq';
import { LeaseLostError } from '../../errors/index.js';
import { DEFAULT_LEASE_MS, taskError, workerIdentity } from '../job-defaults.js';
import {
  isTerminalJobState,
  type JobRecord,
  type JobWorker,
  type JsonValue,
  type TaskLease,
  type WorkerOptions,
} from '../port.js';
import type { JobStore, TaskOutcome, WorkerIdentity } from '../store/job-store.js';
import { attemptOf, type TaskData } from './bullmq-task.js';

/** What a worker needs of the BullMQ job queue (`BullmqJobQueue`). */
export interface BullmqWorkerHost {
  readonly store: JobStore;
  readonly pollMs: number;
  getJob(id: string): Promise<JobRecord | undefined>;
  rebuildIfLost(jobId: string): Promise<number>;
  nativeWorker(
    jobId: string,
    processor: (job: Job<TaskData>, token?: string) => Promise<JsonValue>,
    options: { concurrency: number; leaseMs: number },
  ): Worker;
  recordOutcome(outcome: TaskOutcome): Promise<void>;
  join(jobId: string, worker: WorkerIdentity): Promise<void>;
}

/**
 * `createWorker` of the BullMQ adapter: watches the catalog for jobs of the handled kinds (or the
 * one joined) and runs a native BullMQ worker on each job's queue (BullMQ renews locks and recovers
 * stalled tasks). Every poll it also aborts handlers of jobs that ended (cancelled) and rebuilds
 * queues the engine lost.
 */
export function startBullmqWorker(queue: BullmqWorkerHost, options: WorkerOptions): JobWorker {
  const identity = workerIdentity(options.workerId);
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const kinds = Object.keys(options.handlers);
  // One abort per job, not per task: handlers stop when their job ends (a lost lock is BullMQ's to
  // detect), and an AbortController per tiny task was a measurable share of the adapter's cost.
  const running = new Map<string, { worker: Worker; abort: AbortController; config: JsonValue }>();
  let stopped = false;
  let resolveIdle!: () => void;
  const idle = new Promise<void>((resolve) => (resolveIdle = resolve));
  const report = (err: unknown): void => options.onError?.(err);

  const processorFor =
    (jobId: string, kind: string, maxAttempts: number) =>
    async (job: Job<TaskData>, token?: string): Promise<JsonValue> => {
      const entry = running.get(jobId);
      if (entry === undefined) throw new Error('worker stopped');
      const attempt = attemptOf(job);
      const taskKey = job.data.key;
      if (attempt > maxAttempts) {
        // Its worker died on every attempt (stalled each time): the task fails for good.
        const error = new LeaseLostError(
          `the worker running task ${taskKey} stopped on each of ${maxAttempts} attempts`,
        );
        await queue.recordOutcome({
          jobId,
          taskKey,
          worker: identity,
          outcome: { type: 'failed', error: taskError(error, taskKey, attempt - 1, Date.now()) },
        });
        throw new UnrecoverableError(error.message);
      }
      await queue.join(jobId, identity);
      const lease: TaskLease = {
        jobId,
        kind,
        taskKey,
        payload: job.data.payload,
        attempt,
        workerId: identity.id,
        token: token ?? '',
        leaseUntil: Date.now() + leaseMs,
        leaseMs,
      };
      let result: JsonValue | void;
      try {
        result = await options.handlers[kind]!({ lease, config: entry.config, signal: entry.abort.signal });
      } catch (err) {
        if (attempt >= maxAttempts) {
          await queue.recordOutcome({
            jobId,
            taskKey,
            worker: identity,
            outcome: { type: 'failed', error: taskError(err, taskKey, attempt, Date.now()) },
          });
          throw new UnrecoverableError(err instanceof Error ? err.message : String(err));
        }
        throw err;
      }
      await queue.recordOutcome({ jobId, taskKey, worker: identity, outcome: { type: 'done' } });
      return result ?? null;
    };

  async function stopJob(jobId: string): Promise<void> {
    const entry = running.get(jobId);
    if (entry === undefined) return;
    running.delete(jobId);
    entry.abort.abort(new Error('job ended'));
    await entry.worker.close(true).catch(report);
  }

  async function tick(): Promise<void> {
    const active = (await queue.store.activeJobs(kinds)).filter(
      (job) => options.jobId === undefined || job.id === options.jobId,
    );
    const activeIds = new Set(active.map((job) => job.id));
    for (const jobId of [...running.keys()]) if (!activeIds.has(jobId)) await stopJob(jobId);
    for (const job of active) {
      if (running.has(job.id)) continue;
      const record = await queue.getJob(job.id);
      if (record === undefined || isTerminalJobState(record.state)) continue;
      await queue.rebuildIfLost(job.id);
      const worker = queue.nativeWorker(job.id, processorFor(job.id, job.kind, record.retry.maxAttempts), {
        concurrency,
        leaseMs,
      });
      running.set(job.id, { worker, abort: new AbortController(), config: record.config });
    }
    if (options.jobId !== undefined && !activeIds.has(options.jobId)) {
      const record = await queue.getJob(options.jobId);
      if (record === undefined || isTerminalJobState(record.state)) stopped = true;
    }
  }

  let lastRebuild = Date.now();
  const loop = (async () => {
    while (!stopped) {
      try {
        await tick();
        // Now and then, a running job whose queue is empty but whose catalog says tasks remain
        // lost them (engine restarted without its data): add them again.
        if (Date.now() - lastRebuild > Math.max(2_000, leaseMs)) {
          lastRebuild = Date.now();
          for (const jobId of running.keys()) await queue.rebuildIfLost(jobId).catch(report);
        }
      } catch (err) {
        report(err);
      }
      if (!stopped) await new Promise((resolve) => setTimeout(resolve, queue.pollMs));
    }
    for (const jobId of [...running.keys()]) await stopJob(jobId);
    resolveIdle();
  })();

  return {
    id: identity.id,
    idle,
    async close() {
      stopped = true;
      await loop;
    },
  };
}
