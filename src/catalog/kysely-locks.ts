import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import { InvalidArgumentError, LockError } from '../errors/index.js';
import type { CatalogDialectAdapter } from './dialect-adapter.js';
import type { Connection } from './kysely-connection.js';
import { byKey } from './order.js';
import {
  DEFAULT_LOCK_LEASE_MS,
  type AcquireLockOptions,
  type LockGrant,
  type LockHolder,
  type LockRecord,
  type LockTable,
} from './ports/locks.js';
import type { CatalogSchema } from './schema.js';

type LockRow = CatalogSchema['locks'];
type Db = Kysely<CatalogSchema> | Transaction<CatalogSchema>;

/**
 * The catalog's clock in ms since the epoch. Leases are judged by one clock, the database's, so
 * hosts whose clocks disagree still agree on whether a lease expired. SQLite runs in this process:
 * its clock is ours.
 */
async function catalogNowMs(db: Db, adapter: CatalogDialectAdapter): Promise<number> {
  if (adapter.dialect !== 'postgres') return Date.now();
  const { rows } = await sql<{
    now: number;
  }>`select (extract(epoch from clock_timestamp()) * 1000)::double precision as now`.execute(db);
  return Number(rows[0]!.now);
}

function checkLeaseMs(leaseMs: number): number {
  if (!Number.isFinite(leaseMs) || leaseMs <= 0)
    throw new InvalidArgumentError(`a lock lease must be a positive number of ms, not ${leaseMs}`, {
      leaseMs,
    });
  return leaseMs;
}

function isExpired(row: LockRow, nowMs: number): boolean {
  return row.lease_until !== null && Number(row.lease_until) < nowMs;
}

function toLockRecord(row: LockRow, nowMs: number): LockRecord {
  return {
    name: row.name,
    pid: Number(row.pid),
    host: row.host,
    startedAt: row.started_at,
    command: row.command,
    leaseUntil: row.lease_until === null ? null : new Date(Number(row.lease_until)).toISOString(),
    leaseExpired: isExpired(row, nowMs),
  };
}

/** `LockTable.acquireLocks` over Kysely: one serialised transaction that reads, takes over, inserts. */
export async function acquireLocks(
  db: Kysely<CatalogSchema>,
  adapter: CatalogDialectAdapter,
  names: readonly string[],
  holder: LockHolder,
  options: AcquireLockOptions = {},
): Promise<LockGrant> {
  const exclusive = options.exclusive === true;
  const leaseMs = checkLeaseMs(options.leaseMs ?? DEFAULT_LOCK_LEASE_MS);
  const wanted = [...new Set(names)];
  if (wanted.length === 0)
    throw new InvalidArgumentError('acquireLocks needs at least one lock name', { names });
  const token = randomUUID();
  return db.transaction().execute(async (trx) => {
    await adapter.lockTableForUpdate(trx, 'locks');
    const held = await trx.selectFrom('locks').selectAll().execute();
    const nowMs = await catalogNowMs(trx, adapter);
    // Blocked by the same name, by an exclusive holder (gc), or, when exclusive, by anyone.
    const blocks = (l: LockRow) => wanted.includes(l.name) || Number(l.exclusive) === 1 || exclusive;
    const blocking =
      held.find((l) => wanted.includes(l.name) && !isExpired(l, nowMs)) ??
      held.find((l) => blocks(l) && !isExpired(l, nowMs));
    if (blocking) {
      const record = toLockRecord(blocking, nowMs);
      const why = wanted.includes(record.name) ? '' : ' (it excludes this operation)';
      const lease = record.leaseUntil ? `, lease until ${record.leaseUntil}` : '';
      throw new LockError(
        `lock '${record.name}' is held by pid ${record.pid} on ${record.host} since ${record.startedAt} (${record.command}${lease})${why}`,
        { lock: record.name, holder: record },
      );
    }
    // An expired lock that would have blocked us is removed, not ignored: left in place, its
    // holder's next renewal would succeed and two writers would both believe they hold it.
    const takenOver = held.filter((l) => blocks(l) && isExpired(l, nowMs));
    if (takenOver.length > 0)
      await trx
        .deleteFrom('locks')
        .where(
          'name',
          'in',
          takenOver.map((l) => l.name),
        )
        .execute();
    const leaseUntil = nowMs + leaseMs;
    await trx
      .insertInto('locks')
      .values(
        wanted.map((name) => ({
          name,
          pid: holder.pid,
          host: holder.host,
          started_at: holder.startedAt,
          command: holder.command,
          exclusive: exclusive ? 1 : 0,
          token,
          lease_until: leaseUntil,
        })),
      )
      .execute();
    return {
      token,
      leaseUntil: new Date(leaseUntil).toISOString(),
      takenOver: takenOver.map((l) => toLockRecord(l, nowMs)),
    };
  });
}

/** `LockTable.renewLocks`: a compare-and-swap on the token, so a holder that lost a lock learns it. */
export async function renewLocks(
  db: Kysely<CatalogSchema>,
  adapter: CatalogDialectAdapter,
  names: readonly string[],
  token: string,
  leaseMs = DEFAULT_LOCK_LEASE_MS,
): Promise<boolean> {
  checkLeaseMs(leaseMs);
  const wanted = [...new Set(names)];
  if (wanted.length === 0) return true;
  const nowMs = await catalogNowMs(db, adapter);
  const result = await db
    .updateTable('locks')
    .set({ lease_until: nowMs + leaseMs })
    .where('name', 'in', wanted)
    .where('token', '=', token)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === wanted.length;
}

/** `LockTable.releaseLocks`: by token when given (exactly this acquisition), else by pid and host. */
export async function releaseLocks(
  db: Kysely<CatalogSchema>,
  names: readonly string[],
  holder: Pick<LockHolder, 'pid' | 'host'> & { readonly token?: string },
): Promise<void> {
  if (names.length === 0) return;
  let query = db.deleteFrom('locks').where('name', 'in', names);
  query =
    holder.token !== undefined
      ? query.where('token', '=', holder.token)
      : query.where('pid', '=', holder.pid).where('host', '=', holder.host);
  await query.execute();
}

/** `LockTable.forceReleaseLock`; with `ifLeaseExpired`, judged under the table lock. */
export async function forceReleaseLock(
  db: Kysely<CatalogSchema>,
  adapter: CatalogDialectAdapter,
  name: string,
  options: { ifLeaseExpired?: boolean } = {},
): Promise<LockRecord | undefined> {
  return db.transaction().execute(async (trx) => {
    await adapter.lockTableForUpdate(trx, 'locks');
    const row = await trx.selectFrom('locks').selectAll().where('name', '=', name).executeTakeFirst();
    if (!row) return undefined;
    const nowMs = await catalogNowMs(trx, adapter);
    if (options.ifLeaseExpired && !isExpired(row, nowMs)) return undefined;
    await trx.deleteFrom('locks').where('name', '=', name).execute();
    return toLockRecord(row, nowMs);
  });
}

/** `LockTable.listLocks`, unsorted: each record says whether its lease expired by the catalog's clock. */
export async function listLocks(
  db: Kysely<CatalogSchema>,
  adapter: CatalogDialectAdapter,
): Promise<LockRecord[]> {
  const rows = await db.selectFrom('locks').selectAll().execute();
  const nowMs = await catalogNowMs(db, adapter);
  return rows.map((row) => toLockRecord(row, nowMs));
}

/** The lock table over Kysely: each operation one serialised transaction or one conditional statement. */
export class KyselyLockTable implements LockTable {
  constructor(
    private readonly connection: Connection,
    private readonly adapter: CatalogDialectAdapter,
  ) {}

  acquireLocks(
    names: readonly string[],
    holder: LockHolder,
    options?: AcquireLockOptions,
  ): Promise<LockGrant> {
    return acquireLocks(this.connection(), this.adapter, names, holder, options);
  }

  renewLocks(names: readonly string[], token: string, leaseMs?: number): Promise<boolean> {
    return renewLocks(this.connection(), this.adapter, names, token, leaseMs);
  }

  releaseLocks(
    names: readonly string[],
    holder: Pick<LockHolder, 'pid' | 'host'> & { readonly token?: string },
  ): Promise<void> {
    return releaseLocks(this.connection(), names, holder);
  }

  forceReleaseLock(name: string, options?: { ifLeaseExpired?: boolean }): Promise<LockRecord | undefined> {
    return forceReleaseLock(this.connection(), this.adapter, name, options);
  }

  async listLocks(): Promise<LockRecord[]> {
    return (await listLocks(this.connection(), this.adapter)).sort(byKey((l) => l.name));
  }
}
