import { sql, type Kysely, type Transaction } from 'kysely';
import { AlreadyExistsError } from '../../errors/index.js';
import type { JobRecord, JobState, JobTaskError, JsonValue, ListJobsOptions, TaskSpec } from '../port.js';
import type { JobDatabase, JobsTable } from './job-schema.js';
import type {
  JobStore,
  LeasedOutcome,
  NewJob,
  StoredLease,
  TaskOutcome,
  WorkerIdentity,
} from './job-store.js';

/** What differs between SQL backends; the rest is shared Kysely code. */
export interface JobStoreDialect {
  /** Most bound parameters one statement may carry. */
  readonly maxParameters: number;
  /** True where `SELECT ... FOR UPDATE SKIP LOCKED` exists (PostgreSQL): concurrent leases skip each other's rows. */
  readonly skipLocked: boolean;
  /** Frees the driver (or this store's share of it). */
  destroy(): Promise<void>;
}

type Trx = Transaction<JobDatabase>;

const ACTIVE: readonly JobState[] = ['queued', 'running'];
const ENDED_TASK = ['done', 'failed', 'cancelled'];
const isoOf = (ms: number | null): string | undefined =>
  ms === null ? undefined : new Date(ms).toISOString();

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The job store over Kysely, shared by the SQLite and PostgreSQL adapters. */
export class KyselyJobStore implements JobStore {
  constructor(
    private readonly db: Kysely<JobDatabase>,
    private readonly dialect: JobStoreDialect,
    readonly location: string,
  ) {}

  async createJob(job: NewJob): Promise<void> {
    const keys = new Set<string>();
    for (const task of job.tasks) {
      if (keys.has(task.key))
        throw new AlreadyExistsError(`task key '${task.key}' appears twice`, { what: 'task', key: task.key });
      keys.add(task.key);
    }
    await this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('jobs').select('id').where('id', '=', job.id).executeTakeFirst();
      if (existing !== undefined)
        throw new AlreadyExistsError(`job ${job.id} already exists`, { what: 'job', id: job.id });
      await trx
        .insertInto('jobs')
        .values({
          id: job.id,
          kind: job.kind,
          config: JSON.stringify(job.config),
          state: job.tasks.length === 0 ? 'completed' : 'queued',
          total: job.tasks.length,
          done: 0,
          failed: 0,
          max_attempts: job.retry.maxAttempts,
          backoff_type: job.retry.backoff.type,
          backoff_ms: job.retry.backoff.delayMs,
          allow_errors: job.allowErrors ? 1 : 0,
          created_ms: job.nowMs,
          started_ms: null,
          finished_ms: job.tasks.length === 0 ? job.nowMs : null,
          updated_ms: job.nowMs,
        })
        .execute();
      const rows = job.tasks.map((task, seq) => ({
        job_id: job.id,
        key: task.key,
        seq,
        payload: JSON.stringify(task.payload),
        state: 'queued',
        attempts: 0,
        available_ms: job.nowMs,
        lease_until_ms: null,
        worker_id: null,
        token: null,
        error: null,
        updated_ms: job.nowMs,
      }));
      for (const part of chunk(rows, Math.floor(this.dialect.maxParameters / 12))) {
        await trx.insertInto('job_tasks').values(part).execute();
      }
    });
  }

  async getJob(id: string): Promise<JobRecord | undefined> {
    const row = await this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    if (row === undefined) return undefined;
    return (await this.toRecords([row]))[0];
  }

  async listJobs(options: ListJobsOptions): Promise<readonly JobRecord[]> {
    let query = this.db.selectFrom('jobs').selectAll();
    if (options.states !== undefined && options.states.length > 0)
      query = query.where('state', 'in', [...options.states]);
    if (options.kind !== undefined) query = query.where('kind', '=', options.kind);
    const rows = await query
      .orderBy('created_ms', 'desc')
      .orderBy('id', 'desc')
      .limit(options.limit ?? 100)
      .execute();
    return this.toRecords(rows);
  }

  async cancelJob(id: string, nowMs: number): Promise<JobState | undefined> {
    return this.db.transaction().execute(async (trx) => {
      let query = trx.selectFrom('jobs').select('state').where('id', '=', id);
      if (this.dialect.skipLocked) query = query.forUpdate();
      const row = await query.executeTakeFirst();
      if (row === undefined) return undefined;
      const before = row.state as JobState;
      if (!ACTIVE.includes(before)) return before;
      await trx
        .updateTable('jobs')
        .set({ state: 'cancelled', finished_ms: nowMs, updated_ms: nowMs })
        .where('id', '=', id)
        .execute();
      await trx
        .updateTable('job_tasks')
        .set({ state: 'cancelled', token: null, lease_until_ms: null, updated_ms: nowMs })
        .where('job_id', '=', id)
        .where('state', 'in', ['queued', 'leased'])
        .execute();
      return before;
    });
  }

  async jobStates(ids: readonly string[]): Promise<Map<string, JobState>> {
    const states = new Map<string, JobState>();
    if (ids.length === 0) return states;
    const rows = await this.db
      .selectFrom('jobs')
      .select(['id', 'state'])
      .where('id', 'in', [...ids])
      .execute();
    for (const row of rows) states.set(row.id, row.state as JobState);
    return states;
  }

  async activeJobs(kinds?: readonly string[]): Promise<readonly { id: string; kind: string }[]> {
    let query = this.db
      .selectFrom('jobs')
      .select(['id', 'kind'])
      .where('state', 'in', [...ACTIVE]);
    if (kinds !== undefined) {
      if (kinds.length === 0) return [];
      query = query.where('kind', 'in', [...kinds]);
    }
    return query.orderBy('created_ms').orderBy('id').execute();
  }

  async leaseTask(request: Parameters<JobStore['leaseTask']>[0]): Promise<StoredLease | undefined> {
    const jobs = (await this.activeJobs(request.kinds)).filter(
      (job) => request.jobId === undefined || job.id === request.jobId,
    );
    for (const job of jobs) {
      const lease = await this.db.transaction().execute((trx) => this.leaseInJob(trx, job, request));
      if (lease !== undefined) return lease;
    }
    return undefined;
  }

  private async leaseInJob(
    trx: Trx,
    job: { id: string; kind: string },
    request: Parameters<JobStore['leaseTask']>[0],
  ): Promise<StoredLease | undefined> {
    const { nowMs } = request;
    const jobRow = await trx
      .selectFrom('jobs')
      .select(['state', 'max_attempts'])
      .where('id', '=', job.id)
      .executeTakeFirst();
    if (jobRow === undefined || !ACTIVE.includes(jobRow.state as JobState)) return undefined;
    for (;;) {
      let queued = trx
        .selectFrom('job_tasks')
        .select(['key', 'payload', 'attempts', 'state'])
        .where('job_id', '=', job.id)
        .where('state', '=', 'queued')
        .where('available_ms', '<=', nowMs)
        .orderBy('available_ms')
        .orderBy('seq')
        .limit(1);
      let stalled = trx
        .selectFrom('job_tasks')
        .select(['key', 'payload', 'attempts', 'state'])
        .where('job_id', '=', job.id)
        .where('state', '=', 'leased')
        .where('lease_until_ms', '<', nowMs)
        .limit(1);
      if (this.dialect.skipLocked) {
        queued = queued.forUpdate().skipLocked();
        stalled = stalled.forUpdate().skipLocked();
      }
      const task = (await stalled.executeTakeFirst()) ?? (await queued.executeTakeFirst());
      if (task === undefined) return undefined;
      if (task.state === 'leased' && task.attempts >= jobRow.max_attempts) {
        // Its worker stopped heartbeating on every attempt: the task fails instead of running again.
        const error: JobTaskError = {
          taskKey: task.key,
          code: 'E_LEASE_LOST',
          message: `the worker running task ${task.key} stopped (no heartbeat) on each of ${task.attempts} attempts`,
          attempts: task.attempts,
          at: new Date(nowMs).toISOString(),
        };
        await this.endTask(trx, job.id, task.key, { type: 'failed', error }, nowMs);
        await this.finishIfDone(trx, job.id, nowMs);
        continue;
      }
      const leaseUntil = nowMs + request.leaseMs;
      await trx
        .updateTable('job_tasks')
        .set({
          state: 'leased',
          attempts: task.attempts + 1,
          token: request.token,
          lease_until_ms: leaseUntil,
          worker_id: request.worker.id,
          updated_ms: nowMs,
        })
        .where('job_id', '=', job.id)
        .where('key', '=', task.key)
        .execute();
      await this.upsertWorkers(trx, [{ jobId: job.id, worker: request.worker }], nowMs);
      return {
        jobId: job.id,
        kind: job.kind,
        taskKey: task.key,
        payload: JSON.parse(task.payload) as JsonValue,
        attempt: task.attempts + 1,
        token: request.token,
        leaseUntil,
      };
    }
  }

  async renewLease(jobId: string, taskKey: string, token: string, untilMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('job_tasks')
      .set({ lease_until_ms: untilMs })
      .where('job_id', '=', jobId)
      .where('key', '=', taskKey)
      .where('token', '=', token)
      .where('state', '=', 'leased')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async finishLeased(
    jobId: string,
    taskKey: string,
    token: string,
    outcome: LeasedOutcome,
    nowMs: number,
  ): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      let query = trx
        .selectFrom('job_tasks')
        .select('key')
        .where('job_id', '=', jobId)
        .where('key', '=', taskKey)
        .where('token', '=', token)
        .where('state', '=', 'leased');
      if (this.dialect.skipLocked) query = query.forUpdate();
      if ((await query.executeTakeFirst()) === undefined) return false;
      await this.endTask(trx, jobId, taskKey, outcome, nowMs);
      await this.finishIfDone(trx, jobId, nowMs);
      return true;
    });
  }

  /** Moves one task (known to be unfinished) to its outcome and counts it in the job. */
  private async endTask(
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
    await this.countEnded(
      trx,
      jobId,
      outcome.type === 'done' ? 1 : 0,
      outcome.type === 'failed' ? 1 : 0,
      nowMs,
    );
    if (outcome.type === 'failed') await this.insertErrors(trx, jobId, [outcome.error]);
  }

  private async countEnded(
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

  private async insertErrors(trx: Trx, jobId: string, errors: readonly JobTaskError[]): Promise<void> {
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
  private async finishIfDone(trx: Trx, jobId: string, nowMs: number): Promise<void> {
    await sql`
      UPDATE jobs SET
        state = CASE WHEN failed = 0 THEN 'completed' WHEN allow_errors = 1 THEN 'completed_with_errors' ELSE 'failed' END,
        finished_ms = ${nowMs}, updated_ms = ${nowMs}
      WHERE id = ${jobId} AND state IN ('queued', 'running') AND done + failed >= total
    `.execute(trx);
  }

  async recordOutcomes(outcomes: readonly TaskOutcome[], nowMs: number): Promise<void> {
    if (outcomes.length === 0) return;
    const byJob = new Map<string, TaskOutcome[]>();
    for (const outcome of outcomes) {
      const list = byJob.get(outcome.jobId) ?? [];
      list.push(outcome);
      byJob.set(outcome.jobId, list);
    }
    await this.db.transaction().execute(async (trx) => {
      const joins = new Map<string, { jobId: string; worker: WorkerIdentity }>();
      for (const outcome of outcomes) joins.set(`${outcome.jobId}\0${outcome.worker.id}`, outcome);
      await this.upsertWorkers(trx, [...joins.values()], nowMs);
      for (const [jobId, list] of byJob) {
        const doneKeys = [...new Set(list.filter((o) => o.outcome.type === 'done').map((o) => o.taskKey))];
        let done = 0;
        for (const keys of chunk(doneKeys, Math.max(1, this.dialect.maxParameters - 10))) {
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
        await this.countEnded(trx, jobId, done, errors.length, nowMs);
        await this.insertErrors(trx, jobId, errors);
        await this.finishIfDone(trx, jobId, nowMs);
      }
    });
  }

  async noteWorkers(
    joins: readonly { jobId: string; worker: WorkerIdentity }[],
    nowMs: number,
  ): Promise<void> {
    if (joins.length === 0) return;
    await this.db.transaction().execute((trx) => this.upsertWorkers(trx, joins, nowMs));
  }

  private async upsertWorkers(
    trx: Trx,
    joins: readonly { jobId: string; worker: WorkerIdentity }[],
    nowMs: number,
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
    for (const part of chunk(rows, Math.floor(this.dialect.maxParameters / 6))) {
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

  async unfinishedTasks(jobId: string): Promise<readonly TaskSpec[]> {
    const rows = await this.db
      .selectFrom('job_tasks')
      .select(['key', 'payload'])
      .where('job_id', '=', jobId)
      .where('state', 'in', ['queued', 'leased'])
      .orderBy('seq')
      .execute();
    return rows.map((row) => ({ key: row.key, payload: JSON.parse(row.payload) as JsonValue }));
  }

  /** Frees the connection (the dialect knows whether others share it). */
  async close(): Promise<void> {
    await this.dialect.destroy();
  }

  private async toRecords(rows: readonly JobsTable[]): Promise<JobRecord[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((row) => row.id);
    const [workers, errors] = await Promise.all([
      this.db
        .selectFrom('job_workers')
        .selectAll()
        .where('job_id', 'in', ids)
        .orderBy('joined_ms')
        .orderBy('worker_id')
        .execute(),
      this.db
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
}
