import { LeaseLostError } from '../errors/index.js';
import { DEFAULT_LEASE_MS, workerIdentity } from './job-defaults.js';
import {
  isTerminalJobState,
  type JobQueue,
  type JobWorker,
  type JsonValue,
  type TaskLease,
  type WorkerOptions,
} from './port.js';

/** Waits between empty polls grow from this to `MAX_IDLE_MS`. */
const MIN_IDLE_MS = 20;
const MAX_IDLE_MS = 500;

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * A worker built on the port's lease protocol alone (`lease`, `heartbeat`, `complete`, `fail`):
 * `concurrency` loops, each leasing a task, running its kind's handler while heartbeating every
 * third of the lease, then completing or failing it. A lost lease (expired, job cancelled) aborts
 * the handler's signal. With `jobId`, the worker goes idle once that job has ended.
 */
export function startLeaseWorker(queue: JobQueue, options: WorkerOptions): JobWorker {
  const identity = workerIdentity(options.workerId);
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const kinds = Object.keys(options.handlers);
  const stopping = new AbortController();
  const inHand = new Set<AbortController>();
  const configs = new Map<string, JsonValue>();
  const report = (err: unknown): void => options.onError?.(err);

  async function configOf(jobId: string): Promise<JsonValue> {
    let config = configs.get(jobId);
    if (config === undefined) {
      config = (await queue.getJob(jobId))?.config ?? null;
      configs.set(jobId, config);
    }
    return config;
  }

  async function run(lease: TaskLease): Promise<void> {
    const abort = new AbortController();
    inHand.add(abort);
    let current = lease;
    const beat = setInterval(
      () => {
        queue.heartbeat(current).then(
          (renewed) => (current = renewed),
          (err: unknown) => {
            if (err instanceof LeaseLostError) abort.abort(err);
            else report(err);
          },
        );
      },
      Math.max(10, Math.floor(leaseMs / 3)),
    );
    try {
      const handler = options.handlers[lease.kind]!;
      let result: JsonValue | void;
      try {
        result = await handler({ lease, config: await configOf(lease.jobId), signal: abort.signal });
      } catch (err) {
        clearInterval(beat);
        if (!abort.signal.aborted) await queue.fail(current, err);
        return;
      }
      clearInterval(beat);
      if (!abort.signal.aborted) await queue.complete(current, result ?? null);
    } catch (err) {
      if (!(err instanceof LeaseLostError)) report(err);
    } finally {
      clearInterval(beat);
      inHand.delete(abort);
    }
  }

  async function loop(): Promise<void> {
    let idleMs = MIN_IDLE_MS;
    while (!stopping.signal.aborted) {
      let lease: TaskLease | undefined;
      try {
        lease = await queue.lease({
          workerId: identity.id,
          kinds,
          leaseMs,
          ...(options.jobId === undefined ? {} : { jobId: options.jobId }),
        });
      } catch (err) {
        report(err);
      }
      if (lease !== undefined) {
        idleMs = MIN_IDLE_MS;
        await run(lease);
        continue;
      }
      if (options.jobId !== undefined) {
        const job = await queue.getJob(options.jobId).catch((err: unknown) => void report(err));
        if (job === undefined || isTerminalJobState(job.state)) return;
      }
      await sleep(idleMs, stopping.signal);
      idleMs = Math.min(MAX_IDLE_MS, idleMs * 2);
    }
  }

  const loops = Array.from({ length: Math.max(1, options.concurrency ?? 1) }, () => loop());
  const idle = Promise.all(loops).then(() => undefined);
  return {
    id: identity.id,
    idle,
    async close(closeOptions = {}) {
      stopping.abort();
      const timer =
        closeOptions.timeoutMs === undefined
          ? undefined
          : setTimeout(
              () => inHand.forEach((abort) => abort.abort(new Error('worker closed'))),
              closeOptions.timeoutMs,
            );
      await idle;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
