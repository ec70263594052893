import type pg from 'pg';
import { SchemaTooNewError } from '../../../errors/index.js';

/**
 * The schema history of the compute store on PostgreSQL, the counterpart of `compute.db`'s.
 * Ids are any string, NUL included, which PostgreSQL text cannot hold: they are stored as their
 * UTF-8 bytes (`bytea`), which also orders them byte by byte as SQLite does; other text keys use
 * the "C" collation for the same order; times are `double precision` (exact integers up to 2^53, JS numbers from the driver).
 */
const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'computed resources',
    sql: `
      CREATE TABLE computed (
        collection     text COLLATE "C" NOT NULL,
        id             bytea NOT NULL,
        args_hash      text COLLATE "C" NOT NULL,
        args           text NOT NULL,
        status         text COLLATE "C" NOT NULL CHECK (status IN ('pending', 'complete', 'error')),
        code_version   text NOT NULL,
        started_ms     double precision,
        ended_ms       double precision,
        result         text,
        error          text,
        pid            integer,
        host           text,
        token          text,
        lease_until_ms double precision,
        attempts       integer NOT NULL,
        dir            text,
        PRIMARY KEY (collection, id, args_hash)
      );
      CREATE INDEX computed_unfinished ON computed (collection, status, id, args_hash) WHERE status != 'complete';
    `,
  },
];

const LATEST = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Brings the tables up to date in one transaction under an advisory lock named after the schema,
 * so concurrent first opens (any process, any machine) run each migration once; a schema a newer
 * Strata migrated is refused with E_SCHEMA_TOO_NEW.
 */
export async function migratePostgresComputeStore(
  client: pg.PoolClient,
  location: string,
  schema: string | undefined,
): Promise<void> {
  await client.query('BEGIN');
  try {
    // Named by the schema given, not current_schema(): that is NULL until the schema exists.
    await client.query(
      "SELECT pg_advisory_xact_lock(hashtext('strata-compute-migrate:' || coalesce($1::text, current_schema())))",
      [schema ?? null],
    );
    if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(
      'CREATE TABLE IF NOT EXISTS compute_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)',
    );
    const { rows } = await client.query<{ version: number | null }>(
      'SELECT max(version) AS version FROM compute_migrations',
    );
    const current = rows[0]?.version ?? 0;
    if (current > LATEST)
      throw new SchemaTooNewError({ file: location, schema: 'compute', version: current, supported: LATEST });
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO compute_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        new Date().toISOString(),
      ]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
