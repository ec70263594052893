import { UnrecoverableError, type Job, type Queue, type Worker } from 'bullmq';
import { JobEndedError, NotFoundError } from '../../errors/index.js';
import { DEFAULT_LEASE_MS, newToken, taskError, toNewJob, workerIdentity } from '../job-defaults.js';
import { waitForJobEnd, watchJob } from '../job-watch.js';
import {
  isTerminalJobState,
  type CreateJobOptions,
  type JobProgressEvent,
  type JobQueue,
  type JobRecord,
  type JobWorker,
  type JsonValue,
  type LeaseOptions,
  type ListJobsOptions,
  type RetryPolicy,
  type SubscribeOptions,
  type TaskLease,
  type TaskSpec,
  type WorkerOptions,
} from '../port.js';
import type { JobStore, TaskOutcome, WorkerIdentity } from '../store/job-store.js';
import { BullmqConnection, type BullmqEngine } from './bullmq-connection.js';
import {
  attemptOf,
  lost,
  MAX_STALLS,
  queueName,
  stalledIntervalMs,
  taskJobId,
  type TaskData,
} from './bullmq-task.js';
import { startBullmqWorker } from './bullmq-worker.js';
import { OutcomeBatcher } from './outcome-batcher.js';

export type { BullmqEngine } from './bullmq-connection.js';

/** Options of `openBullmqJobQueue`. */
export interface BullmqJobQueueOptions {
  readonly store: JobStore;
  readonly engine: BullmqEngine;
  /** Namespace of this repository's queues (default `strata`). */
  readonly prefix?: string;
  /** How long to wait for the engine at open before `QueueUnavailableError` (default 5 s). */
  readonly connectTimeoutMs?: number;
  /** How often workers look for jobs, cancellations and lost queues (default 250 ms). */
  readonly pollMs?: number;
}

/**
 * The distributed `JobQueue`: one BullMQ queue per Strata job carries its tasks (BullMQ does the
 * leasing, lock renewal, stalled-task recovery and retries with backoff); the job record, task
 * states, workers and errors stay in the catalog's job tables, written in batches. After the
 * engine lost its data (Redis restarted without persistence), workers re-add the job's unfinished
 * tasks from the catalog. A task may run more than once: handlers must be idempotent.
 */
export class BullmqJobQueue implements JobQueue {
  readonly adapter = 'bullmq';
  private readonly queues = new Map<string, Queue>();
  private readonly manual = new Map<string, Worker>();
  private readonly held = new Map<string, { job: Job; lease: TaskLease }>();
  private readonly batcher: OutcomeBatcher;
  private readonly joined = new Set<string>();
  private readonly identity = workerIdentity();

  private readonly connection: BullmqConnection;

  constructor(private readonly options: BullmqJobQueueOptions) {
    this.batcher = new OutcomeBatcher(options.store);
    this.connection = new BullmqConnection(options.engine, options.prefix);
  }

  get store(): JobStore {
    return this.options.store;
  }

  queueOf(jobId: string): Queue {
    let queue = this.queues.get(jobId);
    if (queue === undefined) {
      queue = this.connection.queue(queueName(jobId));
      this.queues.set(jobId, queue);
    }
    return queue;
  }

  /** Checks that the engine answers; `QueueUnavailableError` otherwise. */
  checkReachable(): Promise<void> {
    return this.connection.checkReachable(this.options.connectTimeoutMs ?? 5_000);
  }

  private async seed(
    jobId: string,
    kind: string,
    retry: RetryPolicy,
    tasks: readonly TaskSpec[],
  ): Promise<void> {
    const queue = this.queueOf(jobId);
    const opts = {
      attempts: retry.maxAttempts,
      backoff: { type: retry.backoff.type, delay: retry.backoff.delayMs },
      removeOnComplete: true,
      removeOnFail: true,
    };
    for (let i = 0; i < tasks.length; i += 1000) {
      await queue.addBulk(
        tasks.slice(i, i + 1000).map((task) => ({
          name: kind,
          data: { key: task.key, payload: task.payload } satisfies TaskData,
          opts: { ...opts, jobId: taskJobId(task.key) },
        })),
      );
    }
  }

  async createJob(options: CreateJobOptions): Promise<JobRecord> {
    const job = toNewJob(options, Date.now());
    await this.store.createJob(job);
    await this.seed(job.id, job.kind, job.retry, job.tasks);
    return (await this.store.getJob(job.id))!;
  }

  /**
   * Re-adds a running job's unfinished tasks when its queue holds none (the engine lost them):
   * the catalog is the record of what is left. Tasks still queued are not duplicated (same ids).
   */
  async rebuildIfLost(jobId: string): Promise<number> {
    const record = await this.store.getJob(jobId);
    if (record === undefined || isTerminalJobState(record.state)) return 0;
    const counts = await this.queueOf(jobId).getJobCounts(
      'wait',
      'active',
      'delayed',
      'prioritized',
      'waiting-children',
    );
    if (Object.values(counts).some((n) => n > 0)) return 0;
    const unfinished = await this.store.unfinishedTasks(jobId);
    if (unfinished.length > 0) await this.seed(jobId, record.kind, record.retry, unfinished);
    return unfinished.length;
  }

  getJob(id: string): Promise<JobRecord | undefined> {
    return this.store.getJob(id);
  }

  listJobs(options: ListJobsOptions = {}): Promise<readonly JobRecord[]> {
    return this.store.listJobs(options);
  }

  async cancel(id: string): Promise<JobRecord> {
    const before = await this.store.cancelJob(id, Date.now());
    if (before === undefined) throw new NotFoundError(`no job ${id}`, { what: 'job', id });
    if (before !== 'queued' && before !== 'running') {
      throw new JobEndedError(`job ${id} has already ended (${before})`, { id, state: before });
    }
    // The catalog says cancelled: workers stop on it. Purging the queue frees the engine.
    await this.queueOf(id)
      .obliterate({ force: true })
      .catch(() => {});
    return (await this.store.getJob(id))!;
  }

  private manualWorker(jobId: string, leaseMs: number): Worker {
    const key = `${jobId}/${leaseMs}`;
    let worker = this.manual.get(key);
    if (worker === undefined) {
      const workerOptions = {
        autorun: false,
        lockDuration: leaseMs,
        stalledInterval: stalledIntervalMs(leaseMs),
        maxStalledCount: MAX_STALLS,
      };
      worker = this.connection.worker(queueName(jobId), null, workerOptions);
      void worker.startStalledCheckTimer().catch(() => {});
      this.manual.set(key, worker);
    }
    return worker;
  }

  async lease(options: LeaseOptions): Promise<TaskLease | undefined> {
    const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    const jobs = (await this.store.activeJobs(options.kinds)).filter(
      (job) => options.jobId === undefined || job.id === options.jobId,
    );
    for (const job of jobs) {
      const token = newToken();
      const found = (await this.manualWorker(job.id, leaseMs).getNextJob(token, { block: false })) as
        Job<TaskData> | undefined;
      if (found === undefined || found === null) continue;
      await this.store.noteWorkers(
        [{ jobId: job.id, worker: { ...this.identity, id: options.workerId } }],
        Date.now(),
      );
      const lease: TaskLease = {
        jobId: job.id,
        kind: job.kind,
        taskKey: found.data.key,
        payload: found.data.payload,
        attempt: attemptOf(found),
        workerId: options.workerId,
        token,
        leaseUntil: Date.now() + leaseMs,
        leaseMs,
      };
      this.held.set(token, { job: found, lease });
      return lease;
    }
    return undefined;
  }

  private holding(lease: TaskLease): Job {
    const entry = this.held.get(lease.token);
    if (entry === undefined) throw lost(lease);
    return entry.job;
  }

  async heartbeat(lease: TaskLease): Promise<TaskLease> {
    const job = this.holding(lease);
    const extended = await job.extendLock(lease.token, lease.leaseMs).catch(() => 0);
    if (!extended) {
      this.held.delete(lease.token);
      throw lost(lease);
    }
    return { ...lease, leaseUntil: Date.now() + lease.leaseMs };
  }

  async complete(lease: TaskLease, result?: JsonValue): Promise<void> {
    const job = this.holding(lease);
    this.held.delete(lease.token);
    try {
      await job.moveToCompleted(result ?? null, lease.token, false);
    } catch {
      throw lost(lease);
    }
    await this.batcher.record({
      jobId: lease.jobId,
      taskKey: lease.taskKey,
      worker: { ...this.identity, id: lease.workerId },
      outcome: { type: 'done' },
    });
  }

  async fail(lease: TaskLease, error: unknown): Promise<'retry' | 'failed'> {
    const job = this.holding(lease);
    this.held.delete(lease.token);
    const record = await this.store.getJob(lease.jobId);
    const maxAttempts = record?.retry.maxAttempts ?? 1;
    const final = lease.attempt >= maxAttempts;
    if (final) {
      await this.batcher.record({
        jobId: lease.jobId,
        taskKey: lease.taskKey,
        worker: { ...this.identity, id: lease.workerId },
        outcome: { type: 'failed', error: taskError(error, lease.taskKey, lease.attempt, Date.now()) },
      });
    }
    const asError = error instanceof Error ? error : new Error(String(error));
    try {
      await job.moveToFailed(final ? new UnrecoverableError(asError.message) : asError, lease.token, false);
    } catch {
      throw lost(lease);
    }
    return final ? 'failed' : 'retry';
  }

  createWorker(options: WorkerOptions): JobWorker {
    return startBullmqWorker(this, options);
  }

  /** A native BullMQ worker on one job's queue (used by `createWorker`). */
  nativeWorker(
    jobId: string,
    processor: (job: Job<TaskData>, token?: string) => Promise<JsonValue>,
    options: { concurrency: number; leaseMs: number },
  ): Worker {
    const workerOptions = {
      concurrency: options.concurrency,
      lockDuration: options.leaseMs,
      stalledInterval: stalledIntervalMs(options.leaseMs),
      maxStalledCount: MAX_STALLS,
      drainDelay: 1,
    };
    return this.connection.worker(queueName(jobId), processor as never, workerOptions);
  }

  /** Records an outcome of a native worker (batched; resolves once written). */
  recordOutcome(outcome: TaskOutcome): Promise<void> {
    return this.batcher.record(outcome);
  }

  /** Marks a worker as joined to a job (once per worker and job). */
  async join(jobId: string, worker: WorkerIdentity): Promise<void> {
    const key = `${jobId}\0${worker.id}`;
    if (this.joined.has(key)) return;
    await this.store.noteWorkers([{ jobId, worker }], Date.now());
    this.joined.add(key);
  }

  subscribe(id: string, listener: (event: JobProgressEvent) => void, options?: SubscribeOptions): () => void {
    return watchJob((jobId) => this.store.getJob(jobId), id, listener, options);
  }

  waitForJob(id: string, options?: { signal?: AbortSignal; intervalMs?: number }): Promise<JobRecord> {
    return waitForJobEnd((jobId) => this.store.getJob(jobId), id, options);
  }

  get pollMs(): number {
    return this.options.pollMs ?? 250;
  }

  async close(): Promise<void> {
    await this.batcher.drain();
    await Promise.all([...this.manual.values()].map((worker) => worker.close(true).catch(() => {})));
    await Promise.all([...this.queues.values()].map((queue) => queue.close().catch(() => {})));
    this.manual.clear();
    this.queues.clear();
    await this.store.close();
  }
}

/** Opens the BullMQ job queue; `QueueUnavailableError` when its engine does not answer. */
export async function openBullmqJobQueue(options: BullmqJobQueueOptions): Promise<BullmqJobQueue> {
  const queue = new BullmqJobQueue(options);
  await queue.checkReachable();
  return queue;
}
