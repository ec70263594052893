import { createPostgresBackend, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { JobEndedError, LeaseLostError, NotFoundError, QueueUnavailableError } from '../../errors/index.js';
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
import type { JobStore, WorkerIdentity } from '../store/job-store.js';
import { OutcomeBatcher } from './outcome-batcher.js';

/**
 * Which BullMQ backend carries the tasks: Redis (`redis://...`, the distributed engine; BullMQ 6
 * needs the optional `ioredis` package for it) or BullMQ's own PostgreSQL backend.
 */
export interface BullmqEngine {
  readonly backend: 'redis' | 'postgres';
  readonly url: string;
}

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

interface TaskData {
  readonly key: string;
  readonly payload: JsonValue;
}

/**
 * BullMQ would fail a task stalled more often than this itself, without telling the catalog; the
 * adapter instead fails a task whose worker died on every attempt (see `attemptOf`). Fits a
 * 32-bit integer (BullMQ's PostgreSQL backend stores it as one).
 */
const MAX_STALLS = 1_000_000;

/** BullMQ job ids may not contain ':' nor be integers: the task key, base64url, with a prefix. */
const taskJobId = (key: string): string => `t${Buffer.from(key).toString('base64url')}`;

/** Where a URL points, without credentials, for messages. */
function describe(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return url;
  }
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

  constructor(private readonly options: BullmqJobQueueOptions) {
    this.batcher = new OutcomeBatcher(options.store);
  }

  get store(): JobStore {
    return this.options.store;
  }

  /** Connection and backend arguments shared by every queue and worker. */
  private connectionArgs(): [
    { connection: never; prefix?: string },
    typeof createPostgresBackend | undefined,
  ] {
    const { engine } = this.options;
    if (engine.backend === 'postgres') {
      // `?schema=` picks BullMQ's namespace in the database (default `bullmq`).
      const url = new URL(engine.url);
      const schema = url.searchParams.get('schema');
      url.searchParams.delete('schema');
      const connection = {
        connectionString: url.toString(),
        migrate: true,
        ...(schema === null ? {} : { schema }),
      };
      return [{ connection: connection as never }, createPostgresBackend];
    }
    return [
      {
        connection: { url: engine.url, maxRetriesPerRequest: null, enableAutoPipelining: true } as never,
        prefix: this.options.prefix ?? 'strata',
      },
      undefined,
    ];
  }

  /** A BullMQ queue on the engine (errors while the engine is away are retried by BullMQ). */
  private makeQueue(name: string): Queue {
    const [opts, factory] = this.connectionArgs();
    const queue = (factory === undefined
      ? new Queue(name, opts)
      : new Queue(name, opts, factory)) as unknown as Queue;
    queue.on('error', () => {});
    return queue;
  }

  private makeWorker(
    name: string,
    processor: ConstructorParameters<typeof Worker>[1],
    extra: Record<string, unknown>,
  ): Worker {
    const [opts, factory] = this.connectionArgs();
    const all = { ...opts, ...extra };
    const worker = (factory === undefined
      ? new Worker(name, processor, all)
      : new Worker(name, processor, all, factory)) as unknown as Worker;
    worker.on('error', () => {});
    return worker;
  }

  private queueName(jobId: string): string {
    return `strata-job-${jobId}`;
  }

  queueOf(jobId: string): Queue {
    let queue = this.queues.get(jobId);
    if (queue === undefined) {
      queue = this.makeQueue(this.queueName(jobId));
      this.queues.set(jobId, queue);
    }
    return queue;
  }

  /** Checks that the engine answers; `QueueUnavailableError` otherwise. */
  async checkReachable(): Promise<void> {
    const probe = this.makeQueue('strata-probe');
    const timeoutMs = this.options.connectTimeoutMs ?? 5_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        probe.getJobCounts('wait'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (err) {
      const where = describe(this.options.engine.url);
      throw new QueueUnavailableError(
        `the job queue at ${where} cannot be reached (${(err as Error).message})`,
        {
          url: where,
        },
      );
    } finally {
      clearTimeout(timer);
      void probe.close().catch(() => {});
    }
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
        stalledInterval: Math.max(50, Math.min(leaseMs, 30_000)),
        maxStalledCount: MAX_STALLS,
      };
      worker = this.makeWorker(this.queueName(jobId), null, workerOptions);
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
      stalledInterval: Math.max(50, Math.min(options.leaseMs, 30_000)),
      maxStalledCount: MAX_STALLS,
      drainDelay: 1,
    };
    return this.makeWorker(this.queueName(jobId), processor as never, workerOptions);
  }

  /** Records an outcome of a native worker (batched; resolves once written). */
  recordOutcome(...args: Parameters<OutcomeBatcher['record']>): Promise<void> {
    return this.batcher.record(...args);
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

/** 1 for the first attempt; a stalled (lost) run counts as an attempt too. */
function attemptOf(job: Job): number {
  const started = (job as { attemptsStarted?: number }).attemptsStarted ?? 0;
  return Math.max(started, job.attemptsMade + 1);
}

function lost(lease: TaskLease): LeaseLostError {
  return new LeaseLostError(
    `task ${lease.taskKey} of job ${lease.jobId} is no longer leased by this worker`,
    {
      jobId: lease.jobId,
      taskKey: lease.taskKey,
    },
  );
}

/**
 * `createWorker` of the BullMQ adapter: watches the catalog for jobs of the handled kinds (or the
 * one joined) and runs a native BullMQ worker on each job's queue (BullMQ renews locks and recovers
 * stalled tasks). Every poll it also aborts handlers of jobs that ended (cancelled) and rebuilds
 * queues the engine lost.
 */
function startBullmqWorker(queue: BullmqJobQueue, options: WorkerOptions): JobWorker {
  const identity = workerIdentity(options.workerId);
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const kinds = Object.keys(options.handlers);
  const running = new Map<string, { worker: Worker; aborts: Set<AbortController>; config: JsonValue }>();
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
      const abort = new AbortController();
      entry.aborts.add(abort);
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
      try {
        let result: JsonValue | void;
        try {
          result = await options.handlers[kind]!({ lease, config: entry.config, signal: abort.signal });
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
      } finally {
        entry.aborts.delete(abort);
      }
    };

  async function stopJob(jobId: string): Promise<void> {
    const entry = running.get(jobId);
    if (entry === undefined) return;
    running.delete(jobId);
    for (const abort of entry.aborts) abort.abort(new Error('job ended'));
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
      running.set(job.id, { worker, aborts: new Set(), config: record.config });
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

/** Opens the BullMQ job queue; `QueueUnavailableError` when its engine does not answer. */
export async function openBullmqJobQueue(options: BullmqJobQueueOptions): Promise<BullmqJobQueue> {
  const queue = new BullmqJobQueue(options);
  await queue.checkReachable();
  return queue;
}
