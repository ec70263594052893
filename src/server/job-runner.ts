import * as api from '../api/index.js';
import { JobOutcomeError, jobKinds, type JobBody } from './job-kinds.js';
import { jobWrites, NamedLocks, Slots } from './job-locks.js';
import { EMPTY_SERVER_CONFIG, type ServerConfig } from './server-config.js';

/** Finished jobs' results kept in memory. */
const RESULTS_KEPT = 1000;
/**
 * Jobs this server runs at once. Two: a long asset update need not hold up a compute run or a
 * merge; more would only share the same two cores. Jobs that write the same thing (see
 * `jobWrites`) still run one after the other.
 */
export const JOB_CONCURRENCY = 2;

/** What a leased job waits for: a job writing the same thing, or one of the JOB_CONCURRENCY slots. */
export type JobWait = 'lock' | 'slot';

/** Progress inside a running task (files read of an asset update), beside the job's task counts. */
export interface TaskProgress {
  readonly done: number;
  readonly total: number;
}

/**
 * The server's long operations, run as jobs on the repository's job queue by one worker inside
 * the server, up to JOB_CONCURRENCY at once. Each kind is one library call; a request only picks
 * the kind, never code to load.
 */
export class ServerJobs {
  private readonly progress = new Map<string, TaskProgress>();
  private readonly listeners = new Map<string, Set<() => void>>();
  /** Running tasks of this server's worker, so a cancel here stops them at once (not at the next heartbeat). */
  private readonly running = new Map<string, AbortController>();
  /**
   * What finished tasks of this server returned (the job queue keeps no task results), newest
   * last, at most RESULTS_KEPT: gone after a restart.
   */
  private readonly results = new Map<string, api.JobRecord['config']>();
  private worker: api.JobWorker | undefined;
  /**
   * Leased jobs that have not started their work: waiting for a job that writes the same thing
   * (`lock`) or for a free run slot (`slot`). The queue calls them running; the API shows them
   * queued, with what they wait for.
   */
  private readonly waiting = new Map<string, JobWait>();
  /** What running jobs write: a job waits (leased, `running`) until no other job writes the same. */
  private readonly locks = new NamedLocks();
  /** Jobs doing their work right now: at most JOB_CONCURRENCY. */
  private readonly slots = new Slots(JOB_CONCURRENCY);

  private constructor(
    readonly queue: api.JobQueue,
    /** The server's own config: the collections a compute job may run. */
    readonly config: ServerConfig,
    private readonly bodies: Readonly<Record<string, JobBody>>,
  ) {}

  /** `bodies` replaces the job kinds (tests that need jobs they can hold and release). */
  static async open(
    repo: api.Repository,
    config: ServerConfig = EMPTY_SERVER_CONFIG,
    bodies: Readonly<Record<string, JobBody>> = jobKinds(repo, config),
  ): Promise<ServerJobs> {
    const queue = await api.openRepositoryJobQueue(repo);
    const jobs = new ServerJobs(queue, config, bodies);
    jobs.start();
    return jobs;
  }

  get kinds(): string[] {
    return Object.keys(this.bodies);
  }

  private start(): void {
    const handlers: Record<string, api.TaskHandler> = {};
    for (const [kind, body] of Object.entries(this.bodies)) {
      handlers[kind] = async ({ lease, signal: leaseSignal }) => {
        const local = new AbortController();
        this.running.set(lease.jobId, local);
        const signal = AbortSignal.any([leaseSignal, local.signal]);
        const config = lease.payload as api.JobRecord['config'];
        let release: (() => void) | undefined;
        let releaseSlot: (() => void) | undefined;
        try {
          // A cancel while waiting gives up the wait: the job never started its work. The worker
          // leases twice as many jobs as may run, so a job waiting for another's writes does not
          // keep a job that writes something else from running.
          this.setWaiting(lease.jobId, 'lock');
          release = await this.locks.acquire(jobWrites(kind, config), signal);
          this.setWaiting(lease.jobId, 'slot');
          releaseSlot = await this.slots.acquire(signal);
          this.setWaiting(lease.jobId, undefined);
          let result: api.JobRecord['config'] | void;
          try {
            result = await body({
              config,
              signal,
              progress: (done, total) => {
                this.progress.set(lease.jobId, { done, total });
                this.notify(lease.jobId);
              },
            });
          } catch (err) {
            if (err instanceof JobOutcomeError) this.keepResult(lease.jobId, err.report);
            throw err;
          }
          this.keepResult(lease.jobId, result ?? null);
          return result;
        } finally {
          this.waiting.delete(lease.jobId);
          releaseSlot?.();
          release?.();
          this.running.delete(lease.jobId);
          this.progress.delete(lease.jobId);
        }
      };
    }
    this.worker = this.queue.createWorker({
      handlers,
      concurrency: 2 * JOB_CONCURRENCY,
      leaseMs: 30_000,
      onError: () => {},
    });
  }

  /** Starts a job of `kind` (one task); the worker picks it up. */
  async startJob(kind: string, config: api.JobRecord['config'] = {}): Promise<api.JobRecord> {
    return this.queue.createJob({
      kind,
      config,
      tasks: [{ key: kind, payload: config }],
      retry: { maxAttempts: 1 },
    });
  }

  /** Cancels the job in the queue, and stops its task at once when this server is running it. */
  async cancel(id: string): Promise<api.JobRecord> {
    const record = await this.queue.cancel(id);
    this.running.get(id)?.abort(new Error(`job ${id} was cancelled`));
    return record;
  }

  private keepResult(id: string, result: unknown): void {
    this.results.delete(id);
    this.results.set(id, JSON.parse(JSON.stringify(result ?? null)) as api.JobRecord['config']);
    for (const old of this.results.keys()) {
      if (this.results.size <= RESULTS_KEPT) break;
      this.results.delete(old);
    }
  }

  /** What the job's task returned, when this server ran it (undefined: unknown or still running). */
  result(id: string): api.JobRecord['config'] | undefined {
    return this.results.get(id);
  }

  /** What a leased job of this server waits for before its work starts; undefined once it runs. */
  waitingFor(id: string): JobWait | undefined {
    return this.waiting.get(id);
  }

  private setWaiting(id: string, wait: JobWait | undefined): void {
    if (this.waiting.get(id) === wait) return;
    if (wait === undefined) this.waiting.delete(id);
    else this.waiting.set(id, wait);
    this.notify(id);
  }

  private notify(id: string): void {
    for (const listener of this.listeners.get(id) ?? []) listener();
  }

  /** The job record with the running task's progress, if any. */
  taskProgress(id: string): TaskProgress | undefined {
    return this.progress.get(id);
  }

  /** Names written by running jobs or by jobs waiting for them (tests, diagnostics). */
  get lockedNames(): string[] {
    return this.locks.busy;
  }

  /**
   * Calls `listener` after each progress report of the job's running task and when it stops
   * waiting (see `waitingFor`); returns the unsubscribe.
   */
  onProgress(id: string, listener: () => void): () => void {
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(id);
    };
  }

  async close(): Promise<void> {
    try {
      await this.worker?.close({ timeoutMs: 5_000 });
    } finally {
      await this.queue.close();
    }
  }
}
