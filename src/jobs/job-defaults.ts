import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { isStrataError } from '../errors/index.js';
import type { CreateJobOptions, JobTaskError, RetryPolicy } from './port.js';
import type { NewJob, WorkerIdentity } from './store/job-store.js';

/** Three attempts, 1 s then 2 s apart. */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 3, backoff: { type: 'exponential', delayMs: 1000 } };
export const DEFAULT_LEASE_MS = 30_000;

/** A fresh job id: sortable by creation time, unguessable enough to never collide. */
export function newJobId(nowMs = Date.now()): string {
  return `j${nowMs.toString(36)}${randomBytes(5).toString('hex')}`;
}

/** A fresh opaque token (lease fencing, worker ids). */
export function newToken(): string {
  return randomBytes(9).toString('base64url');
}

/** This process as a worker: `host:pid:random`, unless given. */
export function workerIdentity(id?: string): WorkerIdentity {
  const host = hostname();
  return { id: id ?? `${host}:${process.pid}:${randomBytes(3).toString('hex')}`, host, pid: process.pid };
}

/** `CreateJobOptions` with defaults filled in, as the store writes it. */
export function toNewJob(options: CreateJobOptions, nowMs: number): NewJob {
  const retry: RetryPolicy = {
    maxAttempts: Math.max(1, Math.floor(options.retry?.maxAttempts ?? DEFAULT_RETRY.maxAttempts)),
    backoff: options.retry?.backoff ?? DEFAULT_RETRY.backoff,
  };
  return {
    id: options.id ?? newJobId(nowMs),
    kind: options.kind,
    config: options.config,
    retry,
    allowErrors: options.allowErrors ?? false,
    tasks: options.tasks,
    nowMs,
  };
}

/** Delay before the attempt after `attempt` (1-based) under `policy`. */
export function retryDelayMs(policy: RetryPolicy, attempt: number): number {
  const { type, delayMs } = policy.backoff;
  return type === 'fixed' ? delayMs : delayMs * 2 ** Math.max(0, attempt - 1);
}

/** A thrown value as the job record keeps it (code when it is a StrataError). */
export function taskError(error: unknown, taskKey: string, attempts: number, nowMs: number): JobTaskError {
  const message = error instanceof Error ? error.message : String(error);
  return {
    taskKey,
    ...(isStrataError(error) ? { code: error.code } : {}),
    message,
    attempts,
    at: new Date(nowMs).toISOString(),
  };
}
