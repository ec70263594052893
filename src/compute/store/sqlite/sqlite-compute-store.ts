import path from 'node:path';
import type Database from 'better-sqlite3';
import {
  decideClaim,
  type ClaimOutcome,
  type ClaimRequest,
  type ComputeCountRow,
  type ComputeKey,
  type ComputeListQuery,
  type ComputeOutcome,
  type ComputeRow,
  type ComputeStore,
  type HeldClaim,
  type StoredComputeStatus,
} from '../compute-store.js';
import { openSqlite } from '../../../catalog/sqlite/open-sqlite.js';
import { COMPUTE_STORE_SCHEMA } from './sqlite-compute-store-schema.js';
import {
  listStatement,
  prepareStatements,
  toRow,
  type RawRow,
  type Statements,
} from './sqlite-compute-store-statements.js';

/** Options of the SQLite compute store. */
export interface SqliteComputeStoreOptions {
  /** The database file (created if missing), or `:memory:` for tests. */
  readonly path: string;
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
const PAGE_SIZE = 1024;
const opened = new Map<string, Promise<Shared>>();

async function connect(file: string): Promise<Shared> {
  const db = await openSqlite(file, {
    schema: COMPUTE_STORE_SCHEMA,
    busyTimeoutMs: BUSY_TIMEOUT_MS,
    // Each commit appends whole pages (row, key index, unfinished index) to the WAL: 1 KiB pages
    // made a compute's two writes ~30 % cheaper than 4 KiB here. Only takes effect on a new file.
    pageSize: PAGE_SIZE,
    // A committed transaction survives a killed process (the WAL is in the OS cache); only a power
    // cut can lose the last ones, which for a cache means recomputing them. No fsync per write.
    synchronous: 'NORMAL',
  });
  try {
    return { db, statements: prepareStatements(db), lists: new Map(), users: 0, closed: false };
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

  /**
   * Prepared point reads in one read transaction (one snapshot), not one statement per batch: in
   * process there is no round trip to save, and a point read is cheaper than building an IN list.
   */
  getMany(keys: readonly ComputeKey[]): (ComputeRow | undefined)[] {
    const s = this.#s;
    return this.#shared.db.transaction(() =>
      keys.map((key) => {
        const raw = s.get.get(key.collection, key.id, key.argsHash);
        return raw === undefined ? undefined : toRow(raw);
      }),
    )();
  }

  claim(request: ClaimRequest): ClaimOutcome {
    const s = this.#s;
    const { key, holder } = request;
    const leaseUntilMs = request.nowMs + request.leaseMs;
    // One statement inserts a fresh pending row, or does nothing when the key has a row already.
    const insertPending = () =>
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
    const inserted = insertPending();
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
          insertPending();
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
    const s = this.#s;
    // Read both in one snapshot, so complete = total - unfinished holds.
    return this.#shared.db.transaction(() => {
      const totals = collection === undefined ? s.totalsAll.all() : s.totalsOne.all(collection);
      const unfinished = collection === undefined ? s.unfinishedAll.all() : s.unfinishedOne.all(collection);
      const out: ComputeCountRow[] = [];
      for (const { collection: name, count } of totals) {
        let complete = count;
        for (const row of unfinished) {
          if (row.collection !== name) continue;
          complete -= row.count;
          out.push(row);
        }
        if (complete > 0) out.push({ collection: name, status: 'complete', count: complete });
      }
      return out.sort((a, b) =>
        a.collection < b.collection ? -1 : a.collection > b.collection ? 1 : a.status < b.status ? -1 : 1,
      );
    })();
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
    return listStatement(this.#shared.db, this.#shared.lists, query)
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
