import { Kysely, PostgresDialect, sql } from 'kysely';
import { KyselyCatalog } from '../kysely-catalog.js';
import { migrate, type MigrationDb } from '../migrations.js';
import type { CatalogSchema } from '../schema.js';
import { openPostgresPool, type PostgresPoolOptions } from './postgres-pool.js';

/** Options of the shared catalog (its schema is created if missing). */
export type PostgresCatalogOptions = PostgresPoolOptions;

/** Serialises migrators (and schema creation) of one schema across every process and machine. */
function migrationLock(schema: string | undefined): (trx: MigrationDb) => Promise<void> {
  const name = schema === undefined ? sql`current_schema()` : sql`${schema}`;
  return async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('strata-migrate:' || ${name}))`.execute(trx);
  };
}

/** Where the server is, without the password, for error messages. */
function describeServer(connectionString: string): Record<string, string> {
  try {
    const url = new URL(connectionString);
    return { host: url.hostname, port: url.port || '5432', database: url.pathname.slice(1) };
  } catch {
    return {};
  }
}

/**
 * Opens (creating its tables if needed) a catalog in PostgreSQL, for repositories shared by many
 * users and machines. Lock acquisition is serialised by `LOCK TABLE ... IN EXCLUSIVE MODE`;
 * migrations by an advisory lock, so concurrent first opens do not collide.
 *
 * @example
 * const catalog = await openPostgresCatalog({ connectionString: 'postgres://strata@db/strata', schema: 'team_a' });
 */
export async function openPostgresCatalog(options: PostgresCatalogOptions): Promise<KyselyCatalog> {
  const { schema } = options;
  const server = describeServer(options.connectionString);
  const where = `${server.host ?? '?'}:${server.port ?? '?'}`;
  const { pool, client } = await openPostgresPool(
    { ...options, bigintAsNumber: true },
    'catalog',
    where,
    server,
  );
  client.release();
  const db = new Kysely<CatalogSchema>({ dialect: new PostgresDialect({ pool }) });
  try {
    const lock = migrationLock(schema);
    if (schema !== undefined) {
      await db.transaction().execute(async (trx) => {
        await lock(trx);
        await sql`create schema if not exists ${sql.id(schema)}`.execute(trx);
      });
    }
    const location =
      `PostgreSQL catalog at ${where}/${server.database ?? '?'}` +
      (schema === undefined ? '' : ` (schema ${schema})`);
    await migrate(db, { lock, location });
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return new KyselyCatalog(db, {
    dialect: 'postgres',
    // The protocol allows 65535 bound parameters; smaller statements plan faster.
    maxParameters: 10_000,
    async lockTableForUpdate(trx, table) {
      // Blocks other lock acquisitions and writers until commit; plain reads go on.
      await sql`lock table ${sql.table(table)} in exclusive mode`.execute(trx);
    },
    async destroy() {
      await db.destroy();
    },
  });
}
