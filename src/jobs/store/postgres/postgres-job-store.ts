import { Kysely, PostgresDialect, sql } from 'kysely';
import { openPostgresPool } from '../../../catalog/postgres/postgres-pool.js';
import { SchemaTooNewError } from '../../../errors/index.js';
import { JOB_MIGRATIONS, type JobDatabase } from '../job-schema.js';
import { KyselyJobStore } from '../kysely-job-store.js';

/**
 * Opens (creating if needed) the job tables in PostgreSQL: the shared catalog's database and
 * schema, so every machine sees the same jobs. Migrations are numbered in `jobs_migrations` and
 * serialised by an advisory lock. `location` is `postgres://...` without a password, with
 * `?schema=` when given (what worker processes reopen; the password comes from
 * `STRATA_PG_PASSWORD` or `PGPASSWORD`).
 */
export async function openPostgresJobStore(options: {
  connectionString: string;
  schema?: string;
  maxConnections?: number;
}): Promise<KyselyJobStore> {
  const { schema } = options;
  const url = new URL(options.connectionString);
  url.password = '';
  if (schema !== undefined) url.searchParams.set('schema', schema);
  const { pool, client } = await openPostgresPool(
    { ...options, bigintAsNumber: true },
    'job tables',
    url.host,
    { host: url.host },
  );
  client.release();
  const db = new Kysely<JobDatabase>({ dialect: new PostgresDialect({ pool }) });
  try {
    await migrate(db, schema);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return new KyselyJobStore(
    db,
    { maxParameters: 10_000, skipLocked: true, destroy: () => db.destroy() },
    url.toString(),
  );
}

async function migrate(db: Kysely<JobDatabase>, schema: string | undefined): Promise<void> {
  const latest = JOB_MIGRATIONS.at(-1)!.version;
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('strata-jobs-migrate:' || ${schema ?? ''}))`.execute(trx);
    if (schema !== undefined) await sql`create schema if not exists ${sql.id(schema)}`.execute(trx);
    await sql`create table if not exists jobs_migrations (version integer primary key, name text not null, applied_at text not null)`.execute(
      trx,
    );
    const row = await sql<{
      version: number | null;
    }>`select max(version) as version from jobs_migrations`.execute(trx);
    const current = row.rows[0]?.version ?? 0;
    if (current > latest)
      throw new SchemaTooNewError({
        file: 'PostgreSQL job tables',
        schema: 'jobs',
        version: current,
        supported: latest,
      });
    for (const migration of JOB_MIGRATIONS) {
      if (migration.version <= current) continue;
      await sql.raw(migration.sql).execute(trx);
      await sql`insert into jobs_migrations (version, name, applied_at) values (${migration.version}, ${migration.name}, ${new Date().toISOString()})`.execute(
        trx,
      );
    }
  });
}
