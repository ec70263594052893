import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runAssetStoreConformance, storedFile } from '../asset-store-conformance.js';
import { openSqliteAssetStore } from './sqlite-asset-store.js';

const file = storedFile;

async function withStore(
  work: (store: Awaited<ReturnType<typeof openSqliteAssetStore>>, dir: string) => Promise<void>,
) {
  const dir = mkdtempSync(path.join(tmpdir(), 'strata-asset-store-'));
  const store = await openSqliteAssetStore({ path: path.join(dir, 'nested', 'assets.db') });
  try {
    await work(store, dir);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

runAssetStoreConformance('sqlite', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'strata-asset-store-'));
  // A folder that does not exist yet: the adapter creates it.
  const location = path.join(dir, 'nested', 'assets.db');
  return {
    store: await openSqliteAssetStore({ path: location }),
    reopen: () => openSqliteAssetStore({ path: location }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

// `:memory:` searches in this thread (no child process): the same behaviour is required.
runAssetStoreConformance(
  'sqlite :memory:',
  async () => ({
    store: await openSqliteAssetStore({ path: ':memory:' }),
    reopen: () => Promise.reject(new Error('a second :memory: connection is another database')),
    cleanup: async () => {},
  }),
  { reopens: false },
);

test("search refuses SQLite's own writing statements (ATTACH, PRAGMA, VACUUM)", async () => {
  await withStore(async (store, dir) => {
    store.apply({ putFiles: [file('f1', null)], deleteFiles: [], putAssets: [], deleteAssets: [] });
    const writers = [
      `ATTACH DATABASE '${path.join(dir, 'other.db')}' AS other`,
      'PRAGMA user_version = 5',
      'VACUUM',
    ];
    for (const sql of writers)
      await assert.rejects(store.search(sql, 'file'), { code: 'E_INVALID_ARGUMENT' }, sql);
    assert.deepEqual(
      store.files().map((f) => f.fileId),
      ['f1'],
    );
  });
});

test('an older assets.db is rebuilt (its tables are derived data); a newer one is refused', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'strata-asset-store-'));
  try {
    const file = path.join(dir, 'assets.db');
    const Database = (await import('better-sqlite3')).default;
    const old = new Database(file);
    old.exec('CREATE TABLE files (file_id TEXT, fields TEXT NOT NULL); PRAGMA user_version = 1;');
    old.close();
    const store = await openSqliteAssetStore({ path: file });
    store.apply({ putFiles: [file1()], deleteFiles: [], putAssets: [], deleteAssets: [] });
    assert.equal(store.files().length, 1);
    store.close();
    const newer = new Database(file);
    newer.pragma('user_version = 99');
    newer.close();
    await assert.rejects(openSqliteAssetStore({ path: file }), {
      code: 'E_SCHEMA_TOO_NEW',
      data: { file, schema: 'asset', version: 99, supported: 2 },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
const file1 = () => file('f1', null);

test('an assets.db at the current schema (user_version 2, before the shared runner) keeps its rows', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'strata-asset-store-'));
  try {
    const location = path.join(dir, 'assets.db');
    const store = await openSqliteAssetStore({ path: location });
    store.apply({ putFiles: [file1()], deleteFiles: [], putAssets: [], deleteAssets: [] });
    store.close();
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(location);
    assert.equal(db.pragma('user_version', { simple: true }), 2);
    db.close();
    const again = await openSqliteAssetStore({ path: location });
    assert.deepEqual(
      again.files().map((f) => f.fileId),
      ['f1'],
    );
    again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
