import path from 'node:path';
import Database from 'better-sqlite3';
import {
  decideClaim,
  type ClaimOutcome,
  type ClaimRequest,
  type ComputeCountRow,
  type ComputeErrorInfo,
  type ComputeKey,
  type ComputeListQuery,
  type ComputeOutcome,
  type ComputeRow,
  type ComputeStore,
  type HeldClaim,
  type StoredComputeStatus,
} from '../compute-store.js';
import { migrateComputeStore } from './sqlite-compute-store-schema.js';

/** Options of the SQLite compute store. */
export interface SqliteComputeStoreOptions {
  /** The database file (created if missing), or `:memory:` for tests. */
  readonly path: string;
}

/** A row as SQLite returns it. */
interface RawRow {
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

function toRow(raw: RawRow): ComputeRow {
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
interface Statements {
  readonly get: Database.Statement<[string, string, string], RawRow>;
  readonly insert: Run;
  readonly takeOver: Run;
  readonly finish: Run;
  readonly retry: Run;
  readonly renew: Run;
  readonly countsAll: Database.Statement<[], ComputeCountRow>;
  readonly countsOne: Database.Statement<[string], ComputeCountRow>;
  readonly pendingAll: Database.Statement<[], RawRow>;
  readonly pendingOne: Database.Statement<[string], RawRow>;
  readonly collections: Database.Statement<[], { collection: string }>;
  readonly delete: Database.Statement<[string, string, string], RawRow>;
  readonly clearAll: Database.Statement<[string], { id: string; args_hash: string }>;
  readonly clearStatus: Database.Statement<[string, string], { id: string; args_hash: string }>;
}

function prepare(db: Database.Database): Statements {
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
    countsAll: db.prepare<[], ComputeCountRow>(
      'SELECT collection, status, count(*) AS count FROM computed GROUP BY collection, status ORDER BY collection, status',
    ),
    countsOne: db.prepare<[string], ComputeCountRow>(
      'SELECT collection, status, count(*) AS count FROM computed WHERE collection = ? GROUP BY collection, status ORDER BY status',
    ),
    pendingAll: db.prepare<[], RawRow>(`SELECT * FROM computed WHERE status = 'pending'`),
    pendingOne: db.prepare<[string], RawRow>(
      `SELECT * FROM computed WHERE collection = ? AND status = 'pending' ORDER BY id, args_hash`,
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
function listStatement(shared: Shared, query: ComputeListQuery): Database.Statement<unknown[], RawRow> {
  const shape = `${query.status === undefined ? '' : 's'}${query.id === undefined ? '' : 'i'}`;
  let statement = shared.lists.get(shape);
  if (statement === undefined) {
    const filters = ['collection = ?'];
    if (query.status !== undefined) filters.push('status = ?');
    if (query.id !== undefined) filters.push('id = ?');
    statement = shared.db.prepare<unknown[], RawRow>(
      `SELECT * FROM computed WHERE ${filters.join(' AND ')} AND (id, args_hash) > (?, ?)
       ORDER BY id, args_hash LIMIT ?`,
    );
    shared.lists.set(shape, statement);
  }
  return statement;
}

/** One connection per file per process, shared by every store opened on it. */
interface Shared {
  readonly db: Database.Database;
  readonly statements: Statements;
  readonly lists: Map<string, Database.Statement<unknown[], RawRow>>;
  users: number;
  closed: boolean;
}

const BUSY_TIMEOUT_MS = 15_000;
const opened = new Map<string, Promise<Shared>>();

/** Switching a new file to WAL answers SQLITE_BUSY at once (no busy handler) while another process opens it. */
async function enableWal(db: Database.Database): Promise<void> {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
    }
  }
}

async function connect(file: string): Promise<Shared> {
  const db = new Database(file);
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    await enableWal(db);
    // A committed transaction survives a killed process (the WAL is in the OS cache); only a power
    // cut can lose the last ones, which for a cache means recomputing them. No fsync per write.
    db.pragma('synchronous = NORMAL');
    migrateComputeStore(db, file);
    return { db, statements: prepare(db), lists: new Map(), users: 0, closed: false };
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * The compute store on SQLite through better-sqlite3, with prepared statements (a cached fetch is
 * one point read). Claims are one statement (insert) or one `BEGIN IMMEDIATE` transaction (read,
 * decide, take over), so concurrent processes never both claim a key.
 */
export class SqliteComputeStore implements ComputeStore {
  readonly location: string;
  readonly #shared: Shared;
  readonly #release: () => void;
  #closed = false;

  constructor(location: string, shared: Shared, release: () => void) {
    this.location = location;
    this.#shared = shared;
    this.#release = release;
  }

  get #s(): Statements {
    if (this.#closed) throw new Error(`compute store ${this.location} is closed`);
    return this.#shared.statements;
  }

  get(key: ComputeKey): ComputeRow | undefined {
    const raw = this.#s.get.get(key.collection, key.id, key.argsHash);
    return raw === undefined ? undefined : toRow(raw);
  }

  claim(request: ClaimRequest): ClaimOutcome {
    const s = this.#s;
    const { key, holder } = request;
    const leaseUntilMs = request.nowMs + request.leaseMs;
    const inserted = s.insert.run(
      key.collection,
      key.id,
      key.argsHash,
      request.args,
      request.codeVersion,
      request.nowMs,
      holder.pid,
      holder.host,
      holder.token,
      leaseUntilMs,
    );
    const fresh = (attempts: number): ComputeRow => ({
      ...key,
      args: request.args,
      status: 'pending',
      codeVersion: request.codeVersion,
      startedMs: request.nowMs,
      endedMs: null,
      result: null,
      error: null,
      pid: holder.pid,
      host: holder.host,
      token: holder.token,
      leaseUntilMs,
      attempts,
      dir: null,
    });
    if (inserted.changes === 1) return { kind: 'claimed', row: fresh(1), previous: undefined };
    return this.#shared.db
      .transaction((): ClaimOutcome => {
        const raw = s.get.get(key.collection, key.id, key.argsHash);
        const row = raw === undefined ? undefined : toRow(raw);
        const kind = decideClaim(row, request);
        if (kind !== 'claimed') return { kind, row: row! };
        if (row === undefined) {
          // Deleted since the insert failed: insert again (we hold the write lock now).
          s.insert.run(
            key.collection,
            key.id,
            key.argsHash,
            request.args,
            request.codeVersion,
            request.nowMs,
            holder.pid,
            holder.host,
            holder.token,
            leaseUntilMs,
          );
          return { kind, row: fresh(1), previous: undefined };
        }
        s.takeOver.run(
          request.args,
          request.codeVersion,
          request.nowMs,
          holder.pid,
          holder.host,
          holder.token,
          leaseUntilMs,
          key.collection,
          key.id,
          key.argsHash,
        );
        return { kind, row: fresh(row.attempts + 1), previous: row };
      })
      .immediate();
  }

  finish(claim: HeldClaim, outcome: ComputeOutcome, endedMs: number, dir: string | null): boolean {
    const { key } = claim;
    const result = outcome.status === 'complete' ? outcome.result : null;
    const error = outcome.status === 'error' ? JSON.stringify(outcome.error) : null;
    return (
      this.#s.finish.run(
        outcome.status,
        endedMs,
        result,
        error,
        dir,
        key.collection,
        key.id,
        key.argsHash,
        claim.token,
      ).changes === 1
    );
  }

  retry(claim: HeldClaim, leaseUntilMs: number): boolean {
    const { key } = claim;
    return this.#s.retry.run(leaseUntilMs, key.collection, key.id, key.argsHash, claim.token).changes === 1;
  }

  renew(claims: readonly HeldClaim[], leaseUntilMs: number): number {
    const s = this.#s;
    return this.#shared.db
      .transaction(() => {
        let held = 0;
        for (const { key, token } of claims)
          held += s.renew.run(leaseUntilMs, key.collection, key.id, key.argsHash, token).changes;
        return held;
      })
      .immediate();
  }

  counts(collection?: string): ComputeCountRow[] {
    return collection === undefined ? this.#s.countsAll.all() : this.#s.countsOne.all(collection);
  }

  pending(collection?: string): ComputeRow[] {
    const raws = collection === undefined ? this.#s.pendingAll.all() : this.#s.pendingOne.all(collection);
    return raws.map(toRow);
  }

  list(query: ComputeListQuery): ComputeRow[] {
    const params: unknown[] = [query.collection];
    if (query.status !== undefined) params.push(query.status);
    if (query.id !== undefined) params.push(query.id);
    params.push(query.after?.id ?? '', query.after?.argsHash ?? '', query.limit);
    if (this.#closed) throw new Error(`compute store ${this.location} is closed`);
    return listStatement(this.#shared, query)
      .all(...params)
      .map(toRow);
  }

  collections(): string[] {
    return this.#s.collections.all().map((r) => r.collection);
  }

  delete(key: ComputeKey): ComputeRow | undefined {
    const raw = this.#s.delete.get(key.collection, key.id, key.argsHash);
    return raw === undefined ? undefined : toRow(raw);
  }

  clear(collection: string, status?: StoredComputeStatus): ComputeKey[] {
    const rows =
      status === undefined ? this.#s.clearAll.all(collection) : this.#s.clearStatus.all(collection, status);
    return rows.map((r) => ({ collection, id: r.id, argsHash: r.args_hash }));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#release();
  }
}

/**
 * Opens (creating if needed) the compute store in SQLite: WAL so readers never wait for the
 * writer, `synchronous=NORMAL` (durable across a process kill, no fsync per write), a busy timeout
 * so processes queue for the write lock instead of failing.
 *
 * Stores opened on one file in one process share one connection: better-sqlite3 blocks the thread
 * while it waits for a lock, so a second connection of the same thread could wait for the first
 * one for the whole busy timeout. Each store must still be closed; the last close frees it.
 */
export async function openSqliteComputeStore(
  options: SqliteComputeStoreOptions,
): Promise<SqliteComputeStore> {
  const memory = options.path === ':memory:';
  const key = memory ? ':memory:' : path.resolve(options.path);
  let pending = memory ? undefined : opened.get(key);
  if (pending === undefined) {
    pending = connect(options.path);
    if (!memory) {
      const mine = pending;
      opened.set(key, mine);
      mine.catch(() => opened.get(key) === mine && opened.delete(key));
    }
  }
  const shared = await pending;
  // The last user closed it while this call waited: start again with a fresh connection.
  if (shared.closed) return openSqliteComputeStore(options);
  shared.users += 1;
  const connection = pending;
  return new SqliteComputeStore(key, shared, () => {
    shared.users -= 1;
    if (shared.users > 0) return;
    shared.closed = true;
    if (opened.get(key) === connection) opened.delete(key);
    shared.db.close();
  });
}
