import { join } from 'node:path';
import type { ComputeErrorInfo, ComputeRow, ComputeStatus } from './store/compute-store.js';
import { isHolderLive } from './claims.js';

/**
 * One computed resource as the library returns it. Times are milliseconds since the epoch.
 * `result` is set when complete, `error` when in error; a resource never fetched has status
 * `unavailable` and nothing else.
 */
export interface ComputedResource<R = unknown> {
  readonly collection: string;
  readonly id: string;
  readonly args: unknown;
  readonly argsHash: string;
  readonly status: ComputeStatus;
  readonly result?: R;
  readonly error?: ComputeErrorInfo;
  /** The code version it was computed with (its lineage: collection, id, args hash, code version). */
  readonly codeVersion?: string;
  readonly startedAt?: number;
  readonly endedAt?: number;
  /** How many times its function started, retries and recomputes included. */
  readonly attempts: number;
  /** The absolute output folder, when the function wrote files or logged. */
  readonly dir?: string;
  /** Pending, but its holder is gone: the next fetch recomputes it. */
  readonly stale: boolean;
}

/** A resource that was never fetched. */
export function unavailableResource(
  collection: string,
  id: string,
  args: unknown,
  argsHash: string,
): ComputedResource<never> {
  return { collection, id, args, argsHash, status: 'unavailable', attempts: 0, stale: false };
}

/** The library's view of a stored row; `args` given saves parsing the stored copy. */
export function rowToResource<R>(root: string, row: ComputeRow, args?: unknown): ComputedResource<R> {
  const out: {
    -readonly [K in keyof ComputedResource<R>]: ComputedResource<R>[K];
  } = {
    collection: row.collection,
    id: row.id,
    args: args === undefined ? JSON.parse(row.args) : args,
    argsHash: row.argsHash,
    status: row.status,
    codeVersion: row.codeVersion,
    attempts: row.attempts,
    stale: row.status === 'pending' && !isHolderLive(row, Date.now()),
  };
  if (row.result !== null && row.status === 'complete') out.result = JSON.parse(row.result) as R;
  if (row.error !== null && row.status === 'error') out.error = row.error;
  if (row.startedMs !== null) out.startedAt = row.startedMs;
  if (row.endedMs !== null) out.endedAt = row.endedMs;
  if (row.dir !== null) out.dir = join(root, row.dir);
  return out;
}
