import pg from 'pg';

/** Runs `text` on its own connection and returns the rows (tests only: setup, faults, checks). */
export async function runSql<R extends Record<string, unknown>>(
  connectionString: string,
  text: string,
  params: readonly unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return (await client.query<R>(text, [...params])).rows;
  } finally {
    await client.end();
  }
}

/**
 * Drops everything a shared repository made in `schema`: the catalog, compute and asset tables,
 * the asset search schemas and the search role (roles are cluster-wide, so they must go too).
 */
export async function dropSharedSchema(connectionString: string, schema: string): Promise<void> {
  await runSql(
    connectionString,
    `drop schema if exists "${schema}_search_file", "${schema}_search_asset", "${schema}" cascade;
     drop role if exists "strata_search_${schema}"`,
  );
}
