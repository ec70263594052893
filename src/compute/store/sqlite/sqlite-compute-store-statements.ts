import type Database from 'better-sqlite3';
import type {
  ComputeCountRow,
  ComputeErrorInfo,
  ComputeListQuery,
  ComputeRow,
  StoredComputeStatus,
} from '../compute-store.js';

/** A row as SQLite returns it. */
export interface RawRow {
  collection: string;
  id: string;
  args_hash: string;
  args: string;
  status: StoredComputeStatus;
  code_version: string;
  started_ms: number | null;
  ended_ms: number | null;
  result: string | null;
  error: string | null;
  pid: number | null;
  host: string | null;
  token: string | null;
  lease_until_ms: number | null;
  attempts: number;
  dir: string | null;
}

export function toRow(raw: RawRow): ComputeRow {
  return {
    collection: raw.collection,
    id: raw.id,
    argsHash: raw.args_hash,
    args: raw.args,
    status: raw.status,
    codeVersion: raw.code_version,
    startedMs: raw.started_ms,
    endedMs: raw.ended_ms,
    result: raw.result,
    error: raw.error === null ? null : (JSON.parse(raw.error) as ComputeErrorInfo),
    pid: raw.pid,
    host: raw.host,
    token: raw.token,
    leaseUntilMs: raw.lease_until_ms,
    attempts: raw.attempts,
    dir: raw.dir,
  };
}

const KEY = 'collection = ? AND id = ? AND args_hash = ?';
const HELD = `${KEY} AND token = ? AND status = 'pending'`;

type Run = Database.Statement<unknown[], unknown>;

/** The prepared statements of one connection (preparing costs ~10x a cached point read). */
export interface Statements {
  readonly get: Database.Statement<[string, string, string], RawRow>;
  readonly insert: Run;
  readonly takeOver: Run;
  readonly finish: Run;
  readonly retry: Run;
  readonly renew: Run;
  readonly totalsAll: Database.Statement<[], { collection: string; count: number }>;
  readonly totalsOne: Database.Statement<[string], { collection: string; count: number }>;
  readonly unfinishedAll: Database.Statement<[], ComputeCountRow>;
  readonly unfinishedOne: Database.Statement<[string], ComputeCountRow>;
  readonly pendingAll: Database.Statement<[], RawRow>;
  readonly pendingOne: Database.Statement<[string], RawRow>;
  readonly collections: Database.Statement<[], { collection: string }>;
  readonly delete: Database.Statement<[string, string, string], RawRow>;
  readonly clearAll: Database.Statement<[string], { id: string; args_hash: string }>;
  readonly clearStatus: Database.Statement<[string, string], { id: string; args_hash: string }>;
}

export function prepareStatements(db: Database.Database): Statements {
  return {
    get: db.prepare<[string, string, string], RawRow>(`SELECT * FROM computed WHERE ${KEY}`),
    insert: db.prepare(
      `INSERT INTO computed (collection, id, args_hash, args, status, code_version, started_ms, pid, host, token, lease_until_ms, attempts)
       VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, 1) ON CONFLICT (collection, id, args_hash) DO NOTHING`,
    ),
    takeOver: db.prepare(
      `UPDATE computed SET args = ?, status = 'pending', code_version = ?, started_ms = ?, ended_ms = NULL,
         result = NULL, error = NULL, pid = ?, host = ?, token = ?, lease_until_ms = ?, attempts = attempts + 1,
         dir = NULL
       WHERE ${KEY}`,
    ),
    finish: db.prepare(
      `UPDATE computed SET status = ?, ended_ms = ?, result = ?, error = ?, lease_until_ms = NULL, dir = ? WHERE ${HELD}`,
    ),
    retry: db.prepare(`UPDATE computed SET attempts = attempts + 1, lease_until_ms = ? WHERE ${HELD}`),
    renew: db.prepare(`UPDATE computed SET lease_until_ms = ? WHERE ${HELD}`),
    totalsAll: db.prepare<[], { collection: string; count: number }>(
      'SELECT collection, count(*) AS count FROM computed INDEXED BY computed_key GROUP BY collection',
    ),
    totalsOne: db.prepare<[string], { collection: string; count: number }>(
      'SELECT collection, count(*) AS count FROM computed INDEXED BY computed_key WHERE collection = ? GROUP BY collection',
    ),
    unfinishedAll: db.prepare<[], ComputeCountRow>(
      "SELECT collection, status, count(*) AS count FROM computed WHERE status != 'complete' GROUP BY collection, status",
    ),
    unfinishedOne: db.prepare<[string], ComputeCountRow>(
      "SELECT collection, status, count(*) AS count FROM computed WHERE collection = ? AND status != 'complete' GROUP BY collection, status",
    ),
    pendingAll: db.prepare<[], RawRow>(
      `SELECT * FROM computed WHERE status = 'pending' AND status != 'complete' ORDER BY collection, id, args_hash`,
    ),
    pendingOne: db.prepare<[string], RawRow>(
      `SELECT * FROM computed WHERE collection = ? AND status = 'pending' AND status != 'complete' ORDER BY id, args_hash`,
    ),
    collections: db.prepare<[], { collection: string }>(
      'SELECT DISTINCT collection FROM computed ORDER BY collection',
    ),
    delete: db.prepare<[string, string, string], RawRow>(`DELETE FROM computed WHERE ${KEY} RETURNING *`),
    clearAll: db.prepare<[string], { id: string; args_hash: string }>(
      'DELETE FROM computed WHERE collection = ? RETURNING id, args_hash',
    ),
    clearStatus: db.prepare<[string, string], { id: string; args_hash: string }>(
      'DELETE FROM computed WHERE collection = ? AND status = ? RETURNING id, args_hash',
    ),
  };
}

/** The listing statement for each combination of filters, prepared on first use. */
export function listStatement(
  db: Database.Database,
  cache: Map<string, Database.Statement<unknown[], RawRow>>,
  query: ComputeListQuery,
): Database.Statement<unknown[], RawRow> {
  const unfinished = query.status !== undefined && query.status !== 'complete';
  const shape = `${query.status === undefined ? '' : unfinished ? 'u' : 'c'}${query.id === undefined ? '' : 'i'}`;
  let statement = cache.get(shape);
  if (statement === undefined) {
    const filters = ['collection = ?'];
    // Spelled out so the planner may use the partial index of unfinished rows.
    if (query.status !== undefined)
      filters.push(unfinished ? "status = ? AND status != 'complete'" : 'status = ?');
    if (query.id !== undefined) filters.push('id = ?');
    statement = db.prepare<unknown[], RawRow>(
      `SELECT * FROM computed WHERE ${filters.join(' AND ')} AND (id, args_hash) > (?, ?)
       ORDER BY id, args_hash LIMIT ?`,
    );
    cache.set(shape, statement);
  }
  return statement;
}
