import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A schema name no other test (or test process) uses. */
export function freshSchema(): string {
  return `strata_test_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** Drops a test's schema and everything in it. */
export async function dropSchema(connectionString: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}
