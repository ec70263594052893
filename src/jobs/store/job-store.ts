import type {
  JobRecord,
  JobState,
  JobTaskError,
  JsonValue,
  ListJobsOptions,
  RetryPolicy,
  TaskSpec,
} from '../port.js';

/** A new job as `JobStore.createJob` writes it (state `queued`, counts zero). */
export interface NewJob {
  readonly id: string;
  readonly kind: string;
  readonly config: JsonValue;
  readonly retry: RetryPolicy;
  readonly allowErrors: boolean;
  readonly tasks: readonly TaskSpec[];
  readonly nowMs: number;
}

/** Who is working, recorded in the job's `workers` on a lease or an outcome. */
export interface WorkerIdentity {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
}

/** A lease as the store hands it out (the adapter adds the port's fields). */
export interface StoredLease {
  readonly jobId: string;
  readonly kind: string;
  readonly taskKey: string;
  readonly payload: JsonValue;
  readonly attempt: number;
  readonly token: string;
  readonly leaseUntil: number;
}

/** The end of one attempt, fenced by the lease's token (local adapter). */
export type LeasedOutcome =
  | { readonly type: 'done' }
  | { readonly type: 'retry'; readonly availableMs: number; readonly error: JobTaskError }
  | { readonly type: 'failed'; readonly error: JobTaskError };

/**
 * The end of a task reported by an engine that fences leases itself (BullMQ): applied at most once
 * per task, whatever the number of reports (at-least-once delivery reports twice at times).
 */
export interface TaskOutcome {
  readonly jobId: string;
  readonly taskKey: string;
  readonly worker: WorkerIdentity;
  readonly outcome: { readonly type: 'done' } | { readonly type: 'failed'; readonly error: JobTaskError };
}

/**
 * The catalog side of the jobs layer: job records, their tasks, who joined and what failed. Both
 * adapters keep job records here; the local adapter also leases tasks from here, the BullMQ adapter
 * only records outcomes (in batches) and rebuilds Redis from here after a restart.
 */
export interface JobStore {
  /** Where the tables live, without a password (what worker processes reopen). */
  readonly location: string;

  /** Writes the job and all its tasks in one transaction; `AlreadyExistsError` for a used id. */
  createJob(job: NewJob): Promise<void>;
  getJob(id: string): Promise<JobRecord | undefined>;
  listJobs(options: ListJobsOptions): Promise<readonly JobRecord[]>;
  /** Ends a running or queued job as cancelled (its unfinished tasks too); returns the state found before. */
  cancelJob(id: string, nowMs: number): Promise<JobState | undefined>;
  /** States of some jobs at once (workers check for cancellation); unknown ids are absent. */
  jobStates(ids: readonly string[]): Promise<Map<string, JobState>>;
  /** Jobs not yet ended, of these kinds (any when omitted), oldest first. */
  activeJobs(kinds?: readonly string[]): Promise<readonly { id: string; kind: string }[]>;

  /**
   * Leases the next runnable task (queued and due, or leased with an expired lease) of a job not
   * ended. An expired lease of a task out of attempts fails that task (its worker died each time).
   */
  leaseTask(request: {
    readonly worker: WorkerIdentity;
    readonly kinds?: readonly string[];
    readonly jobId?: string;
    readonly leaseMs: number;
    readonly token: string;
    readonly nowMs: number;
  }): Promise<StoredLease | undefined>;
  /** Extends a held lease; false when it is no longer held. */
  renewLease(jobId: string, taskKey: string, token: string, untilMs: number): Promise<boolean>;
  /** Ends a held attempt; false (and nothing changes) when the lease is no longer held. */
  finishLeased(
    jobId: string,
    taskKey: string,
    token: string,
    outcome: LeasedOutcome,
    nowMs: number,
  ): Promise<boolean>;

  /** Applies outcomes in one transaction; a task already ended is left alone (idempotent). */
  recordOutcomes(outcomes: readonly TaskOutcome[], nowMs: number): Promise<void>;
  /** Records workers joining (or still working on) jobs and marks those jobs running. */
  noteWorkers(joins: readonly { jobId: string; worker: WorkerIdentity }[], nowMs: number): Promise<void>;
  /** Tasks of a job that have not ended (to rebuild an engine's queue), in enqueue order. */
  unfinishedTasks(jobId: string): Promise<readonly TaskSpec[]>;

  close(): Promise<void>;
}
