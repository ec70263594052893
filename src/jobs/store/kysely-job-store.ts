import type { Kysely } from 'kysely';
import { AlreadyExistsError } from '../../errors/index.js';
import type { JobRecord, JobState, JobTaskError, JsonValue, ListJobsOptions, TaskSpec } from '../port.js';
import type { JobDatabase } from './job-schema.js';
import { readJobRecords } from './kysely-job-records.js';
import {
  chunk,
  endTask,
  finishIfDone,
  recordOutcomesIn,
  upsertWorkers,
  type Trx,
} from './kysely-task-updates.js';
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

const ACTIVE: readonly JobState[] = ['queued', 'running'];

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
    return (await readJobRecords(this.db, [row]))[0];
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
    return readJobRecords(this.db, rows);
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
        await endTask(trx, job.id, task.key, { type: 'failed', error }, nowMs);
        await finishIfDone(trx, job.id, nowMs);
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
      await upsertWorkers(
        trx,
        [{ jobId: job.id, worker: request.worker }],
        nowMs,
        this.dialect.maxParameters,
      );
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
      await endTask(trx, jobId, taskKey, outcome, nowMs);
      await finishIfDone(trx, jobId, nowMs);
      return true;
    });
  }

  async recordOutcomes(outcomes: readonly TaskOutcome[], nowMs: number): Promise<void> {
    if (outcomes.length === 0) return;
    await this.db
      .transaction()
      .execute((trx) => recordOutcomesIn(trx, outcomes, nowMs, this.dialect.maxParameters));
  }

  async noteWorkers(
    joins: readonly { jobId: string; worker: WorkerIdentity }[],
    nowMs: number,
  ): Promise<void> {
    if (joins.length === 0) return;
    await this.db
      .transaction()
      .execute((trx) => upsertWorkers(trx, joins, nowMs, this.dialect.maxParameters));
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
}
