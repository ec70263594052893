// The writes that end tasks and count them in their job, shared by the Kysely job store's
// transactions: one task's outcome (`endTask`), a batch of outcomes (`recordOutcomesIn`), workers
// joining (`upsertWorkers`) and the job's end once every task has ended (`finishIfDone`).
import { sql, type Transaction } from 'kysely';
import type { JobTaskError } from '../port.js';
import type { JobDatabase } from './job-schema.js';
import type { LeasedOutcome, TaskOutcome, WorkerIdentity } from './job-store.js';

/** A transaction on the job tables. */
export type Trx = Transaction<JobDatabase>;

const ENDED_TASK = ['done', 'failed', 'cancelled'];

/** `items` in runs of at most `size` (statements have a parameter limit). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Moves one task (known to be unfinished) to its outcome and counts it in the job. */
export async function endTask(
  trx: Trx,
  jobId: string,
  taskKey: string,
  outcome: LeasedOutcome,
  nowMs: number,
): Promise<void> {
  const where = trx.updateTable('job_tasks').where('job_id', '=', jobId).where('key', '=', taskKey);
  if (outcome.type === 'retry') {
    await where
      .set({
        state: 'queued',
        available_ms: outcome.availableMs,
        token: null,
        lease_until_ms: null,
        error: outcome.error.message,
        updated_ms: nowMs,
      })
      .execute();
    return;
  }
  const state = outcome.type === 'done' ? 'done' : 'failed';
  await where
    .set({
      state,
      token: null,
      lease_until_ms: null,
      error: outcome.type === 'failed' ? outcome.error.message : null,
      updated_ms: nowMs,
    })
    .execute();
  await countEnded(trx, jobId, outcome.type === 'done' ? 1 : 0, outcome.type === 'failed' ? 1 : 0, nowMs);
  if (outcome.type === 'failed') await insertErrors(trx, jobId, [outcome.error]);
}

async function countEnded(
  trx: Trx,
  jobId: string,
  done: number,
  failed: number,
  nowMs: number,
): Promise<void> {
  await trx
    .updateTable('jobs')
    .set((eb) => ({ done: eb('done', '+', done), failed: eb('failed', '+', failed), updated_ms: nowMs }))
    .where('id', '=', jobId)
    .execute();
}

async function insertErrors(trx: Trx, jobId: string, errors: readonly JobTaskError[]): Promise<void> {
  for (const error of errors) {
    const values = {
      job_id: jobId,
      task_key: error.taskKey,
      code: error.code ?? null,
      message: error.message,
      attempts: error.attempts,
      at_ms: Date.parse(error.at),
    };
    await trx
      .insertInto('job_errors')
      .values(values)
      .onConflict((oc) =>
        oc.columns(['job_id', 'task_key']).doUpdateSet({
          code: values.code,
          message: values.message,
          attempts: values.attempts,
          at_ms: values.at_ms,
        }),
      )
      .execute();
  }
}

/** Ends the job once every task has ended: completed, completed_with_errors or failed. */
export async function finishIfDone(trx: Trx, jobId: string, nowMs: number): Promise<void> {
  await sql`
    UPDATE jobs SET
      state = CASE WHEN failed = 0 THEN 'completed' WHEN allow_errors = 1 THEN 'completed_with_errors' ELSE 'failed' END,
      finished_ms = ${nowMs}, updated_ms = ${nowMs}
    WHERE id = ${jobId} AND state IN ('queued', 'running') AND done + failed >= total
  `.execute(trx);
}

/** Notes workers as joined (or seen again); their jobs are running from now if they were queued. */
export async function upsertWorkers(
  trx: Trx,
  joins: readonly { jobId: string; worker: WorkerIdentity }[],
  nowMs: number,
  maxParameters: number,
): Promise<void> {
  if (joins.length === 0) return;
  const rows = joins.map(({ jobId, worker }) => ({
    job_id: jobId,
    worker_id: worker.id,
    host: worker.host,
    pid: worker.pid,
    joined_ms: nowMs,
    last_seen_ms: nowMs,
  }));
  for (const part of chunk(rows, Math.floor(maxParameters / 6))) {
    await trx
      .insertInto('job_workers')
      .values(part)
      .onConflict((oc) => oc.columns(['job_id', 'worker_id']).doUpdateSet({ last_seen_ms: nowMs }))
      .execute();
  }
  const jobIds = [...new Set(joins.map((join) => join.jobId))];
  await trx
    .updateTable('jobs')
    .set((eb) => ({
      state: 'running',
      started_ms: eb.fn.coalesce('started_ms', sql<number>`${nowMs}`),
      updated_ms: nowMs,
    }))
    .where('id', 'in', jobIds)
    .where('state', '=', 'queued')
    .execute();
}

/**
 * Records a batch of task outcomes in one transaction: done tasks in one UPDATE per job (a key
 * list), failures one by one; outcomes of tasks that had already ended count nothing (a task may
 * run twice), and each job ends once all its tasks have.
 */
export async function recordOutcomesIn(
  trx: Trx,
  outcomes: readonly TaskOutcome[],
  nowMs: number,
  maxParameters: number,
): Promise<void> {
  const byJob = new Map<string, TaskOutcome[]>();
  for (const outcome of outcomes) {
    const list = byJob.get(outcome.jobId) ?? [];
    list.push(outcome);
    byJob.set(outcome.jobId, list);
  }
  {
    const joins = new Map<string, { jobId: string; worker: WorkerIdentity }>();
    for (const outcome of outcomes) joins.set(`${outcome.jobId}\0${outcome.worker.id}`, outcome);
    await upsertWorkers(trx, [...joins.values()], nowMs, maxParameters);
    for (const [jobId, list] of byJob) {
      const doneKeys = [...new Set(list.filter((o) => o.outcome.type === 'done').map((o) => o.taskKey))];
      let done = 0;
      for (const keys of chunk(doneKeys, Math.max(1, maxParameters - 10))) {
        const changed = await trx
          .updateTable('job_tasks')
          .set({ state: 'done', token: null, lease_until_ms: null, error: null, updated_ms: nowMs })
          .where('job_id', '=', jobId)
          .where('key', 'in', keys)
          .where('state', 'not in', ENDED_TASK)
          .executeTakeFirst();
        done += Number(changed.numUpdatedRows);
      }
      const errors: JobTaskError[] = [];
      for (const outcome of list) {
        if (outcome.outcome.type !== 'failed') continue;
        const changed = await trx
          .updateTable('job_tasks')
          .set({
            state: 'failed',
            token: null,
            lease_until_ms: null,
            error: outcome.outcome.error.message,
            updated_ms: nowMs,
          })
          .where('job_id', '=', jobId)
          .where('key', '=', outcome.taskKey)
          .where('state', 'not in', ENDED_TASK)
          .executeTakeFirst();
        if (Number(changed.numUpdatedRows) === 1) errors.push(outcome.outcome.error);
      }
      if (done === 0 && errors.length === 0) continue;
      await countEnded(trx, jobId, done, errors.length, nowMs);
      await insertErrors(trx, jobId, errors);
      await finishIfDone(trx, jobId, nowMs);
    }
  }
}
