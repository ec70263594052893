import { ConfigError } from '../errors/index.js';
import { LocalJobQueue } from './local/local-job-queue.js';
import type { JobQueue } from './port.js';
import { openJobStore } from './store/open-job-store.js';

/**
 * Where a repository's jobs live: the job tables (`store`, a `JobStore.location`) and the engine
 * that hands out tasks (`queue`: `local`, the default, or a `redis://` URL for BullMQ). Holds no
 * password, so it can be passed to worker processes.
 */
export interface JobQueueLocation {
  readonly store: string;
  readonly queue?: string;
}

/** `bullmq+postgres://...`: BullMQ with its own PostgreSQL backend (no Redis). */
const BULLMQ_POSTGRES = /^bullmq\+postgres(ql)?:\/\//;

/**
 * Opens the job queue at `location` (the composition root decides the location). Engines:
 * `local` (default), `redis://...` (BullMQ on Redis), `bullmq+postgres://...` (BullMQ on its
 * PostgreSQL backend; password from `STRATA_PG_PASSWORD` or `PGPASSWORD`).
 */
export async function openJobQueue(location: JobQueueLocation): Promise<JobQueue> {
  const engine = location.queue ?? 'local';
  const redis = /^rediss?:\/\//.test(engine);
  if (engine !== 'local' && !redis && !BULLMQ_POSTGRES.test(engine)) {
    throw new ConfigError(
      `unknown job queue '${redact(engine)}': use 'local', redis://... or bullmq+postgres://...`,
      {
        queue: redact(engine),
      },
    );
  }
  const store = await openJobStore(location.store);
  if (engine === 'local') return new LocalJobQueue(store);
  try {
    const { openBullmqJobQueue } = await import('./bullmq/bullmq-job-queue.js');
    const { engine: parsed, prefix } = bullmqEngine(engine);
    return await openBullmqJobQueue({ store, engine: parsed, ...(prefix === undefined ? {} : { prefix }) });
  } catch (err) {
    await store.close();
    throw err;
  }
}

/**
 * The BullMQ engine of a queue URL. On Redis, `?prefix=NAME` picks the key namespace of this
 * repository's queues (default `strata`), so several repositories (or tests) share one Redis.
 */
function bullmqEngine(engine: string): {
  engine: { backend: 'redis' | 'postgres'; url: string };
  prefix?: string;
} {
  if (!BULLMQ_POSTGRES.test(engine)) {
    const url = new URL(engine);
    const prefix = url.searchParams.get('prefix') ?? undefined;
    url.searchParams.delete('prefix');
    return { engine: { backend: 'redis', url: url.toString() }, ...(prefix === undefined ? {} : { prefix }) };
  }
  const url = new URL(engine.replace(/^bullmq\+/, ''));
  const password = process.env.STRATA_PG_PASSWORD;
  if (password !== undefined && url.password === '') url.password = encodeURIComponent(password);
  return { engine: { backend: 'postgres', url: url.toString() } };
}

/** A URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
