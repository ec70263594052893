import * as api from '../api/index.js';

/** Progress inside a running task (files read of an asset update), beside the job's task counts. */
export interface TaskProgress {
  readonly done: number;
  readonly total: number;
}

/** What one kind of job runs: a library call, told to stop when `signal` aborts. */
type JobBody = (context: {
  signal: AbortSignal;
  progress: (done: number, total: number) => void;
}) => Promise<api.JobRecord['config'] | void>;

/**
 * The server's long operations, run as jobs on the repository's job queue by one worker inside
 * the server. Each kind is one library call; a request only picks the kind, never code to load.
 */
export class ServerJobs {
  private readonly progress = new Map<string, TaskProgress>();
  private readonly listeners = new Map<string, Set<() => void>>();
  /** Running tasks of this server's worker, so a cancel here stops them at once (not at the next heartbeat). */
  private readonly running = new Map<string, AbortController>();
  private worker: api.JobWorker | undefined;

  private constructor(
    readonly queue: api.JobQueue,
    private readonly bodies: Readonly<Record<string, JobBody>>,
  ) {}

  static async open(repo: api.Repository): Promise<ServerJobs> {
    const queue = await api.openRepositoryJobQueue(repo);
    const root = repo.root;
    const tables = repo.ports.get(api.ASSET_STORE);
    const jobs = new ServerJobs(queue, {
      'assets.update': async ({ signal, progress }) => {
        const pipeline = await api.loadAssetPipeline();
        // Cancelling stops the update before it writes the tables: they stay as they were.
        const report = await pipeline.runUpdate(root, tables, { onProgress: progress, signal });
        return JSON.parse(JSON.stringify(report)) as api.JobRecord['config'];
      },
    });
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
        try {
          return await body({
            signal: AbortSignal.any([leaseSignal, local.signal]),
            progress: (done, total) => {
              this.progress.set(lease.jobId, { done, total });
              for (const listener of this.listeners.get(lease.jobId) ?? []) listener();
            },
          });
        } finally {
          this.running.delete(lease.jobId);
          this.progress.delete(lease.jobId);
        }
      };
    }
    this.worker = this.queue.createWorker({ handlers, concurrency: 1, leaseMs: 30_000, onError: () => {} });
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

  /** The job record with the running task's progress, if any. */
  taskProgress(id: string): TaskProgress | undefined {
    return this.progress.get(id);
  }

  /** Calls `listener` after each progress report of the job's running task; returns the unsubscribe. */
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
