import type { JobStore } from './job-store.js';

const POSTGRES_URL = /^postgres(ql)?:\/\//;

/**
 * Opens the job tables at `location` (a store's `location`): a `postgres://` URL (with `?schema=`)
 * opens the PostgreSQL adapter, with the password from `STRATA_PG_PASSWORD` (or `PGPASSWORD`, which
 * the driver reads); anything else is a SQLite file. Drivers load only when used.
 */
export async function openJobStore(location: string): Promise<JobStore> {
  if (!POSTGRES_URL.test(location)) {
    const { openSqliteJobStore } = await import('./sqlite/sqlite-job-store.js');
    return openSqliteJobStore({ path: location });
  }
  const url = new URL(location);
  const schema = url.searchParams.get('schema') ?? undefined;
  url.searchParams.delete('schema');
  const password = process.env.STRATA_PG_PASSWORD;
  if (password !== undefined && url.password === '') url.password = encodeURIComponent(password);
  const { openPostgresJobStore } = await import('./postgres/postgres-job-store.js');
  return openPostgresJobStore({
    connectionString: url.toString(),
    ...(schema === undefined ? {} : { schema }),
  });
}
