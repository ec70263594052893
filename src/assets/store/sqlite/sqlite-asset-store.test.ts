import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { StoredAsset, StoredFile } from '../asset-store.js';
import { openSqliteAssetStore } from './sqlite-asset-store.js';

const file = (id: string, assetId: string | null, errors: StoredFile['errors'] = []): StoredFile => ({
  fileId: id,
  assetId,
  path: `a/${id}.png`,
  filename: `${id}.png`,
  size: 10,
  mtimeMs: 1.5,
  ino: 7,
  specification: 'seq001',
  fields: {
    specification: 'seq001',
    version: 1,
    coordinate: [1, 2],
    coordinate_x: 1,
    coordinate_y: 2,
    frame: 3,
  },
  grammarVersion: 'hidebound-1',
  traits: { width: 4, channels: 3 },
  errors,
});
const asset = (id: string, valid: boolean, fileIds: string[]): StoredAsset => ({
  assetId: id,
  assetName: 'p-cat001_s-seq001',
  assetPath: 'a',
  assetType: 'sequence',
  specification: 'seq001',
  valid,
  errors: valid ? [] : [{ field: 'frame', message: 'frames missing: 2' }],
  fileIds,
  metadata: { project: 'cat001' },
});

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

test('apply writes files, assets and meta in one transaction; reads give them back', async () => {
  await withStore(async (store) => {
    store.apply({
      putFiles: [file('f1', 'A'), file('f2', 'A', [{ field: 'width', message: 'bad' }])],
      deleteFiles: [],
      putAssets: [asset('A', false, ['f1', 'f2'])],
      deleteAssets: [],
      meta: { fingerprint: 'x' },
    });
    assert.deepEqual(
      store
        .files()
        .map((f) => f.fileId)
        .sort(),
      ['f1', 'f2'],
    );
    assert.deepEqual(store.files().find((f) => f.fileId === 'f2')!.errors, [
      { field: 'width', message: 'bad' },
    ]);
    assert.deepEqual(
      store.filesById(['f2', 'nope', 'f1']).map((f) => f.fileId),
      ['f2', 'f1'],
    );
    assert.deepEqual(
      store.assets({ valid: false }).map((a) => a.assetId),
      ['A'],
    );
    assert.deepEqual(store.assets({ valid: true }), []);
    assert.equal(store.meta('fingerprint'), 'x');
    assert.equal(store.meta('other'), undefined);
    store.apply({ putFiles: [], deleteFiles: ['f1'], putAssets: [], deleteAssets: ['A'] });
    assert.deepEqual(
      store.files().map((f) => f.fileId),
      ['f2'],
    );
    assert.deepEqual(store.assets(), []);
  });
});

test('a failing apply changes nothing', async () => {
  await withStore(async (store) => {
    store.apply({ putFiles: [file('f1', null)], deleteFiles: [], putAssets: [], deleteAssets: [] });
    const broken = { ...asset('B', true, []), assetType: 'folder' as never };
    assert.throws(() =>
      store.apply({
        putFiles: [file('f9', null)],
        deleteFiles: ['f1'],
        putAssets: [broken],
        deleteAssets: [],
      }),
    );
    assert.deepEqual(
      store.files().map((f) => f.fileId),
      ['f1'],
    );
  });
});

test('search: both groupings carry every error column; fields are columns', async () => {
  await withStore(async (store) => {
    store.apply({
      putFiles: [file('f1', 'A'), file('f2', 'A', [{ field: 'width', message: 'bad' }]), file('f3', null)],
      deleteFiles: [],
      putAssets: [asset('A', false, ['f1', 'f2'])],
      deleteAssets: [],
    });
    const rows = await store.search('SELECT * FROM data ORDER BY file_id', 'file');
    assert.equal(rows.length, 3);
    for (const key of [
      'file_error',
      'asset_error',
      'asset_valid',
      'coordinate_x',
      'frame',
      'width',
      'asset_path',
    ])
      assert.ok(key in rows[0]!, key);
    assert.equal(rows[0]!.file_error, null);
    assert.match(String(rows[1]!.file_error), /bad/);
    assert.match(String(rows[0]!.asset_error), /frames missing/);
    assert.equal(rows[2]!.asset_valid, 0);
    assert.match(String(rows[2]!.asset_error), /no asset/);
    const byAsset = await store.search('SELECT * FROM data', 'asset');
    assert.equal(byAsset.length, 1);
    for (const key of ['file_error', 'asset_error', 'asset_valid', 'file_count'])
      assert.ok(key in byAsset[0]!, key);
    assert.equal(byAsset[0]!.file_count, 2);
    assert.match(String(byAsset[0]!.file_error), /a\/f2.png/);
  });
});

test('search is read-only: every writing statement is refused and nothing changes', async () => {
  await withStore(async (store, dir) => {
    store.apply({ putFiles: [file('f1', null)], deleteFiles: [], putAssets: [], deleteAssets: [] });
    const writers = [
      'DELETE FROM files',
      "UPDATE files SET path = 'x'",
      "INSERT INTO meta VALUES ('a', 'b')",
      'DROP TABLE files',
      'CREATE TABLE t (x)',
      `ATTACH DATABASE '${path.join(dir, 'other.db')}' AS other`,
      'PRAGMA user_version = 5',
      'VACUUM',
    ];
    for (const sql of writers)
      await assert.rejects(store.search(sql, 'file'), { code: 'E_INVALID_ARGUMENT' }, sql);
    await assert.rejects(store.search('SELECT 1; DELETE FROM files', 'file'), { code: 'E_INVALID_ARGUMENT' });
    await assert.rejects(store.search('SELEKT * FROM data', 'file'), { code: 'E_INVALID_ARGUMENT' });
    await assert.rejects(store.search('SELECT * FROM data', 'folder' as never), {
      code: 'E_INVALID_ARGUMENT',
    });
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
