import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { runCatalogConformance } from '../catalog-conformance.js';
import { MIGRATIONS } from '../migrations.js';
import { openPostgresCatalog } from './postgres-catalog.js';

/** e.g. `postgres://postgres@127.0.0.1:5432/test`; the suite needs a server, so it is opt-in. */
const url = process.env.STRATA_TEST_POSTGRES;
const SKIP = !url && 'set STRATA_TEST_POSTGRES=postgres://user@host:5432/db to run';

function freshSchema(): string {
  return `strata_test_${process.pid}_${randomBytes(4).toString('hex')}`;
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

describe('PostgresCatalog without a server', () => {
  it('rejects an unreachable server quickly with E_CONFIG', async () => {
    const started = Date.now();
    await assert.rejects(
      openPostgresCatalog({
        connectionString: 'postgres://strata@127.0.0.1:1/strata',
        connectTimeoutMs: 2_000,
      }),
      (err: unknown) => {
        // Names the server (never the password); `reason` is the driver's code, e.g. ECONNREFUSED.
        const e = err as { code?: string; data?: Record<string, unknown> };
        assert.equal(e.code, 'E_CONFIG');
        assert.deepEqual([e.data?.host, e.data?.port, e.data?.database], ['127.0.0.1', '1', 'strata']);
        assert.equal(typeof e.data?.reason, 'string');
        return true;
      },
    );
    assert.ok(Date.now() - started < 5_000);
  });

  it('rejects a schema name that is not a plain identifier, before connecting', async () => {
    await assert.rejects(
      openPostgresCatalog({ connectionString: 'postgres://strata@127.0.0.1:1/strata', schema: 'x"; drop' }),
      { code: 'E_INVALID_ARGUMENT' },
    );
  });
});

describe('PostgresCatalog', { skip: SKIP }, () => {
  const connectionString = url ?? '';

  runCatalogConformance('postgres', async () => {
    const schema = freshSchema();
    return {
      catalog: await openPostgresCatalog({ connectionString, schema }),
      reopen: () => openPostgresCatalog({ connectionString, schema }),
      cleanup: () => dropSchema(connectionString, schema),
    };
  });

  it('creates a missing schema once when many clients open it at the same moment', async () => {
    const schema = freshSchema();
    try {
      const catalogs = await Promise.all(
        Array.from({ length: 6 }, () => openPostgresCatalog({ connectionString, schema })),
      );
      await catalogs[0]!.updateRef('refs/heads/main', 'c1', null);
      const { rows } = await sql<{ schema: string; versions: number }>`
        select current_schema() as schema, (select count(*) from strata_migrations) as versions`.execute(
        catalogs[5]!.db,
      );
      // Each migration applied exactly once, whatever the number of concurrent openers.
      assert.deepEqual(rows, [{ schema, versions: MIGRATIONS.length }]);
      assert.equal((await catalogs[5]!.getRef('refs/heads/main'))?.target, 'c1');
      for (const c of catalogs) await c.close();
    } finally {
      await dropSchema(connectionString, schema);
    }
  });

  it('keeps catalogs in different schemas apart', async () => {
    const [a, b] = [freshSchema(), freshSchema()];
    try {
      const first = await openPostgresCatalog({ connectionString, schema: a });
      const second = await openPostgresCatalog({ connectionString, schema: b });
      await first.updateRef('refs/heads/main', 'c1', null);
      await second.updateRef('refs/heads/main', 'c2', null);
      assert.equal((await first.getRef('refs/heads/main'))?.target, 'c1');
      assert.equal((await second.getRef('refs/heads/main'))?.target, 'c2');
      await first.close();
      await second.close();
    } finally {
      await dropSchema(connectionString, a);
      await dropSchema(connectionString, b);
    }
  });
});
