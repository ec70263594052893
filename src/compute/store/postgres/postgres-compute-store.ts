import type pg from 'pg';
import {
  checkSchemaName,
  describePostgres,
  openPostgresPool,
  type PostgresPoolOptions,
} from '../../../catalog/postgres/postgres-pool.js';
import {
  decideClaim,
  GET_MANY_BATCH,
  keyString,
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
import { migratePostgresComputeStore } from './postgres-compute-store-schema.js';

/** Options of the compute store on PostgreSQL (its schema is created if missing). */
export type PostgresComputeStoreOptions = PostgresPoolOptions;

/** A row as the driver returns it (numbers already numbers: see the column types). */
interface RawRow {
  collection: string;
  /** UTF-8 bytes: see the schema. */
  id: Buffer;
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
    id: raw.id.toString('utf8'),
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

const KEY = 'collection = $1 AND id = $2 AND args_hash = $3';
const INSERT = `INSERT INTO computed (collection, id, args_hash, args, status, code_version, started_ms, pid, host, token, lease_until_ms, attempts)
  VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8, $9, $10, 1) ON CONFLICT (collection, id, args_hash) DO NOTHING`;
/** An id as stored: its UTF-8 bytes. */
const bytes = (id: string) => Buffer.from(id, 'utf8');
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The compute store on PostgreSQL through `pg`, for repositories whose compute state is shared
 * between machines. Claims are one `INSERT ... ON CONFLICT DO NOTHING`, or one transaction that
 * locks the row (`SELECT ... FOR UPDATE`), decides and takes over, so two processes never both
 * claim a key; finish, retry and renew only touch a pending row whose token is the caller's.
 */
export class PostgresComputeStore implements ComputeStore {
  readonly location: string;
  readonly #pool: pg.Pool;
  #closed = false;

  constructor(location: string, pool: pg.Pool) {
    this.location = location;
    this.#pool = pool;
  }

  async #query<R extends pg.QueryResultRow>(
    text: string,
    values: unknown[] = [],
  ): Promise<pg.QueryResult<R>> {
    if (this.#closed) throw new Error(`compute store ${this.location} is closed`);
    return this.#pool.query<R>(text, values);
  }

  async get(key: ComputeKey): Promise<ComputeRow | undefined> {
    const { rows } = await this.#query<RawRow>(`SELECT * FROM computed WHERE ${KEY}`, [
      key.collection,
      bytes(key.id),
      key.argsHash,
    ]);
    return rows[0] === undefined ? undefined : toRow(rows[0]);
  }

  async getMany(keys: readonly ComputeKey[]): Promise<(ComputeRow | undefined)[]> {
    const found = new Map<string, ComputeRow>();
    const batches: ComputeKey[][] = [];
    for (let start = 0; start < keys.length; start += GET_MANY_BATCH)
      batches.push(keys.slice(start, start + GET_MANY_BATCH));
    // One statement per batch, the batches in flight together on the pool's connections: the
    // server joins one batch while this thread decodes another.
    await Promise.all(
      batches.map(async (batch) => {
        // The keys travel as parallel arrays, joined on the primary key.
        const { rows } = await this.#query<RawRow>(
          `SELECT c.* FROM computed c
           JOIN unnest($1::text[], $2::bytea[], $3::text[]) AS k(collection, id, args_hash)
             ON c.collection = k.collection AND c.id = k.id AND c.args_hash = k.args_hash`,
          [batch.map((k) => k.collection), batch.map((k) => bytes(k.id)), batch.map((k) => k.argsHash)],
        );
        for (const raw of rows) {
          const row = toRow(raw);
          found.set(keyString(row), row);
        }
      }),
    );
    return keys.map((k) => found.get(keyString(k)));
  }

  async claim(request: ClaimRequest): Promise<ClaimOutcome> {
    const { key, holder } = request;
    const leaseUntilMs = request.nowMs + request.leaseMs;
    const insertValues = [
      key.collection,
      bytes(key.id),
      key.argsHash,
      request.args,
      request.codeVersion,
      request.nowMs,
      holder.pid,
      holder.host,
      holder.token,
      leaseUntilMs,
    ];
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
    if ((await this.#query(INSERT, insertValues)).rowCount === 1)
      return { kind: 'claimed', row: fresh(1), previous: undefined };
    if (this.#closed) throw new Error(`compute store ${this.location} is closed`);
    const client = await this.#pool.connect();
    let outcome: ClaimOutcome | undefined;
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<RawRow>(`SELECT * FROM computed WHERE ${KEY} FOR UPDATE`, [
        key.collection,
        bytes(key.id),
        key.argsHash,
      ]);
      const row = rows[0] === undefined ? undefined : toRow(rows[0]);
      const kind = decideClaim(row, request);
      if (kind !== 'claimed') outcome = { kind, row: row! };
      else if (row === undefined) {
        // Deleted since the insert failed: insert again; a concurrent claimer may win that race.
        if ((await client.query(INSERT, insertValues)).rowCount === 1)
          outcome = { kind, row: fresh(1), previous: undefined };
      } else {
        await client.query(
          `UPDATE computed SET args = $4, status = 'pending', code_version = $5, started_ms = $6, ended_ms = NULL,
             result = NULL, error = NULL, pid = $7, host = $8, token = $9, lease_until_ms = $10,
             attempts = attempts + 1, dir = NULL
           WHERE ${KEY}`,
          insertValues,
        );
        outcome = { kind, row: fresh(row.attempts + 1), previous: row };
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
    // Lost the re-insert race: decide again against the winner's row.
    return outcome ?? this.claim(request);
  }

  async finish(
    claim: HeldClaim,
    outcome: ComputeOutcome,
    endedMs: number,
    dir: string | null,
  ): Promise<boolean> {
    const { key } = claim;
    const result = outcome.status === 'complete' ? outcome.result : null;
    const error = outcome.status === 'error' ? JSON.stringify(outcome.error) : null;
    const done = await this.#query(
      `UPDATE computed SET status = $5, ended_ms = $6, result = $7, error = $8, lease_until_ms = NULL, dir = $9
       WHERE ${KEY} AND token = $4 AND status = 'pending'`,
      [key.collection, bytes(key.id), key.argsHash, claim.token, outcome.status, endedMs, result, error, dir],
    );
    return done.rowCount === 1;
  }

  async retry(claim: HeldClaim, leaseUntilMs: number): Promise<boolean> {
    const { key } = claim;
    const done = await this.#query(
      `UPDATE computed SET attempts = attempts + 1, lease_until_ms = $5
       WHERE ${KEY} AND token = $4 AND status = 'pending'`,
      [key.collection, bytes(key.id), key.argsHash, claim.token, leaseUntilMs],
    );
    return done.rowCount === 1;
  }

  async renew(claims: readonly HeldClaim[], leaseUntilMs: number): Promise<number> {
    if (claims.length === 0) return 0;
    // One statement for every claim: the keys travel as parallel arrays.
    const done = await this.#query(
      `UPDATE computed c SET lease_until_ms = $1
       FROM unnest($2::text[], $3::bytea[], $4::text[], $5::text[]) AS k(collection, id, args_hash, token)
       WHERE c.collection = k.collection AND c.id = k.id AND c.args_hash = k.args_hash
         AND c.token = k.token AND c.status = 'pending'`,
      [
        leaseUntilMs,
        claims.map((c) => c.key.collection),
        claims.map((c) => bytes(c.key.id)),
        claims.map((c) => c.key.argsHash),
        claims.map((c) => c.token),
      ],
    );
    return done.rowCount ?? 0;
  }

  async counts(collection?: string): Promise<ComputeCountRow[]> {
    const { rows } = await this.#query<ComputeCountRow>(
      `SELECT collection, status, count(*)::integer AS count FROM computed
       ${collection === undefined ? '' : 'WHERE collection = $1'} GROUP BY collection, status`,
      collection === undefined ? [] : [collection],
    );
    return rows.sort((a, b) => compare(a.collection, b.collection) || compare(a.status, b.status));
  }

  async pending(collection?: string): Promise<ComputeRow[]> {
    const { rows } = await this.#query<RawRow>(
      `SELECT * FROM computed WHERE status = 'pending' ${collection === undefined ? '' : 'AND collection = $1'}
       ORDER BY collection, id, args_hash`,
      collection === undefined ? [] : [collection],
    );
    return rows.map(toRow);
  }

  async list(query: ComputeListQuery): Promise<ComputeRow[]> {
    const values: unknown[] = [query.collection];
    const filters = ['collection = $1'];
    if (query.status !== undefined) filters.push(`status = $${values.push(query.status)}`);
    if (query.id !== undefined) filters.push(`id = $${values.push(bytes(query.id))}`);
    const afterId = values.push(bytes(query.after?.id ?? ''));
    const afterHash = values.push(query.after?.argsHash ?? '');
    const limit = values.push(query.limit);
    const { rows } = await this.#query<RawRow>(
      `SELECT * FROM computed WHERE ${filters.join(' AND ')} AND (id, args_hash) > ($${afterId}::bytea, $${afterHash})
       ORDER BY id, args_hash LIMIT $${limit}`,
      values,
    );
    return rows.map(toRow);
  }

  async collections(): Promise<string[]> {
    const { rows } = await this.#query<{ collection: string }>(
      'SELECT DISTINCT collection FROM computed ORDER BY collection',
    );
    return rows.map((r) => r.collection);
  }

  async delete(key: ComputeKey): Promise<ComputeRow | undefined> {
    const { rows } = await this.#query<RawRow>(`DELETE FROM computed WHERE ${KEY} RETURNING *`, [
      key.collection,
      bytes(key.id),
      key.argsHash,
    ]);
    return rows[0] === undefined ? undefined : toRow(rows[0]);
  }

  async clear(collection: string, status?: StoredComputeStatus): Promise<ComputeKey[]> {
    const { rows } = await this.#query<{ id: Buffer; args_hash: string }>(
      `DELETE FROM computed WHERE collection = $1 ${status === undefined ? '' : 'AND status = $2'}
       RETURNING id, args_hash`,
      status === undefined ? [collection] : [collection, status],
    );
    return rows.map((r) => ({ collection, id: r.id.toString('utf8'), argsHash: r.args_hash }));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }
}

/**
 * Opens (creating its schema and tables if needed) the compute store in PostgreSQL. An unreachable
 * server is an E_CONFIG naming it (never the password); a schema a newer Strata migrated is
 * E_SCHEMA_TOO_NEW.
 */
export async function openPostgresComputeStore(
  options: PostgresComputeStoreOptions,
): Promise<PostgresComputeStore> {
  checkSchemaName(options.schema);
  const location = describePostgres(options.connectionString, options.schema, { withUser: true });
  const { pool, client } = await openPostgresPool(options, 'compute store', location);
  try {
    await migratePostgresComputeStore(client, location, options.schema);
  } catch (err) {
    client.release();
    await pool.end();
    throw err;
  }
  client.release();
  return new PostgresComputeStore(location, pool);
}
