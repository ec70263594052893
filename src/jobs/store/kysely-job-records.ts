import type { Kysely } from 'kysely';
import type { JobRecord, JobState, JsonValue } from '../port.js';
import type { JobDatabase, JobsTable } from './job-schema.js';

const isoOf = (ms: number | null): string | undefined =>
  ms === null ? undefined : new Date(ms).toISOString();

/** Job rows as job records, with their workers and errors (two more queries for all the rows). */
export async function readJobRecords(
  db: Kysely<JobDatabase>,
  rows: readonly JobsTable[],
): Promise<JobRecord[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const [workers, errors] = await Promise.all([
    db
      .selectFrom('job_workers')
      .selectAll()
      .where('job_id', 'in', ids)
      .orderBy('joined_ms')
      .orderBy('worker_id')
      .execute(),
    db
      .selectFrom('job_errors')
      .selectAll()
      .where('job_id', 'in', ids)
      .orderBy('at_ms')
      .orderBy('task_key')
      .execute(),
  ]);
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    config: JSON.parse(row.config) as JsonValue,
    state: row.state as JobState,
    counts: { total: row.total, done: row.done, failed: row.failed },
    retry: {
      maxAttempts: row.max_attempts,
      backoff: { type: row.backoff_type as 'fixed' | 'exponential', delayMs: row.backoff_ms },
    },
    allowErrors: row.allow_errors === 1,
    workers: workers
      .filter((w) => w.job_id === row.id)
      .map((w) => ({
        id: w.worker_id,
        host: w.host,
        pid: w.pid,
        joinedAt: new Date(w.joined_ms).toISOString(),
        lastSeenAt: new Date(w.last_seen_ms).toISOString(),
      })),
    errors: errors
      .filter((e) => e.job_id === row.id)
      .map((e) => ({
        taskKey: e.task_key,
        ...(e.code === null ? {} : { code: e.code }),
        message: e.message,
        attempts: e.attempts,
        at: new Date(e.at_ms).toISOString(),
      })),
    createdAt: new Date(row.created_ms).toISOString(),
    ...(row.started_ms === null ? {} : { startedAt: isoOf(row.started_ms) }),
    ...(row.finished_ms === null ? {} : { finishedAt: isoOf(row.finished_ms) }),
    updatedAt: new Date(row.updated_ms).toISOString(),
  }));
}
