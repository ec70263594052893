/**
 * The one way Strata's PostgreSQL adapters (catalog, compute store, asset store, job tables) open a
 * connection pool: the driver loaded on first use, one schema per pool through `search_path`,
 * bigints as numbers where asked, dropped idle connections forgotten, and an unreachable server reported as one
 * E_CONFIG naming where it is without the password.
 */
import type pg from 'pg';
import { ConfigError, InvalidArgumentError } from '../../errors/index.js';

/** What a schema name may be: it is quoted into `search_path`, so nothing else gets in. */
export const POSTGRES_SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

const INT8_OID = 20;

/** Options every PostgreSQL adapter takes. */
export interface PostgresPoolOptions {
  /** `postgres://user:password@host:port/database`; libpq's environment variables fill gaps. */
  readonly connectionString: string;
  /** A schema of its own, so several repositories or test runs share one database. */
  readonly schema?: string;
  /** How long to wait for the server before giving up (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** Most connections the pool opens (default 10). */
  readonly maxConnections?: number;
}

/** Refuses a schema name that could not be quoted safely into `search_path`. */
export function checkSchemaName(schema: string | undefined): void {
  if (schema !== undefined && !POSTGRES_SCHEMA_NAME.test(schema)) {
    throw new InvalidArgumentError(`invalid PostgreSQL schema name '${schema}': use letters, digits and _`, {
      schema,
    });
  }
}

/**
 * Where the server is, without the password: `postgres://[user@]host:port/db[?schema=S]`. The user
 * is not a secret and is kept where a worker reopens the store from this location.
 */
export function describePostgres(
  connectionString: string,
  schema: string | undefined,
  options: { withUser?: boolean } = {},
): string {
  let where = 'PostgreSQL';
  try {
    const url = new URL(connectionString);
    const user = options.withUser && url.username !== '' ? `${url.username}@` : '';
    where = `postgres://${user}${url.hostname}:${url.port || '5432'}${url.pathname}`;
  } catch {
    // Not a URL (libpq keywords): say only PostgreSQL.
  }
  return schema === undefined ? where : `${where}?schema=${schema}`;
}

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

/** A pool whose first connection succeeded, and that connection (to migrate with, then release). */
export interface OpenedPostgresPool {
  readonly pool: pg.Pool;
  readonly client: pg.PoolClient;
}

/**
 * Opens a pool and its first connection. `what` names the store in the error when the server cannot
 * be reached ("catalog", "compute store" …); `location` says where (see `describePostgres`).
 */
export async function openPostgresPool(
  options: PostgresPoolOptions & {
    /** bigint (`count(*)`) as a JS number; adapters that parse per query leave it off. */
    readonly bigintAsNumber?: boolean;
  },
  what: string,
  location: string,
  /** More to put in the error's data (never a password). */
  details: Record<string, string> = {},
): Promise<OpenedPostgresPool> {
  checkSchemaName(options.schema);
  // Loaded here, not at module load: the CLI bundle contains the adapters, and a command on an
  // embedded repository should not pay for the driver.
  const driver = (await import('pg')).default;
  const pool = new driver.Pool({
    connectionString: options.connectionString,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    max: options.maxConnections ?? 10,
    ...(options.bigintAsNumber ? { types: numberTypes(driver) } : {}),
    // Set at connection start, so every pooled connection sees only this schema.
    ...(options.schema === undefined ? {} : { options: `-c search_path="${options.schema}"` }),
  });
  // An idle connection the server dropped: the pool discards it and the next query reconnects.
  pool.on('error', () => {});
  try {
    const client = await pool.connect();
    return { pool, client };
  } catch (err) {
    await pool.end().catch(() => undefined);
    const reason = (err as { code?: string }).code ?? (err as Error).message;
    throw Object.assign(
      new ConfigError(`cannot reach the PostgreSQL ${what} at ${location} (${reason})`, {
        ...details,
        location,
        reason,
      }),
      { cause: err },
    );
  }
}
