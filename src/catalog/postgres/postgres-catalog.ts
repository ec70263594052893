import { Kysely, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import { ConfigError, InvalidArgumentError } from '../../errors/index.js';
import { KyselyCatalog } from '../kysely-catalog.js';
import { migrate, type MigrationDb } from '../migrations.js';
import type { CatalogSchema } from '../schema.js';

/** Options of the shared catalog. */
export interface PostgresCatalogOptions {
  /** `postgres://user:password@host:port/database`; libpq's environment variables fill gaps. */
  readonly connectionString: string;
  /** A schema of its own (created if missing), so several repositories or test runs share one database. */
  readonly schema?: string;
  /** How long to wait for the server before giving up (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** Most connections the pool opens (default 10). */
  readonly maxConnections?: number;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const INT8_OID = 20;

/**
 * Numbers as JS numbers: `double precision` and `integer` already are; `bigint` (what `count(*)`
 * returns) would otherwise arrive as a string. Per pool, so other `pg` users are left alone.
 */
function numberTypes(driver: typeof pg): pg.CustomTypesConfig {
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === INT8_OID && format !== 'binary'
        ? (value: string) => Number(value)
        : driver.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
  };
}

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
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new InvalidArgumentError(`invalid PostgreSQL schema name '${schema}': use letters, digits and _`, {
      schema,
    });
  }
  // Loaded here, not at module load: the CLI bundle contains this adapter, and a command on an
  // embedded repository should not pay for the driver.
  const driver = (await import('pg')).default;
  const pool = new driver.Pool({
    connectionString: options.connectionString,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    max: options.maxConnections ?? 10,
    types: numberTypes(driver),
    // Set at connection start, so every pooled connection sees only this schema.
    ...(schema === undefined ? {} : { options: `-c search_path="${schema}"` }),
  });
  // An idle connection the server dropped: the pool discards it and the next query reconnects.
  pool.on('error', () => {});
  const db = new Kysely<CatalogSchema>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`select 1`.execute(db).catch((err: unknown) => {
      const server = describeServer(options.connectionString);
      const reason = (err as { code?: string }).code ?? (err as Error).message;
      const message = `cannot reach the PostgreSQL catalog at ${server.host ?? '?'}:${server.port ?? '?'} (${reason})`;
      throw Object.assign(new ConfigError(message, { ...server, reason }), { cause: err });
    });
    const lock = migrationLock(schema);
    if (schema !== undefined) {
      await db.transaction().execute(async (trx) => {
        await lock(trx);
        await sql`create schema if not exists ${sql.id(schema)}`.execute(trx);
      });
    }
    const server = describeServer(options.connectionString);
    const location =
      `PostgreSQL catalog at ${server.host ?? '?'}:${server.port ?? '?'}/${server.database ?? '?'}` +
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
