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

/** Opens the job queue at `location` (the composition root decides the location). */
export async function openJobQueue(location: JobQueueLocation): Promise<JobQueue> {
  const engine = location.queue ?? 'local';
  if (engine !== 'local' && !/^rediss?:\/\//.test(engine)) {
    throw new ConfigError(`unknown job queue '${engine}': use 'local' or a redis:// URL`, { queue: engine });
  }
  const store = await openJobStore(location.store);
  if (engine === 'local') return new LocalJobQueue(store);
  await store.close();
  // BullMQ 6 no longer ships a Redis client: it needs the optional 'ioredis' package.
  throw new ConfigError(
    `the BullMQ job queue (${redact(engine)}) needs the 'ioredis' package, which this installation lacks`,
    { queue: redact(engine) },
  );
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
