import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QueryTooLargeError } from '../../../errors/index.js';
import { searchPage } from '../../search/search-page.js';
import type { StoredFile } from '../asset-store.js';
import { openSqliteAssetStore, type SqliteAssetStore } from './sqlite-asset-store.js';

const file = (n: number): StoredFile => ({
  fileId: `f${String(n).padStart(3, '0')}`,
  assetId: null,
  path: `a/${n}.png`,
  filename: `${n}.png`,
  size: n,
  mtimeMs: 1.5,
  ino: n,
  specification: null,
  fields: {},
  grammarVersion: 'hidebound-1',
  traits: {},
  errors: [],
});

/** An in-memory asset store of `n` files, and a runner that records each statement it runs. */
async function storeOf(n: number): Promise<{
  store: SqliteAssetStore;
  run: (sql: string) => Promise<Record<string, unknown>[]>;
  ran: string[];
}> {
  const store = await openSqliteAssetStore({ path: ':memory:' });
  store.apply({
    putFiles: Array.from({ length: n }, (_, i) => file(i + 1)),
    deleteFiles: [],
    putAssets: [],
    deleteAssets: [],
  });
  const ran: string[] = [];
  return {
    store,
    ran,
    run: (sql) => {
      ran.push(sql);
      return store.search(sql, 'file');
    },
  };
}

test('search page: the database pages and counts; order, trailing semicolons and comments survive', async () => {
  const { store, run, ran } = await storeOf(250);
  try {
    const page = await searchPage(
      'SELECT size FROM data ORDER BY size DESC; ',
      { offset: 10, limit: 3 },
      run,
    );
    assert.deepEqual(page, { rows: [{ size: 240 }, { size: 239 }, { size: 238 }], total: 250 });
    assert.equal(ran.length, 2, 'one paged and one counting statement, nothing else');
    const commented = await searchPage(
      'SELECT size FROM data WHERE size <= 5 -- five',
      { offset: 4, limit: 10 },
      run,
    );
    assert.deepEqual(commented, { rows: [{ size: 5 }], total: 5 });
  } finally {
    store.close();
  }
});

test('search page: a statement that cannot be wrapped runs as given; a write keeps its own refusal; limits stand', async () => {
  const { store, run } = await storeOf(3);
  try {
    assert.deepEqual(await searchPage('PRAGMA query_only', { offset: 0, limit: 10 }, run), {
      rows: [{ query_only: 1 }],
      total: 1,
    });
    await assert.rejects(
      searchPage('DELETE FROM files', { offset: 0, limit: 10 }, run),
      /only statements that read/,
    );
    let asGiven = false;
    await assert.rejects(
      searchPage('SELECT size FROM data', { offset: 0, limit: 10 }, async (sql) => {
        if (!sql.includes('LIMIT') && !sql.includes('count(')) asGiven = true;
        throw new QueryTooLargeError('too many rows', { limit: 'rows' });
      }),
      { code: 'E_QUERY_TOO_LARGE' },
    );
    assert.equal(asGiven, false, 'a limit is the answer: the statement is not run again');
  } finally {
    store.close();
  }
});
