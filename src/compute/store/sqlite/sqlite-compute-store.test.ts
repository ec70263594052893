import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { runComputeStoreConformance } from '../compute-store-conformance.js';
import { openSqliteComputeStore } from './sqlite-compute-store.js';
import { COMPUTE_STORE_SCHEMA } from './sqlite-compute-store-schema.js';

async function freshDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'strata-compute-store-'));
}

runComputeStoreConformance('sqlite', async () => {
  const dir = await freshDir();
  const path = join(dir, 'compute.db');
  return {
    store: await openSqliteComputeStore({ path }),
    reopen: () => openSqliteComputeStore({ path }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

test('compute.db runs in WAL mode with synchronous=NORMAL and its own migrations table', async () => {
  const dir = await freshDir();
  try {
    const path = join(dir, 'compute.db');
    const store = await openSqliteComputeStore({ path });
    store.close();
    const db = new Database(path, { readonly: true });
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      const versions = db.prepare('SELECT version FROM compute_migrations').all();
      assert.deepEqual(versions, [{ version: 1 }]);
    } finally {
      db.close();
    }
    // Reopening an up-to-date file migrates nothing and keeps working.
    const again = await openSqliteComputeStore({ path });
    assert.deepEqual(again.counts(), []);
    again.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a compute.db written by a newer Strata is refused', async () => {
  const dir = await freshDir();
  try {
    const path = join(dir, 'compute.db');
    (await openSqliteComputeStore({ path })).close();
    const db = new Database(path);
    db.prepare("INSERT INTO compute_migrations VALUES (99, 'future', 'x')").run();
    db.close();
    await assert.rejects(openSqliteComputeStore({ path }), {
      code: 'E_SCHEMA_TOO_NEW',
      data: { file: path, schema: 'compute', version: 99, supported: 1 },
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a closed store refuses calls', async () => {
  const store = await openSqliteComputeStore({ path: ':memory:' });
  store.close();
  assert.throws(() => store.get({ collection: 'c', id: 'x', argsHash: 'h' }), Error);
});

test('a compute.db written before the shared SQLite runner (compute_migrations only) opens with its rows', async () => {
  const dir = await freshDir();
  try {
    const path = join(dir, 'compute.db');
    // What the previous opener left: its own history table, user_version 0, one row.
    const legacy = new Database(path);
    legacy.pragma('journal_mode = WAL');
    legacy.exec(
      'CREATE TABLE compute_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    for (const migration of COMPUTE_STORE_SCHEMA.migrations) await migration.up(legacy);
    legacy.prepare("INSERT INTO compute_migrations VALUES (1, 'computed resources', 'x')").run();
    legacy
      .prepare(
        "INSERT INTO computed (collection, id, args_hash, args, status, code_version, attempts) VALUES ('c', 'x', 'h', '{}', 'complete', 'v1', 1)",
      )
      .run();
    legacy.close();
    const store = await openSqliteComputeStore({ path });
    assert.equal(store.get({ collection: 'c', id: 'x', argsHash: 'h' })?.status, 'complete');
    store.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
