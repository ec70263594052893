/**
 * The job tables, as numbered migrations in SQL that runs unchanged on SQLite and PostgreSQL
 * (`text`, `integer`, `double precision` for epoch milliseconds). The SQLite adapter keeps them in
 * `.strata/jobs.db` (apart from `catalog.db`, whose header version belongs to the catalog); the
 * PostgreSQL adapter in the shared catalog's database and schema. Never edit a shipped migration:
 * add the next number.
 */
export const JOB_MIGRATIONS: readonly {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}[] = [
  {
    version: 1,
    name: 'jobs, tasks, workers, errors',
    sql: `
      CREATE TABLE jobs (
        id           TEXT PRIMARY KEY,
        kind         TEXT NOT NULL,
        config       TEXT NOT NULL,
        state        TEXT NOT NULL,
        total        INTEGER NOT NULL,
        done         INTEGER NOT NULL,
        failed       INTEGER NOT NULL,
        max_attempts INTEGER NOT NULL,
        backoff_type TEXT NOT NULL,
        backoff_ms   DOUBLE PRECISION NOT NULL,
        allow_errors INTEGER NOT NULL,
        created_ms   DOUBLE PRECISION NOT NULL,
        started_ms   DOUBLE PRECISION,
        finished_ms  DOUBLE PRECISION,
        updated_ms   DOUBLE PRECISION NOT NULL
      );
      CREATE INDEX jobs_created ON jobs (created_ms);
      CREATE TABLE job_tasks (
        job_id         TEXT NOT NULL,
        key            TEXT NOT NULL,
        seq            INTEGER NOT NULL,
        payload        TEXT NOT NULL,
        state          TEXT NOT NULL,
        attempts       INTEGER NOT NULL,
        available_ms   DOUBLE PRECISION NOT NULL,
        lease_until_ms DOUBLE PRECISION,
        worker_id      TEXT,
        token          TEXT,
        error          TEXT,
        updated_ms     DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (job_id, key)
      );
      CREATE INDEX job_tasks_runnable ON job_tasks (job_id, state, available_ms, seq);
      CREATE TABLE job_workers (
        job_id       TEXT NOT NULL,
        worker_id    TEXT NOT NULL,
        host         TEXT NOT NULL,
        pid          INTEGER NOT NULL,
        joined_ms    DOUBLE PRECISION NOT NULL,
        last_seen_ms DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (job_id, worker_id)
      );
      CREATE TABLE job_errors (
        job_id   TEXT NOT NULL,
        task_key TEXT NOT NULL,
        code     TEXT,
        message  TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        at_ms    DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (job_id, task_key)
      );
    `,
  },
];

/** Row types, for Kysely. */
export interface JobsTable {
  id: string;
  kind: string;
  config: string;
  state: string;
  total: number;
  done: number;
  failed: number;
  max_attempts: number;
  backoff_type: string;
  backoff_ms: number;
  allow_errors: number;
  created_ms: number;
  started_ms: number | null;
  finished_ms: number | null;
  updated_ms: number;
}

export interface JobTasksTable {
  job_id: string;
  key: string;
  seq: number;
  payload: string;
  state: string;
  attempts: number;
  available_ms: number;
  lease_until_ms: number | null;
  worker_id: string | null;
  token: string | null;
  error: string | null;
  updated_ms: number;
}

export interface JobWorkersTable {
  job_id: string;
  worker_id: string;
  host: string;
  pid: number;
  joined_ms: number;
  last_seen_ms: number;
}

export interface JobErrorsTable {
  job_id: string;
  task_key: string;
  code: string | null;
  message: string;
  attempts: number;
  at_ms: number;
}

export interface JobDatabase {
  jobs: JobsTable;
  job_tasks: JobTasksTable;
  job_workers: JobWorkersTable;
  job_errors: JobErrorsTable;
}
