/**
 * The `JobQueue` port: large work split into tasks that any number of workers, on this machine or
 * many, lease and run. Two adapters implement it: `local` (tasks in the catalog, the embedded
 * default) and `bullmq` (tasks in Redis through BullMQ). In both, the job record lives in the
 * catalog, so `strata job list|show` works from any machine that reaches the catalog.
 *
 * Delivery is at least once: a task whose worker dies (no heartbeat within the lease) is leased
 * again, and a failed task is retried with backoff up to `maxAttempts`. Task handlers must therefore
 * make their effects idempotent (e.g. write content-addressed objects, upsert rows by task key).
 *
 * @example
 * ```ts
 * const job = await queue.createJob({ kind: 'ingest', config, tasks: slabs.map(toTask) });
 * const worker = queue.createWorker({ handlers: { ingest: runSlab }, concurrency: 1 });
 * const done = await queue.waitForJob(job.id); // state 'completed', 'failed', ...
 * await worker.close();
 * ```
 */

/** A JSON value: job configs, task payloads and results cross processes and Redis as JSON. */
export type JsonValue =
  string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * Life of a job. `queued` until a worker leases its first task, then `running`; it ends in one of
 * the terminal states: `completed` (every task done), `failed` (a task failed after its retries),
 * `completed_with_errors` (some tasks failed and the job allowed it), `cancelled`.
 */
export type JobState = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'completed_with_errors';

/** Terminal job states: the job never changes again. */
export const TERMINAL_JOB_STATES: readonly JobState[] = [
  'completed',
  'failed',
  'cancelled',
  'completed_with_errors',
];

/** True when a job in `state` has ended. */
export function isTerminalJobState(state: JobState): boolean {
  return TERMINAL_JOB_STATES.includes(state);
}

/**
 * Life of one task: `queued` (waiting, possibly delayed by a retry backoff), `leased` (a worker
 * holds it until `leaseUntil`), then `done`, `failed` (out of attempts) or `cancelled`.
 */
export type TaskState = 'queued' | 'leased' | 'done' | 'failed' | 'cancelled';

/** Task counts of a job. `total - done - failed` tasks are still to run (unless cancelled). */
export interface JobCounts {
  readonly total: number;
  readonly done: number;
  readonly failed: number;
}

/** A worker that joined a job (leased at least one of its tasks). */
export interface JobWorkerInfo {
  /** Stable id of the worker (one per `JobWorker`, e.g. `host:pid:n`). */
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  /** ISO time of its first lease in this job. */
  readonly joinedAt: string;
  /** ISO time of its last lease, heartbeat or completion in this job. */
  readonly lastSeenAt: string;
}

/** A task that failed for good (after all its attempts), as kept in the job record. */
export interface JobTaskError {
  /** The task's key (unique within the job), e.g. `z=0:16`. */
  readonly taskKey: string;
  /** The error's stable code, when it was a StrataError (`E_...`); `undefined` otherwise. */
  readonly code?: string;
  readonly message: string;
  /** Attempts made, the last one included. */
  readonly attempts: number;
  /** ISO time of the last failure. */
  readonly at: string;
}

/** Retry policy of a job's tasks. */
export interface RetryPolicy {
  /** Attempts per task, the first one included (>= 1). Default 3. */
  readonly maxAttempts: number;
  /** Delay before attempt n+1 is `delayMs` (fixed) or `delayMs * 2^(n-1)` (exponential). */
  readonly backoff: { readonly type: 'fixed' | 'exponential'; readonly delayMs: number };
}

/** The job record, stored in the catalog (shared by every machine that reaches it). */
export interface JobRecord {
  /** Unique id, printed by `create` and used by `join`, `show`, `cancel`. */
  readonly id: string;
  /** Which handler runs its tasks (e.g. `ingest`, `assets.update`). */
  readonly kind: string;
  /** The job's configuration as given to `createJob` (validated by its creator). */
  readonly config: JsonValue;
  readonly state: JobState;
  readonly counts: JobCounts;
  readonly retry: RetryPolicy;
  /** When true, tasks that fail for good end the job `completed_with_errors`, not `failed`. */
  readonly allowErrors: boolean;
  /** Workers that joined, in the order they joined. */
  readonly workers: readonly JobWorkerInfo[];
  /** Tasks that failed for good (all of them, in the order they failed). */
  readonly errors: readonly JobTaskError[];
  /** ISO times. */
  readonly createdAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly updatedAt: string;
}

/** One task to enqueue. */
export interface TaskSpec {
  /** Unique within the job; names the task in errors and makes enqueueing idempotent. */
  readonly key: string;
  /** Handler input. Keep it small: large data goes to the object store, referenced by hash. */
  readonly payload: JsonValue;
}

/** Options of `createJob`. */
export interface CreateJobOptions {
  readonly kind: string;
  readonly config: JsonValue;
  /** Every task of the job; a job with no task completes at once. Keys must be unique. */
  readonly tasks: readonly TaskSpec[];
  /** Default `{ maxAttempts: 3, backoff: { type: 'exponential', delayMs: 1000 } }`. */
  readonly retry?: Partial<RetryPolicy>;
  /** Default false: a job with a task that failed for good ends `failed` (after all tasks ran). */
  readonly allowErrors?: boolean;
  /** Explicit id (tests); default a fresh random id. */
  readonly id?: string;
}

/** Filter of `listJobs`, newest first. */
export interface ListJobsOptions {
  readonly states?: readonly JobState[];
  readonly kind?: string;
  /** Default 100. */
  readonly limit?: number;
}

/**
 * A task held by one worker until `leaseUntil`. The holder must `heartbeat` before then, and end
 * it with `complete` or `fail`. Once the lease is lost (expired and leased again, or the job was
 * cancelled), those calls throw `LeaseLostError` and the holder must stop without side effects
 * beyond idempotent ones.
 */
export interface TaskLease {
  readonly jobId: string;
  readonly kind: string;
  readonly taskKey: string;
  readonly payload: JsonValue;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** The worker id given to `lease`. */
  readonly workerId: string;
  /** Opaque proof of holding (a fencing token); a stale holder's calls are refused. */
  readonly token: string;
  /** Epoch ms after which the task may be leased by another worker. */
  readonly leaseUntil: number;
  /** Lease length in ms: each heartbeat extends `leaseUntil` to now + `leaseMs`. */
  readonly leaseMs: number;
}

/** Options of `lease`. */
export interface LeaseOptions {
  readonly workerId: string;
  /** Only tasks of these job kinds (default any). */
  readonly kinds?: readonly string[];
  /** Only tasks of this job (e.g. `ingest join ID`); default any job. */
  readonly jobId?: string;
  /** Lease length in ms; default 30 000. */
  readonly leaseMs?: number;
}

/** What a handler receives for one task. */
export interface TaskContext {
  readonly lease: TaskLease;
  /** The job's config (as in the job record). */
  readonly config: JsonValue;
  /** Aborted when the job is cancelled or the lease is lost: stop promptly. */
  readonly signal: AbortSignal;
}

/** Runs one task. Throwing fails the attempt (retried per the job's policy). */
export type TaskHandler = (context: TaskContext) => Promise<JsonValue | void>;

/** Options of `createWorker`. */
export interface WorkerOptions {
  /** One handler per job kind; the worker leases only tasks of these kinds. */
  readonly handlers: Readonly<Record<string, TaskHandler>>;
  /** Tasks run at once by this worker; default 1. */
  readonly concurrency?: number;
  /** Work only on this job (join by id); default every job of the handled kinds. */
  readonly jobId?: string;
  /** Lease length in ms (heartbeats every third of it); default 30 000. */
  readonly leaseMs?: number;
  /** Stable id for the job record's `workers` (default `host:pid:random`). */
  readonly workerId?: string;
  /** Called when a handler or the queue fails in a way the worker recovers from (logging). */
  readonly onError?: (error: unknown) => void;
}

/** A running worker: leases tasks, runs their handlers, heartbeats, completes or fails them. */
export interface JobWorker {
  readonly id: string;
  /** Resolves when the worker has no task in hand and no job to work on with `jobId` (joined job ended). */
  readonly idle: Promise<void>;
  /** Stops leasing, waits for tasks in hand to finish (or aborts them after `timeoutMs`). */
  close(options?: { timeoutMs?: number }): Promise<void>;
}

/** A progress event: the job record after a change of state or counts. */
export interface JobProgressEvent {
  readonly job: JobRecord;
}

/** Options of `subscribe`. */
export interface SubscribeOptions {
  /** How often the catalog is read for changes; default 500 ms. */
  readonly intervalMs?: number;
}

/**
 * The port. Methods are safe to call from many processes at once; the catalog (and Redis for the
 * bullmq adapter) arbitrates.
 */
export interface JobQueue {
  /** Which adapter this is (`local`, `bullmq`), for `strata job show` and logs. */
  readonly adapter: string;

  /** Creates the job record and enqueues all its tasks atomically. */
  createJob(options: CreateJobOptions): Promise<JobRecord>;
  /** The job record, or `undefined` when there is no job with that id. */
  getJob(id: string): Promise<JobRecord | undefined>;
  /** Job records, newest first. */
  listJobs(options?: ListJobsOptions): Promise<readonly JobRecord[]>;
  /**
   * Cancels a job: queued tasks are removed, leased ones lose their lease (handlers see `signal`
   * aborted). Cancelling an ended job throws `JobEndedError`; an unknown id `NotFoundError`.
   */
  cancel(id: string): Promise<JobRecord>;

  /** Leases the next runnable task, or `undefined` when none is runnable now. */
  lease(options: LeaseOptions): Promise<TaskLease | undefined>;
  /** Extends the lease by its length; throws `LeaseLostError` when it is no longer held. */
  heartbeat(lease: TaskLease): Promise<TaskLease>;
  /** Marks the task done (counts `done`); throws `LeaseLostError` when it is no longer held. */
  complete(lease: TaskLease, result?: JsonValue): Promise<void>;
  /**
   * Records a failed attempt. Returns `retry` (queued again after the backoff) or `failed` (out of
   * attempts; counts `failed`). The other tasks still run; once all have ended, the job ends
   * `failed` with the list of errors, or `completed_with_errors` when the job allows errors.
   */
  fail(lease: TaskLease, error: unknown): Promise<'retry' | 'failed'>;

  /** Starts a worker in this process that runs a handler per job kind. */
  createWorker(options: WorkerOptions): JobWorker;

  /**
   * Calls `listener` with the job record each time its state or counts change (and once at once).
   * Stops after a terminal state or when the returned function is called.
   */
  subscribe(id: string, listener: (event: JobProgressEvent) => void, options?: SubscribeOptions): () => void;
  /** Resolves with the job record once the job has ended. */
  waitForJob(id: string, options?: { signal?: AbortSignal; intervalMs?: number }): Promise<JobRecord>;

  /** Releases connections; workers created by this queue must be closed first. */
  close(): Promise<void>;
}
