import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  ConflictError,
  InvalidArgumentError,
  isStrataError,
  LockError,
  NotFoundError,
} from '../errors/index.js';
import { limitImageThreads } from '../arrays/image/decode-raw-image.js';
import { commitVolumeChanges, targetBranch } from '../columns/volume-commit.js';
import { isTerminalJobState, type JobQueue, type JobRecord, type JsonValue } from '../jobs/port.js';
import { withLocks } from '../repo/commit/locks.js';
import type { Repository } from '../repo/repository.js';
import type { ObjectId } from '../util/hash.js';
import { loadIngestConfig, type LoadedIngestConfig } from './ingest-config.js';
import { planSlabs, resolveTarget, slabKey, type IngestJobConfig, type SlabPayload } from './ingest-plan.js';
import { forgetTaskRecords, readJobEdits, readResult, recordResult } from './ingest-refs.js';
import { runSlab } from './ingest-slab.js';
import { loadIngestPlugin } from './plugins/load-plugin.js';
import type { IngestPlugin } from './plugins/plugin.js';

/** The job kind of ingest jobs. */
export const INGEST_KIND = 'ingest';

/** What `ingest status` reports. */
export interface IngestStatus {
  readonly id: string;
  /** The queue's state, except that a job is `running` until its commit is recorded, and `failed` when that commit failed. */
  readonly state: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'completed_with_errors';
  readonly column: string;
  readonly branch: string;
  readonly tasks: { readonly total: number; readonly done: number; readonly failed: number };
  /** Voxel bytes of the finished tasks, and their rate since the job started (MB/s, 10^6 bytes). */
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly mbPerSecond: number;
  readonly workers: number;
  readonly errors: readonly { readonly task: string; readonly message: string }[];
  /** The commit the job made on its branch. */
  readonly commit?: ObjectId;
  /** Why the job failed at its commit (e.g. a conflict on the same column). */
  readonly error?: string;
  readonly createdAt: string;
  readonly finishedAt?: string;
}

function jobConfigOf(job: JobRecord): IngestJobConfig {
  if (job.kind !== INGEST_KIND) {
    throw new InvalidArgumentError(`job ${job.id} is a ${job.kind} job, not an ingest job`, {
      id: job.id,
      kind: job.kind,
    });
  }
  return job.config as unknown as IngestJobConfig;
}

async function getIngestJob(queue: JobQueue, id: string): Promise<JobRecord> {
  const job = await queue.getJob(id);
  if (!job) throw new NotFoundError(`no ingest job '${id}'`, { what: 'job', id });
  jobConfigOf(job);
  return job;
}

/** The plugin of a job, made as its config says. */
export function pluginFor(job: IngestJobConfig): Promise<IngestPlugin> {
  return loadIngestPlugin(job.config.plugin.name, job.config.plugin.params ?? {}, {
    tile: job.config.tile,
    dtype: job.schema.dtype,
    baseDir: job.baseDir,
  });
}

/**
 * Creates an ingest job from a config file (or a loaded config): checks it (every error names the
 * key), loads its plugin (an unknown one or one that throws is refused here), resolves the target
 * volume and the extent, and enqueues one task per slab. Nothing runs yet: workers join by id.
 */
export async function createIngestJob(
  repo: Repository,
  queue: JobQueue,
  source: string | LoadedIngestConfig,
): Promise<JobRecord> {
  const loaded = typeof source === 'string' ? loadIngestConfig(source) : source;
  const { config, baseDir } = loaded;
  const branch = await targetBranch(repo, config.target.branch);
  const { schema, base, extent } = await resolveTarget(repo, config, branch);
  const job: IngestJobConfig = {
    config,
    baseDir,
    branch,
    schema,
    base,
    extent,
    createdAt: new Date().toISOString(),
  };
  await pluginFor(job);
  const slabs = planSlabs(schema, extent);
  return queue.createJob({
    kind: INGEST_KIND,
    config: job as unknown as JsonValue,
    tasks: slabs.map((slab) => ({ key: slabKey(slab), payload: slab as unknown as JsonValue })),
    retry: { maxAttempts: (config.retries ?? 3) + 1, backoff: { type: 'exponential', delayMs: 200 } },
    allowErrors: config.allowErrors ?? false,
  });
}

/** Options of `runIngestWorker`. */
export interface IngestWorkerOptions {
  /** Task lease in ms (default 30 s; tests that kill workers use less). */
  readonly leaseMs?: number;
  /** Called after each task this worker finished. */
  readonly onTask?: (key: string) => void;
  readonly onError?: (error: unknown) => void;
  /**
   * Slabs this process works on at once (default 1, with one libvips thread: processes, `-p N`,
   * scale a job over cores). 2 lets one slab's files decode while the last one's chunks are
   * compressed, hashed and written (about half of a slab's time), for a lone process on idle cores.
   */
  readonly concurrency?: number;
}

/**
 * Works on one ingest job in this process until it has ended (no task left to lease), then makes
 * its commit if no one has yet. Joining an ended job is an `InvalidArgumentError` (cancelled,
 * failed) — a completed one only has its commit finished.
 */
export async function runIngestWorker(
  repo: Repository,
  queue: JobQueue,
  jobId: string,
  options: IngestWorkerOptions = {},
): Promise<IngestStatus> {
  const record = await getIngestJob(queue, jobId);
  refuseEnded(record);
  const job = jobConfigOf(record);
  const plugin = await pluginFor(job);
  // One libvips thread per worker process: processes, not threads, scale the decoding.
  await limitImageThreads(1);
  const worker = queue.createWorker({
    handlers: {
      [INGEST_KIND]: async ({ lease, signal }) => {
        const slab = lease.payload as unknown as SlabPayload;
        await runSlab(repo, jobId, job, plugin, slab, signal, `${workerLock}:${lease.taskKey}`);
        // Cancelled while this task was writing: its record must not keep the chunks alive.
        if ((await queue.getJob(jobId))?.state === 'cancelled') await forgetTaskRecords(repo, jobId);
        options.onTask?.(lease.taskKey);
      },
    },
    jobId,
    concurrency: options.concurrency ?? 1,
    leaseMs: options.leaseMs,
    onError: options.onError,
  });
  await worker.idle;
  await worker.close();
  return finishIngestJob(repo, queue, jobId);
}

/** This process's locks while it writes chunks (see `runSlab`), one per slab: unique, so never contended. */
const workerLock = `ingest-worker:${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

function refuseEnded(job: JobRecord): void {
  if (job.state === 'cancelled' || job.state === 'failed') {
    throw new InvalidArgumentError(`ingest job ${job.id} has ended (${job.state}); nothing to join`, {
      id: job.id,
      state: job.state,
    });
  }
}

/**
 * Joining a job: refused for a cancelled or failed one, and for one that ended with its commit made
 * (nothing left to do). A job whose tasks all ended but whose commit is not made yet (every worker
 * died in between) can be joined: the joiner makes the commit.
 */
export async function checkJoinable(repo: Repository, queue: JobQueue, jobId: string): Promise<JobRecord> {
  const job = await getIngestJob(queue, jobId);
  refuseEnded(job);
  const result = isTerminalJobState(job.state) ? await readResult(repo, jobId) : undefined;
  if (result) {
    throw new InvalidArgumentError(
      `ingest job ${jobId} has ended (${'error' in result ? 'failed' : job.state}); nothing to join`,
      { id: jobId, state: job.state },
    );
  }
  return job;
}

/**
 * Ends a job whose tasks have all ended: one atomic commit of every chunk its tasks recorded on
 * the target branch (applied on the branch's tip if it moved; a conflict on the same chunks fails
 * the job with the reason, and nothing is overwritten), then forgets the task records. Any number
 * of processes may call it: one commits, the others find the result recorded.
 */
export async function finishIngestJob(
  repo: Repository,
  queue: JobQueue,
  jobId: string,
): Promise<IngestStatus> {
  for (;;) {
    const job = await getIngestJob(queue, jobId);
    if (!isTerminalJobState(job.state) || (await readResult(repo, jobId))) return statusOf(repo, job);
    try {
      await withLocks(repo, [`ingest-commit:${jobId}`], () => commitJob(repo, job));
      return statusOf(repo, await getIngestJob(queue, jobId));
    } catch (err) {
      if (!(err instanceof LockError)) throw err;
      // Another process is making the commit: wait for its result.
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

async function commitJob(repo: Repository, job: JobRecord): Promise<void> {
  if (await readResult(repo, job.id)) return;
  const config = jobConfigOf(job);
  if (job.state === 'cancelled') {
    await forgetTaskRecords(repo, job.id);
    return;
  }
  if (job.state === 'failed') {
    const list = job.errors.map((e) => `${e.taskKey}: ${e.message}`).join('; ');
    await recordResult(repo, job.id, { error: `${job.errors.length} tasks failed: ${list}` });
    await forgetTaskRecords(repo, job.id);
    return;
  }
  const { edits } = await readJobEdits(repo, job.id);
  try {
    const done = await commitVolumeChanges(repo, {
      branch: config.branch,
      schema: config.schema,
      base: config.base,
      edits,
      message: config.config.message ?? `ingest into ${config.schema.name} (job ${job.id})`,
    });
    await recordResult(repo, job.id, { commit: done.commit });
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
    await recordResult(repo, job.id, { error: err.message });
  }
  await forgetTaskRecords(repo, job.id);
}

/** Cancels a job: the queue drops its tasks, and the chunks its tasks wrote lose their references. */
export async function cancelIngestJob(
  repo: Repository,
  queue: JobQueue,
  jobId: string,
): Promise<IngestStatus> {
  await getIngestJob(queue, jobId);
  try {
    await queue.cancel(jobId);
  } catch (err) {
    if (isStrataError(err) && err.code === 'E_JOB_ENDED') {
      throw new InvalidArgumentError(`ingest job ${jobId} has already ended; nothing to cancel`, {
        id: jobId,
      });
    }
    throw err;
  }
  await forgetTaskRecords(repo, jobId);
  return statusOf(repo, await getIngestJob(queue, jobId));
}

/** The job's state, counts, throughput and outcome. */
export async function ingestStatus(repo: Repository, queue: JobQueue, jobId: string): Promise<IngestStatus> {
  return statusOf(repo, await getIngestJob(queue, jobId));
}

async function statusOf(repo: Repository, job: JobRecord): Promise<IngestStatus> {
  const config = jobConfigOf(job);
  const slabs = planSlabs(config.schema, config.extent);
  const bytesTotal = slabs.reduce((sum, s) => sum + s.bytes, 0);
  const bytesDone = slabs.length > 0 ? Math.round((bytesTotal * job.counts.done) / slabs.length) : 0;
  const started = job.startedAt ? Date.parse(job.startedAt) : undefined;
  const ended = job.finishedAt ? Date.parse(job.finishedAt) : Date.now();
  const seconds = started !== undefined ? Math.max(0.001, (ended - started) / 1000) : 0;
  const result = await readResult(repo, job.id);
  let state: IngestStatus['state'] = job.state;
  if (job.state === 'completed' || job.state === 'completed_with_errors') {
    if (!result) state = 'running';
    else if ('error' in result) state = 'failed';
  }
  return {
    id: job.id,
    state,
    column: config.schema.name,
    branch: config.branch,
    tasks: job.counts,
    bytesDone,
    bytesTotal,
    mbPerSecond: seconds > 0 ? Math.round((bytesDone / 1e6 / seconds) * 10) / 10 : 0,
    workers: job.workers.length,
    errors: job.errors.map((e) => ({ task: e.taskKey, message: e.message })),
    ...(result && 'commit' in result ? { commit: result.commit } : {}),
    ...(result && 'error' in result ? { error: result.error } : {}),
    ...(job.state === 'failed' && !result ? { error: `${job.errors.length} tasks failed` } : {}),
    createdAt: job.createdAt,
    ...(job.finishedAt ? { finishedAt: job.finishedAt } : {}),
  };
}
