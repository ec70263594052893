import { hostname } from 'node:os';
import { JobEndedError, LeaseLostError, NotFoundError } from '../../errors/index.js';
import { DEFAULT_LEASE_MS, newToken, retryDelayMs, taskError, toNewJob } from '../job-defaults.js';
import { waitForJobEnd, watchJob } from '../job-watch.js';
import { startLeaseWorker } from '../lease-worker.js';
import type {
  CreateJobOptions,
  JobProgressEvent,
  JobQueue,
  JobRecord,
  JobWorker,
  JsonValue,
  LeaseOptions,
  ListJobsOptions,
  SubscribeOptions,
  TaskLease,
  WorkerOptions,
} from '../port.js';
import type { JobStore } from '../store/job-store.js';

/**
 * The embedded `JobQueue`: tasks and job records in the catalog's job tables (`JobStore`), leased
 * by workers on this machine (in this process, or in a pool of worker processes, see
 * `startWorkerProcesses`). No other service needed. Leases are fenced by a token; a worker that
 * stops heartbeating loses its task to the next `lease` once `leaseUntil` has passed.
 */
export class LocalJobQueue implements JobQueue {
  readonly adapter = 'local';

  constructor(
    readonly store: JobStore,
    private readonly options: { readonly ownsStore?: boolean } = {},
  ) {}

  async createJob(options: CreateJobOptions): Promise<JobRecord> {
    const job = toNewJob(options, Date.now());
    await this.store.createJob(job);
    return (await this.store.getJob(job.id))!;
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
    const job = (await this.store.getJob(id))!;
    if (before !== 'queued' && before !== 'running') {
      throw new JobEndedError(`job ${id} has already ended (${before})`, { id, state: before });
    }
    return job;
  }

  async lease(options: LeaseOptions): Promise<TaskLease | undefined> {
    const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    const stored = await this.store.leaseTask({
      worker: { id: options.workerId, host: hostname(), pid: process.pid },
      ...(options.kinds === undefined ? {} : { kinds: options.kinds }),
      ...(options.jobId === undefined ? {} : { jobId: options.jobId }),
      leaseMs,
      token: newToken(),
      nowMs: Date.now(),
    });
    return stored === undefined ? undefined : { ...stored, workerId: options.workerId, leaseMs };
  }

  async heartbeat(lease: TaskLease): Promise<TaskLease> {
    const leaseUntil = Date.now() + lease.leaseMs;
    if (!(await this.store.renewLease(lease.jobId, lease.taskKey, lease.token, leaseUntil)))
      throw lost(lease);
    return { ...lease, leaseUntil };
  }

  async complete(lease: TaskLease, _result?: JsonValue): Promise<void> {
    const ok = await this.store.finishLeased(
      lease.jobId,
      lease.taskKey,
      lease.token,
      { type: 'done' },
      Date.now(),
    );
    if (!ok) throw lost(lease);
  }

  async fail(lease: TaskLease, error: unknown): Promise<'retry' | 'failed'> {
    const job = await this.store.getJob(lease.jobId);
    if (job === undefined) throw lost(lease);
    const nowMs = Date.now();
    const recorded = taskError(error, lease.taskKey, lease.attempt, nowMs);
    const retry = lease.attempt < job.retry.maxAttempts;
    const ok = await this.store.finishLeased(
      lease.jobId,
      lease.taskKey,
      lease.token,
      retry
        ? { type: 'retry', availableMs: nowMs + retryDelayMs(job.retry, lease.attempt), error: recorded }
        : { type: 'failed', error: recorded },
      nowMs,
    );
    if (!ok) throw lost(lease);
    return retry ? 'retry' : 'failed';
  }

  createWorker(options: WorkerOptions): JobWorker {
    return startLeaseWorker(this, options);
  }

  subscribe(id: string, listener: (event: JobProgressEvent) => void, options?: SubscribeOptions): () => void {
    return watchJob((jobId) => this.store.getJob(jobId), id, listener, options);
  }

  waitForJob(id: string, options?: { signal?: AbortSignal; intervalMs?: number }): Promise<JobRecord> {
    return waitForJobEnd((jobId) => this.store.getJob(jobId), id, options);
  }

  async close(): Promise<void> {
    if (this.options.ownsStore ?? true) await this.store.close();
  }
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
