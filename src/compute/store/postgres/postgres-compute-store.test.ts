import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import pg from 'pg';
import { runComputeStoreConformance } from '../compute-store-conformance.js';
import { openPostgresComputeStore } from './postgres-compute-store.js';

/**
 * e.g. `postgres://postgres@127.0.0.1:5432/test`. Without it the suite is skipped with this
 * reason; with it, an unreachable server fails the suite (opening the store throws): no default
 * URL, no silent pass.
 */
const url = process.env.STRATA_TEST_POSTGRES;
const SKIP =
  !url && 'STRATA_TEST_POSTGRES is not set (e.g. postgres://user@host:5432/db): no server to test against';

/** A fresh schema per test of this run, dropped by the test's cleanup. */
function freshSchema(): string {
  return `strata_compute_test_${process.pid}_${randomBytes(4).toString('hex')}`;
}

async function dropSchema(connectionString: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

describe('PostgresComputeStore without a server', () => {
  it('rejects an unreachable server with E_CONFIG naming it, never its password', async () => {
    await assert.rejects(
      openPostgresComputeStore({
        connectionString: 'postgres://strata:secret@127.0.0.1:1/strata',
        connectTimeoutMs: 2_000,
      }),
      (err: unknown) => {
        const e = err as { code?: string; message: string; data?: Record<string, unknown> };
        assert.equal(e.code, 'E_CONFIG');
        assert.equal(e.data?.location, 'postgres://strata@127.0.0.1:1/strata');
        assert.doesNotMatch(e.message, /secret/);
        return true;
      },
    );
  });

  it('rejects a schema name that is not a plain identifier, before connecting', async () => {
    await assert.rejects(
      openPostgresComputeStore({
        connectionString: 'postgres://strata@127.0.0.1:1/strata',
        schema: 'x"; drop',
      }),
      { code: 'E_INVALID_ARGUMENT' },
    );
  });
});

describe('PostgresComputeStore', { skip: SKIP }, () => {
  const connectionString = url ?? '';

  runComputeStoreConformance('postgres', async () => {
    const schema = freshSchema();
    const open = () => openPostgresComputeStore({ connectionString, schema });
    return { store: await open(), reopen: open, cleanup: () => dropSchema(connectionString, schema) };
  });

  it('two stores opening one new schema at once migrate it once', async () => {
    const schema = freshSchema();
    try {
      const stores = await Promise.all(
        [1, 2, 3].map(() => openPostgresComputeStore({ connectionString, schema })),
      );
      for (const s of stores) await s.close();
      const client = new pg.Client({ connectionString });
      await client.connect();
      try {
        const { rows } = await client.query(`select version from "${schema}".compute_migrations`);
        assert.deepEqual(rows, [{ version: 1 }]);
      } finally {
        await client.end();
      }
    } finally {
      await dropSchema(connectionString, schema);
    }
  });

  it('a schema a newer Strata migrated is refused with E_SCHEMA_TOO_NEW', async () => {
    const schema = freshSchema();
    try {
      const first = await openPostgresComputeStore({ connectionString, schema });
      await first.close();
      const client = new pg.Client({ connectionString });
      await client.connect();
      await client.query(`insert into "${schema}".compute_migrations values (99, 'future', 'x')`);
      await client.end();
      await assert.rejects(openPostgresComputeStore({ connectionString, schema }), {
        code: 'E_SCHEMA_TOO_NEW',
        data: {
          file: first.location,
          schema: 'compute',
          version: 99,
          supported: 1,
        },
      });
    } finally {
      await dropSchema(connectionString, schema);
    }
  });
});
