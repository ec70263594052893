import { createPostgresBackend, Queue, Worker } from 'bullmq';
import { QueueUnavailableError } from '../../errors/index.js';

/**
 * Which BullMQ backend carries the tasks: Redis (`redis://...`, the distributed engine; BullMQ 6
 * needs the optional `ioredis` package for it) or BullMQ's own PostgreSQL backend.
 */
export interface BullmqEngine {
  readonly backend: 'redis' | 'postgres';
  readonly url: string;
}

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
 * Makes BullMQ queues and workers on one engine, with one key namespace (`prefix`, Redis only).
 * Redis connections auto-pipeline: the commands a turn of the event loop issues (many workers'
 * task completions at once) go to Redis in one write.
 */
export class BullmqConnection {
  constructor(
    readonly engine: BullmqEngine,
    private readonly prefix = 'strata',
  ) {}

  /** Connection and backend arguments shared by every queue and worker. */
  private args(): [{ connection: never; prefix?: string }, typeof createPostgresBackend | undefined] {
    const { engine } = this;
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
        prefix: this.prefix,
      },
      undefined,
    ];
  }

  /** A BullMQ queue on the engine (errors while the engine is away are retried by BullMQ). */
  queue(name: string): Queue {
    const [opts, factory] = this.args();
    const queue = (factory === undefined
      ? new Queue(name, opts)
      : new Queue(name, opts, factory)) as unknown as Queue;
    queue.on('error', () => {});
    return queue;
  }

  /** A BullMQ worker on the engine; `processor` null for one that only hands out jobs on request. */
  worker(
    name: string,
    processor: ConstructorParameters<typeof Worker>[1],
    extra: Record<string, unknown>,
  ): Worker {
    const [opts, factory] = this.args();
    const all = { ...opts, ...extra };
    const worker = (factory === undefined
      ? new Worker(name, processor, all)
      : new Worker(name, processor, all, factory)) as unknown as Worker;
    worker.on('error', () => {});
    return worker;
  }

  /** Checks that the engine answers within `timeoutMs`; `QueueUnavailableError` otherwise. */
  async checkReachable(timeoutMs: number): Promise<void> {
    const probe = this.queue('strata-probe');
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        probe.getJobCounts('wait'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (err) {
      const where = describe(this.engine.url);
      throw new QueueUnavailableError(
        `the job queue at ${where} cannot be reached (${(err as Error).message})`,
        { url: where },
      );
    } finally {
      clearTimeout(timer);
      void probe.close().catch(() => {});
    }
  }
}
