import { NotFoundError } from '../errors/index.js';
import { isTerminalJobState, type JobProgressEvent, type JobRecord, type SubscribeOptions } from './port.js';

/**
 * Polls the catalog for a job's record and calls `listener` when its state or counts change (once at
 * once): works across machines, whatever the engine. Stops after a terminal state, or when the
 * returned function is called.
 */
export function watchJob(
  getJob: (id: string) => Promise<JobRecord | undefined>,
  id: string,
  listener: (event: JobProgressEvent) => void,
  options: SubscribeOptions & { onError?: (error: unknown) => void } = {},
): () => void {
  const intervalMs = options.intervalMs ?? 500;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let last = '';
  const tick = async (): Promise<void> => {
    try {
      const job = await getJob(id);
      if (stopped) return;
      if (job === undefined) throw new NotFoundError(`no job ${id}`, { what: 'job', id });
      const seen = `${job.state}/${job.counts.done}/${job.counts.failed}/${job.workers.length}`;
      if (seen !== last) {
        last = seen;
        listener({ job });
      }
      if (isTerminalJobState(job.state)) return;
    } catch (err) {
      if (stopped) return;
      if (err instanceof NotFoundError) {
        options.onError?.(err);
        return;
      }
      options.onError?.(err);
    }
    if (!stopped) timer = setTimeout(() => void tick(), intervalMs);
  };
  void tick();
  return () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
  };
}

/** Resolves with the job record once the job has ended (polling the catalog). */
export function waitForJobEnd(
  getJob: (id: string) => Promise<JobRecord | undefined>,
  id: string,
  options: { signal?: AbortSignal; intervalMs?: number } = {},
): Promise<JobRecord> {
  return new Promise((resolve, reject) => {
    const stop = watchJob(
      getJob,
      id,
      ({ job }) => {
        if (!isTerminalJobState(job.state)) return;
        stop();
        resolve(job);
      },
      {
        intervalMs: options.intervalMs ?? 100,
        onError: (err) => {
          if (err instanceof NotFoundError) {
            stop();
            reject(err);
          }
        },
      },
    );
    options.signal?.addEventListener(
      'abort',
      () => {
        stop();
        reject(options.signal?.reason);
      },
      { once: true },
    );
  });
}
