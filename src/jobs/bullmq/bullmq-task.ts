import type { Job } from 'bullmq';
import { LeaseLostError } from '../../errors/index.js';
import type { JsonValue, TaskLease } from '../port.js';

/** What a BullMQ job of a Strata task carries. */
export interface TaskData {
  readonly key: string;
  readonly payload: JsonValue;
}

/**
 * BullMQ would fail a task stalled more often than this itself, without telling the catalog; the
 * adapter instead fails a task whose worker died on every attempt (see `attemptOf`). Fits a
 * 32-bit integer (BullMQ's PostgreSQL backend stores it as one).
 */
export const MAX_STALLS = 1_000_000;

/** BullMQ job ids may not contain ':' nor be integers: the task key, base64url, with a prefix. */
export const taskJobId = (key: string): string => `t${Buffer.from(key).toString('base64url')}`;

/** The BullMQ queue of one Strata job. */
export const queueName = (jobId: string): string => `strata-job-${jobId}`;

/** How often BullMQ looks for stalled tasks, for a lease (lock) of `leaseMs`. */
export const stalledIntervalMs = (leaseMs: number): number => Math.max(50, Math.min(leaseMs, 30_000));

/** 1 for the first attempt; a stalled (lost) run counts as an attempt too. */
export function attemptOf(job: Job): number {
  const started = (job as { attemptsStarted?: number }).attemptsStarted ?? 0;
  return Math.max(started, job.attemptsMade + 1);
}

export function lost(lease: TaskLease): LeaseLostError {
  return new LeaseLostError(
    `task ${lease.taskKey} of job ${lease.jobId} is no longer leased by this worker`,
    { jobId: lease.jobId, taskKey: lease.taskKey },
  );
}
