import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { AssetStore, StoredAsset, StoredFile } from './asset-store.js';

/** What an adapter's test hands the suite for each test: a fresh, empty store. */
export interface AssetStoreFixture {
  readonly store: AssetStore;
  /** Opens another store object on the same storage (a second connection where the adapter has them). */
  reopen(): Promise<AssetStore>;
  /** Removes what the fixture made; runs after the suite closed every store. */
  cleanup(): Promise<void>;
}

/** A file with every kind of field: name fields, coordinate list, traits, errors. */
export function storedFile(
  id: string,
  assetId: string | null,
  errors: StoredFile['errors'] = [],
): StoredFile {
  return {
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
  };
}

/** An asset over `fileIds`; an invalid one carries an asset-level error. */
export function storedAsset(id: string, valid: boolean, fileIds: string[], assetPath = 'a'): StoredAsset {
  return {
    assetId: id,
    assetName: 'p-cat001_s-seq001',
    assetPath,
    assetType: 'sequence',
    specification: 'seq001',
    valid,
    errors: valid ? [] : [{ field: 'frame', message: 'frames missing: 2' }],
    fileIds,
    metadata: { project: 'cat001' },
  };
}

const ids = (rows: readonly { fileId: string }[]) => rows.map((r) => r.fileId).sort();
const NO_CHANGES = { putFiles: [], deleteFiles: [], putAssets: [], deleteAssets: [] };

/**
 * The behaviour every `AssetStore` adapter must show, as node:test suites: rows come back as they
 * went in, one `apply` is all or nothing, and `search` sees the `data` view of either grouping
 * and never writes. SQL here is the portable subset; dialect-specific refusals (SQLite's ATTACH,
 * PRAGMA, VACUUM) are tested beside their adapter. Used by `sqlite-asset-store.test.ts` and
 * `postgres-asset-store.test.ts`.
 *
 * @example
 * runAssetStoreConformance('sqlite', async () => {
 *   const dir = await mkdtemp(join(tmpdir(), 'as-'));
 *   const path = join(dir, 'assets.db');
 *   return { store: await openSqliteAssetStore({ path }), reopen: () => openSqliteAssetStore({ path }),
 *            cleanup: () => rm(dir, { recursive: true }) };
 * });
 */
export function runAssetStoreConformance(
  name: string,
  open: () => Promise<AssetStoreFixture>,
  options: {
    /** False when `reopen` cannot reach the same storage (SQLite `:memory:`): that test is skipped. */
    readonly reopens?: boolean;
  } = {},
): void {
  describe(`AssetStore conformance: ${name}`, () => {
    let fixture: AssetStoreFixture;
    let store: AssetStore;
    const opened: AssetStore[] = [];

    beforeEach(async () => {
      fixture = await open();
      store = fixture.store;
    });
    afterEach(async () => {
      for (const s of [...opened.splice(0), store]) await s.close();
      await fixture.cleanup();
    });

    it('a new store is empty', async () => {
      assert.deepEqual(await store.files(), []);
      assert.deepEqual(await store.assets(), []);
      assert.equal(await store.meta('fingerprint'), undefined);
      const summary = await store.summary();
      assert.deepEqual(summary, { files: 0, assets: 0, valid: 0, fileErrors: [], assetErrors: [] });
    });

    it('apply writes files, assets and meta; every read gives them back as they went in', async () => {
      const f1 = storedFile('f1', 'A');
      const f2 = storedFile('f2', 'A', [{ field: 'width', message: 'bad' }]);
      const a = storedAsset('A', false, ['f1', 'f2']);
      await store.apply({ ...NO_CHANGES, putFiles: [f1, f2], putAssets: [a], meta: { fingerprint: 'x' } });
      const files = [...(await store.files())].sort((x, y) => (x.fileId < y.fileId ? -1 : 1));
      assert.deepEqual(files, [f1, f2]);
      assert.deepEqual(await store.assets(), [a]);
      assert.deepEqual(
        (await store.filesById(['f2', 'nope', 'f1'])).map((f) => f.fileId),
        ['f2', 'f1'],
      );
      assert.deepEqual(ids(await store.filesOfAssets(['A', 'B'])), ['f1', 'f2']);
      assert.deepEqual(
        (await store.assets({ valid: false })).map((x) => x.assetId),
        ['A'],
      );
      assert.deepEqual(await store.assets({ valid: true }), []);
      assert.deepEqual(await store.assetPaths(), [{ assetId: 'A', assetPath: 'a' }]);
      const stats = [...(await store.fileStats())].sort((x, y) => (x.fileId < y.fileId ? -1 : 1));
      assert.deepEqual(stats, [
        { path: 'a/f1.png', fileId: 'f1', size: 10, mtimeMs: 1.5, ino: 7, assetId: 'A' },
        { path: 'a/f2.png', fileId: 'f2', size: 10, mtimeMs: 1.5, ino: 7, assetId: 'A' },
      ]);
      assert.equal(await store.meta('fingerprint'), 'x');
      assert.equal(await store.meta('other'), undefined);
      const summary = await store.summary();
      assert.equal(summary.files, 2);
      assert.equal(summary.assets, 1);
      assert.equal(summary.valid, 0);
      assert.deepEqual(summary.fileErrors, [
        { path: 'a/f2.png', errors: [{ field: 'width', message: 'bad' }] },
      ]);
      assert.deepEqual(summary.assetErrors, [{ assetPath: 'a', errors: a.errors }]);
    });

    it('apply deletes before it puts: a changed file keeps its path under a new id', async () => {
      await store.apply({
        ...NO_CHANGES,
        putFiles: [storedFile('f1', 'A')],
        putAssets: [storedAsset('A', true, ['f1'])],
      });
      await store.apply({
        putFiles: [{ ...storedFile('f1b', 'A'), path: 'a/f1.png' }],
        deleteFiles: ['f1'],
        putAssets: [storedAsset('A', true, ['f1b'])],
        deleteAssets: ['A'],
        meta: { fingerprint: 'y' },
      });
      assert.deepEqual(ids(await store.files()), ['f1b']);
      assert.deepEqual(
        (await store.assets()).map((x) => x.fileIds),
        [['f1b']],
      );
      await store.apply({ ...NO_CHANGES, deleteFiles: ['f1b'], deleteAssets: ['A'] });
      assert.deepEqual(await store.files(), []);
      assert.deepEqual(await store.assets(), []);
      assert.equal(await store.meta('fingerprint'), 'y');
    });

    it('a failing apply changes nothing', async () => {
      await store.apply({ ...NO_CHANGES, putFiles: [storedFile('f1', null)] });
      const broken = { ...storedAsset('B', true, []), assetType: 'folder' as never };
      await assert.rejects(async () =>
        store.apply({
          putFiles: [storedFile('f9', null)],
          deleteFiles: ['f1'],
          putAssets: [broken],
          deleteAssets: [],
        }),
      );
      assert.deepEqual(ids(await store.files()), ['f1']);
      assert.deepEqual(await store.assets(), []);
    });

    const reopenSkip = options.reopens === false && `${name} has no second connection to the same storage`;
    it('what one store applied, another store on the same storage reads', { skip: reopenSkip }, async () => {
      await store.apply({ ...NO_CHANGES, putFiles: [storedFile('f1', null)], meta: { fingerprint: 'z' } });
      const other = await fixture.reopen();
      opened.push(other);
      assert.deepEqual(ids(await other.files()), ['f1']);
      assert.equal(await other.meta('fingerprint'), 'z');
    });

    it('search: both groupings carry every error column; name fields are columns', async () => {
      await store.apply({
        ...NO_CHANGES,
        putFiles: [
          storedFile('f1', 'A'),
          storedFile('f2', 'A', [{ field: 'width', message: 'bad' }]),
          storedFile('f3', null),
        ],
        putAssets: [storedAsset('A', false, ['f1', 'f2'])],
      });
      const rows = await store.search('SELECT * FROM data ORDER BY file_id', 'file');
      assert.equal(rows.length, 3);
      for (const column of [
        'file_error',
        'asset_error',
        'asset_valid',
        'coordinate_x',
        'frame',
        'width',
        'asset_path',
      ])
        assert.ok(column in rows[0]!, column);
      assert.equal(rows[0]!.file_error, null);
      assert.match(String(rows[1]!.file_error), /bad/);
      assert.match(String(rows[0]!.asset_error), /frames missing/);
      assert.equal(Number(rows[2]!.asset_valid), 0);
      assert.match(String(rows[2]!.asset_error), /no asset/);
      const byAsset = await store.search('SELECT * FROM data', 'asset');
      assert.equal(byAsset.length, 1);
      for (const column of ['file_error', 'asset_error', 'asset_valid', 'file_count'])
        assert.ok(column in byAsset[0]!, column);
      assert.equal(Number(byAsset[0]!.file_count), 2);
      assert.match(String(byAsset[0]!.file_error), /a\/f2.png/);
    });

    it('search is read-only: writing statements and unknown groupings are E_INVALID_ARGUMENT, nothing changes', async () => {
      await store.apply({ ...NO_CHANGES, putFiles: [storedFile('f1', null)] });
      const writers = [
        'DELETE FROM files',
        "UPDATE files SET path = 'x'",
        "INSERT INTO meta VALUES ('a', 'b')",
        'DROP TABLE files',
        'CREATE TABLE t (x INTEGER)',
        'SELECT 1; DELETE FROM files',
        'SELEKT * FROM data',
      ];
      for (const sql of writers)
        await assert.rejects(store.search(sql, 'file'), { code: 'E_INVALID_ARGUMENT' }, sql);
      await assert.rejects(store.search('SELECT * FROM data', 'folder' as never), {
        code: 'E_INVALID_ARGUMENT',
      });
      assert.deepEqual(ids(await store.files()), ['f1']);
    });
  });
}
