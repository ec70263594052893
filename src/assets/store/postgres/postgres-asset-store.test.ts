import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { runAssetStoreConformance, storedAsset, storedFile } from '../asset-store-conformance.js';
import { DEFAULT_SEARCH_LIMITS } from '../search-limits.js';
import { openPostgresAssetStore, type PostgresAssetStore } from './postgres-asset-store.js';

/**
 * e.g. `postgres://postgres@127.0.0.1:5432/test`. Without it the suites are skipped with this
 * reason; with it, an unreachable server fails them (opening the store throws): no default URL,
 * no silent pass.
 */
const url = process.env.STRATA_TEST_POSTGRES;
const SKIP =
  !url && 'STRATA_TEST_POSTGRES is not set (e.g. postgres://user@host:5432/db): no server to test against';

/** A fresh schema per test of this run, dropped (with its search schemas and role) by cleanup. */
function freshSchema(): string {
  return `strata_asset_test_${process.pid}_${randomBytes(4).toString('hex')}`;
}

async function sql(connectionString: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function dropSchema(connectionString: string, schema: string): Promise<void> {
  await sql(
    connectionString,
    `drop schema if exists "${schema}_search_file", "${schema}_search_asset", "${schema}" cascade;
     drop role if exists "strata_search_${schema}"`,
  );
}

const NO_CHANGES = { putFiles: [], deleteFiles: [], putAssets: [], deleteAssets: [] };

describe('PostgresAssetStore without a server', () => {
  it('rejects an unreachable server with E_CONFIG naming it, never its password', async () => {
    await assert.rejects(
      openPostgresAssetStore({
        connectionString: 'postgres://strata:secret@127.0.0.1:1/strata',
        connectTimeoutMs: 2_000,
      }),
      (err: unknown) => {
        const e = err as { code?: string; message: string; data?: Record<string, unknown> };
        assert.equal(e.code, 'E_CONFIG');
        assert.equal(e.data?.location, 'postgres://127.0.0.1:1/strata?schema=public');
        assert.doesNotMatch(e.message, /secret/);
        return true;
      },
    );
  });

  it('rejects a schema name that is not a plain identifier, before connecting', async () => {
    await assert.rejects(
      openPostgresAssetStore({
        connectionString: 'postgres://strata@127.0.0.1:1/strata',
        schema: 'x"; drop',
      }),
      { code: 'E_INVALID_ARGUMENT' },
    );
  });
});

describe('PostgresAssetStore', { skip: SKIP }, () => {
  const connectionString = url ?? '';

  runAssetStoreConformance('postgres', async () => {
    const schema = freshSchema();
    const open = () => openPostgresAssetStore({ connectionString, schema });
    return { store: await open(), reopen: open, cleanup: () => dropSchema(connectionString, schema) };
  });

  it('a schema a newer Strata migrated is refused with E_SCHEMA_TOO_NEW', async () => {
    const schema = freshSchema();
    try {
      const first = await openPostgresAssetStore({ connectionString, schema });
      await first.close();
      await sql(connectionString, `insert into "${schema}".asset_migrations values (99, 'future', 'x')`);
      await assert.rejects(openPostgresAssetStore({ connectionString, schema }), {
        code: 'E_SCHEMA_TOO_NEW',
        data: { file: first.location, schema: 'asset', version: 99, supported: 1 },
      });
    } finally {
      await dropSchema(connectionString, schema);
    }
  });

  it('stores opening one new schema at once migrate it once and share one search role', async () => {
    const schema = freshSchema();
    try {
      const stores = await Promise.all(
        [1, 2, 3].map(() => openPostgresAssetStore({ connectionString, schema })),
      );
      for (const s of stores) await s.close();
      const client = new pg.Client({ connectionString });
      await client.connect();
      try {
        const { rows } = await client.query(`select version from "${schema}".asset_migrations`);
        assert.deepEqual(rows, [{ version: 1 }]);
      } finally {
        await client.end();
      }
    } finally {
      await dropSchema(connectionString, schema);
    }
  });

  describe('search runs read-only, time-limited, as a restricted role', () => {
    const schema = freshSchema();
    const other = freshSchema();
    let store: PostgresAssetStore;

    before(async () => {
      store = await openPostgresAssetStore({ connectionString, schema });
      await store.apply({
        ...NO_CHANGES,
        putFiles: [storedFile('f1', 'A'), storedFile('f2', 'A'), storedFile('f3', null)],
        putAssets: [storedAsset('A', true, ['f1', 'f2'])],
      });
      // Another repository's store in the same database: its tables must stay out of reach.
      const neighbour = await openPostgresAssetStore({ connectionString, schema: other });
      await neighbour.apply({ ...NO_CHANGES, putFiles: [storedFile('secret', null)] });
      await neighbour.close();
    });
    after(async () => {
      await store.close();
      await dropSchema(connectionString, schema);
      await dropSchema(connectionString, other);
    });

    it('runs as the search role, which is no superuser', async () => {
      const [row] = await store.search(
        'SELECT current_user AS who, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS sup',
        'file',
      );
      assert.deepEqual(row, { who: `strata_search_${schema}`, sup: false });
    });

    it("superuser functions are refused: pg_read_file('/etc/passwd'), pg_ls_dir", async () => {
      await assert.rejects(store.search("SELECT pg_read_file('/etc/passwd')", 'file'), {
        code: 'E_INVALID_ARGUMENT',
      });
      await assert.rejects(store.search("SELECT * FROM pg_ls_dir('/')", 'file'), {
        code: 'E_INVALID_ARGUMENT',
      });
    });

    it('the role cannot be switched back: set_config, dynamic SQL and U& names are refused', async () => {
      for (const text of [
        "SELECT set_config('role', 'postgres', true)",
        "SELECT pg_catalog.\"set_config\"('role', 'postgres', true)",
        "SELECT query_to_xml('select 1', true, true, '')",
        "SELECT * FROM ts_stat('select 1')",
        "SELECT U&\"set\\005fconfig\"('role', 'postgres', true)",
      ])
        await assert.rejects(store.search(text, 'file'), { code: 'E_INVALID_ARGUMENT' }, text);
    });

    it('a role switch the name check cannot see (inside a function) is caught: no rows, E_INVALID_ARGUMENT', async () => {
      // A function someone with rights created where the search can call it: its body is not checked.
      await sql(
        connectionString,
        `create function "${schema}_search_file".hop() returns text language sql
           as $$ select set_config('role', 'none', true) $$`,
      );
      await assert.rejects(store.search('SELECT hop() AS h', 'file'), {
        code: 'E_INVALID_ARGUMENT',
      });
    });

    it('writes are refused, even inside a data-modifying WITH or after a first statement', async () => {
      for (const text of [
        'WITH gone AS (DELETE FROM files RETURNING 1) SELECT * FROM gone',
        'SELECT 1; DELETE FROM files',
      ])
        await assert.rejects(store.search(text, 'file'), { code: 'E_INVALID_ARGUMENT' }, text);
      assert.equal((await store.files()).length, 3);
    });

    it("another schema's tables are not readable", async () => {
      await assert.rejects(store.search(`SELECT * FROM "${other}".files`, 'file'), {
        code: 'E_INVALID_ARGUMENT',
      });
      await assert.rejects(store.search(`SELECT * FROM "${other}_search_file".data`, 'file'), {
        code: 'E_INVALID_ARGUMENT',
      });
    });

    it('SELECT pg_sleep(10) stops at a 0.5 s time limit with E_QUERY_TIMEOUT', async () => {
      const started = Date.now();
      await assert.rejects(
        store.search('SELECT pg_sleep(10)', 'file', { ...DEFAULT_SEARCH_LIMITS, timeoutMs: 500 }),
        {
          code: 'E_QUERY_TIMEOUT',
        },
      );
      // The server cancels it: far sooner than the 10 s the statement asks for.
      assert.ok(Date.now() - started < 8_000);
      // The connection is usable afterwards.
      assert.equal((await store.search('SELECT * FROM data', 'file')).length, 3);
    });

    it('a running search does not block an apply', async () => {
      const search = store.search('SELECT file_id, pg_sleep(30) FROM data LIMIT 1', 'file', {
        ...DEFAULT_SEARCH_LIMITS,
        timeoutMs: 60_000,
      });
      let settled = false;
      void search.then(
        () => (settled = true),
        () => (settled = true),
      );
      const watcher = new pg.Client({ connectionString });
      await watcher.connect();
      try {
        // Readiness: the search's cursor is being read on the server, sleeping in pg_sleep.
        let pid: number | undefined;
        while (pid === undefined) {
          const { rows } = await watcher.query<{ pid: number }>(
            "select pid from pg_stat_activity where query like 'FETCH % FROM strata_search' and wait_event = 'PgSleep'",
          );
          pid = rows[0]?.pid;
        }
        await store.apply({ ...NO_CHANGES, putFiles: [storedFile('f4', null)] });
        await store.apply({ ...NO_CHANGES, deleteFiles: ['f4'] });
        assert.equal(settled, false, 'the applies waited for the search');
        await watcher.query('select pg_cancel_backend($1)', [pid]);
      } finally {
        await watcher.end();
      }
      // Cancelled from outside: the same SQLSTATE as the time limit.
      await assert.rejects(search, { code: 'E_QUERY_TIMEOUT' });
    });

    it('row and byte limits stop an endless result early with E_QUERY_TOO_LARGE', async () => {
      const endless = 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i FROM n';
      await assert.rejects(store.search(endless, 'file', { ...DEFAULT_SEARCH_LIMITS, maxRows: 100 }), {
        code: 'E_QUERY_TOO_LARGE',
        data: { limit: 'rows', max: 100, option: '--max-rows', configKey: 'search.max_rows' },
      });
      await assert.rejects(
        store.search(
          `${endless.replace('SELECT i FROM n', "SELECT repeat('x', 1000) AS s FROM n")}`,
          'file',
          {
            ...DEFAULT_SEARCH_LIMITS,
            maxBytes: 10_000,
          },
        ),
        {
          code: 'E_QUERY_TOO_LARGE',
          data: { limit: 'bytes', max: 10_000, option: '--max-bytes', configKey: 'search.max_bytes' },
        },
      );
      assert.deepEqual(await store.search('SELECT count(*) AS n FROM data', 'asset'), [{ n: 1 }]);
    });
  });
});

describe('PostgresAssetStore opened by a user that is no superuser', { skip: SKIP }, () => {
  const connectionString = url ?? '';
  const suffix = `${process.pid}_${randomBytes(4).toString('hex')}`;

  /** A login role with the given attributes (trust auth, as on the test server), dropped afterwards. */
  async function withUser(
    attributes: string,
    work: (userUrl: string, user: string) => Promise<void>,
  ): Promise<void> {
    const user = `strata_test_user_${suffix}`;
    const database = new URL(connectionString).pathname.slice(1);
    await sql(
      connectionString,
      `create role "${user}" login ${attributes}; grant create on database "${database}" to "${user}"`,
    );
    const userUrl = new URL(connectionString);
    userUrl.username = user;
    try {
      await work(userUrl.toString(), user);
    } finally {
      await sql(connectionString, `drop owned by "${user}" cascade; drop role "${user}"`);
    }
  }

  it('with CREATEROLE it creates the search role and searches as it', async () => {
    await withUser('createrole', async (userUrl) => {
      const schema = freshSchema();
      try {
        const store = await openPostgresAssetStore({ connectionString: userUrl, schema });
        try {
          assert.deepEqual(await store.search('SELECT current_user AS who', 'file'), [
            { who: `strata_search_${schema}` },
          ]);
          await assert.rejects(store.search("SELECT pg_read_file('/etc/passwd')", 'file'), {
            code: 'E_INVALID_ARGUMENT',
          });
        } finally {
          await store.close();
        }
      } finally {
        await dropSchema(connectionString, schema);
      }
    });
  });

  it('without CREATEROLE it searches as itself, still read-only and time-limited', async () => {
    await withUser('', async (userUrl, user) => {
      const schema = freshSchema();
      try {
        const store = await openPostgresAssetStore({ connectionString: userUrl, schema });
        try {
          await store.apply({ ...NO_CHANGES, putFiles: [storedFile('f1', null)] });
          assert.deepEqual(await store.search('SELECT current_user AS who, file_id FROM data', 'file'), [
            { who: user, file_id: 'f1' },
          ]);
          await assert.rejects(store.search("SELECT pg_read_file('/etc/passwd')", 'file'), {
            code: 'E_INVALID_ARGUMENT',
          });
          await assert.rejects(
            store.search('SELECT pg_sleep(10)', 'file', { ...DEFAULT_SEARCH_LIMITS, timeoutMs: 500 }),
            { code: 'E_QUERY_TIMEOUT' },
          );
        } finally {
          await store.close();
        }
      } finally {
        await dropSchema(connectionString, schema);
      }
    });
  });
});
