/**
 * A child process of SQLite searches (started and pooled by `runSqliteSearch`): for each search,
 * one at a time, opens the database read-only, runs the user's statement and streams its rows
 * back over IPC in batches, waiting for each batch to be handed over before reading on, so the
 * parent holds at most the limits' worth. Between searches it waits, warm, for the next one.
 *
 * A watchdog thread kills this process once a search's time limit (plus a grace) has passed or
 * the parent is gone: SQLite may run for ever inside one step, where no JavaScript of this thread
 * runs.
 */
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { openSqlite } from '../../../catalog/sqlite/open-sqlite.js';
import { ASSET_STORE_SCHEMA } from './sqlite-asset-store-schema.js';
import type { SearchGrouping } from '../asset-store.js';
import type { SearchLimits } from '../search-limits.js';
import { prepareSearch, searchBatches } from './sqlite-search-statement.js';

/** What the parent sends: one search. */
export interface SearchJob {
  readonly location: string;
  readonly sql: string;
  readonly grouping: SearchGrouping;
  readonly limits: SearchLimits;
  /** How long after the time limit (counted from the job's arrival) the watchdog kills this process, should the parent not. */
  readonly graceMs: number;
}

/** An error as it crosses the process boundary (a StrataError's toJSON, or a plain message). */
export interface SearchChildError {
  readonly code?: string;
  readonly message: string;
  readonly data?: Record<string, unknown>;
  readonly userError?: boolean;
}

/** What the child sends: `running` once the statement is prepared and checked, rows, then `done` or `error`. */
export type SearchChildMessage =
  | { readonly type: 'running' }
  | { readonly type: 'rows'; readonly rows: Record<string, unknown>[] }
  | { readonly type: 'done' }
  | { readonly type: 'error'; readonly error: SearchChildError };

/** The watchdog thread: its deadline is set per search (Infinity between searches). */
const WATCHDOG = `
const { workerData, parentPort } = require('node:worker_threads');
let deadline = Infinity;
parentPort.on('message', (d) => (deadline = d));
setInterval(() => {
  if (Date.now() > deadline || process.ppid !== workerData.parent) process.kill(process.pid, 'SIGKILL');
}, 100);
`;

let watchdog: Worker | undefined;

function setDeadline(deadline: number): void {
  watchdog ??= new Worker(WATCHDOG, { eval: true, workerData: { parent: process.ppid } });
  watchdog.unref();
  watchdog.postMessage(deadline);
}

function send(message: SearchChildMessage): Promise<void> {
  return new Promise((resolve, reject) =>
    process.send!(message, undefined, undefined, (err: Error | null) => (err ? reject(err) : resolve())),
  );
}

function toChildError(err: unknown): SearchChildError {
  const e = err as { code?: unknown; message?: unknown; data?: unknown; userError?: unknown };
  if (typeof e?.code === 'string' && typeof e.userError === 'boolean')
    return {
      code: e.code,
      message: String(e.message),
      data: e.data as Record<string, unknown>,
      userError: e.userError,
    };
  return { message: String(e?.message ?? err) };
}

async function run(job: SearchJob): Promise<void> {
  setDeadline(Date.now() + job.limits.timeoutMs + job.graceMs);
  let db: Database.Database | undefined;
  try {
    db = await openSqlite(job.location, { readonly: true, schema: ASSET_STORE_SCHEMA, busyTimeoutMs: 5000 });
    const statement = prepareSearch(db, job.sql, job.grouping);
    await send({ type: 'running' });
    for (const rows of searchBatches(statement, job.limits)) await send({ type: 'rows', rows });
    await send({ type: 'done' });
  } catch (err) {
    await send({ type: 'error', error: toChildError(err) }).catch(() => undefined);
  } finally {
    db?.close();
    setDeadline(Infinity);
  }
}

if (process.send) {
  // One search at a time: the parent sends the next only after `done` or `error`.
  process.on('message', (job: SearchJob) => void run(job));
  // The parent went away (killed, or gave up): nobody wants the rows.
  process.once('disconnect', () => process.exit(0));
}
