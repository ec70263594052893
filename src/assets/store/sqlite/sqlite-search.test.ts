import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { StoredFile } from '../asset-store.js';
import { DEFAULT_SEARCH_LIMITS, checkSearchLimits, postgresStatementTimeout } from '../search-limits.js';
import { openSqliteAssetStore, type SqliteAssetStore } from './sqlite-asset-store.js';
import { closeIdleSearchProcesses, runSqliteSearch } from './sqlite-search.js';
import { CAN_LIST_PROCESSES, searchChildrenOf } from './sqlite-search-test-support.js';

/** A recursive CTE that never ends and never yields a row: SQLite stays inside one step for ever. */
const ENDLESS_SILENT =
  'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c';
/**
 * Reads the table `data` (so the statement holds a read snapshot of assets.db), yields one row at
 * once, then none for ever.
 */
const ENDLESS_AFTER_ONE_ROW =
  'WITH RECURSIVE c(x) AS (SELECT count(*) FROM data UNION ALL SELECT x + 1 FROM c) SELECT x FROM c WHERE x = 2 OR x < 0';
/** Every natural number: an endless stream of rows. */
const ENDLESS_ROWS = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c';
const numbers = (n: number) =>
  `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ${n}) SELECT x FROM c`;

const file = (id: string): StoredFile => ({
  fileId: id,
  assetId: null,
  path: `a/${id}.png`,
  filename: `${id}.png`,
  size: 10,
  mtimeMs: 1.5,
  ino: 7,
  specification: null,
  fields: {},
  grammarVersion: 'hidebound-1',
  traits: {},
  errors: [],
});
const put = (store: SqliteAssetStore, ...ids: string[]) =>
  store.apply({ putFiles: ids.map(file), deleteFiles: [], putAssets: [], deleteAssets: [] });

async function withStore(work: (store: SqliteAssetStore, location: string) => Promise<void>) {
  const dir = mkdtempSync(path.join(tmpdir(), 'strata-sqlite-search-'));
  const store = await openSqliteAssetStore({ path: path.join(dir, 'assets.db') });
  try {
    put(store, 'f1', 'f2');
    await work(store, store.location);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('search time limit: a recursive CTE that never yields is stopped with E_QUERY_TIMEOUT; the process stays usable', async () => {
  await withStore(async (store) => {
    const started = Date.now();
    await assert.rejects(store.search(ENDLESS_SILENT, 'file', checkSearchLimits({ timeoutMs: 500 })), {
      code: 'E_QUERY_TIMEOUT',
      data: { limit: 'time', seconds: 0.5, option: '--timeout', configKey: 'search.timeout_seconds' },
    });
    assert.ok(Date.now() - started >= 500);
    assert.deepEqual(searchChildrenOf(), [], 'the stopped search left no process behind');
    // The same process searches and writes on as before.
    assert.deepEqual(await store.search('SELECT file_id FROM data ORDER BY file_id', 'file'), [
      { file_id: 'f1' },
      { file_id: 'f2' },
    ]);
    put(store, 'f3');
    assert.equal((await store.search('SELECT file_id FROM data', 'file')).length, 3);
  });
});

test('search row limit: one row too many is E_QUERY_TOO_LARGE; exactly the limit passes', async () => {
  await withStore(async (store) => {
    const limits = checkSearchLimits({ maxRows: 100 });
    await assert.rejects(store.search(numbers(101), 'file', limits), {
      code: 'E_QUERY_TOO_LARGE',
      data: { limit: 'rows', max: 100, option: '--max-rows', configKey: 'search.max_rows' },
    });
    assert.equal((await store.search(numbers(100), 'file', limits)).length, 100);
  });
});

test('search default limits: an endless stream of rows stops at the default row limit', async () => {
  await withStore(async (store) => {
    // The time limit is raised so that only the row limit can end this on a busy machine.
    await assert.rejects(store.search(ENDLESS_ROWS, 'file', checkSearchLimits({ timeoutMs: 600_000 })), {
      code: 'E_QUERY_TOO_LARGE',
      data: {
        limit: 'rows',
        max: DEFAULT_SEARCH_LIMITS.maxRows,
        option: '--max-rows',
        configKey: 'search.max_rows',
      },
    });
  });
});

test('search byte limit: huge strings and blobs stop at the byte limit with E_QUERY_TOO_LARGE', async () => {
  await withStore(async (store) => {
    const limits = checkSearchLimits({ maxBytes: 1 << 20 });
    const strings = `SELECT printf('%.*c', 100000, 'x') AS s FROM (${numbers(100)})`;
    await assert.rejects(store.search(strings, 'file', limits), {
      code: 'E_QUERY_TOO_LARGE',
      data: { limit: 'bytes', max: 1 << 20, option: '--max-bytes', configKey: 'search.max_bytes' },
    });
    await assert.rejects(
      store.search('SELECT zeroblob(2000000) AS b', 'file', limits),
      (err: { code?: string; data?: { limit?: string } }) =>
        err.code === 'E_QUERY_TOO_LARGE' && err.data?.limit === 'bytes',
    );
    // Under the limit, the same kinds of values come back whole.
    const [row] = await store.search("SELECT printf('%.*c', 1000, 'x') AS s, x'0102' AS b", 'file', limits);
    assert.equal((row!.s as string).length, 1000);
    assert.deepEqual([...(row!.b as Uint8Array)], [1, 2]);
  });
});

test('search connection is read-only and query-only; writes are still refused', async () => {
  await withStore(async (store) => {
    assert.deepEqual(await store.search('PRAGMA query_only', 'file'), [{ query_only: 1 }]);
    for (const sql of ['DELETE FROM files', 'PRAGMA journal_mode = DELETE', 'SELECT 1; DELETE FROM files'])
      await assert.rejects(store.search(sql, 'file'), { code: 'E_INVALID_ARGUMENT' }, sql);
    assert.equal(store.files().length, 2);
  });
});

test('search never blocks writers: an update commits while a search holds its snapshot, then the search times out', async () => {
  await withStore(async (store, location) => {
    const journal = new Database(location, { readonly: true });
    assert.equal(
      journal.pragma('journal_mode', { simple: true }),
      'wal',
      'the writer opened assets.db in WAL mode',
    );
    journal.close();
    // Warm processes of earlier searches wait in the pool: only this search's one should count.
    closeIdleSearchProcesses();
    let settled = false;
    let applied = false;
    let firstRow!: () => void;
    const reading = new Promise<void>((resolve) => (firstRow = resolve));
    const search = runSqliteSearch({
      location,
      sql: ENDLESS_AFTER_ONE_ROW,
      grouping: 'file',
      // Long enough for the child to start on a loaded machine; the update takes milliseconds.
      limits: checkSearchLimits({ timeoutMs: 5_000 }),
      onRows: () => firstRow(),
    }).finally(() => (settled = true));
    await Promise.race([reading, search]);
    assert.equal(settled, false, 'the search is still running (it has read its first row)');
    // In a rollback journal the reader's lock blocks this commit: it waits (busy timeout) until the
    // search's process is killed by its watchdog, or fails with SQLITE_BUSY.
    put(store, 'f3');
    applied = true;
    assert.equal(settled, false, 'the update finished while the search was still running');
    // Blocked, the update would only go through once the search's process had been killed.
    if (CAN_LIST_PROCESSES) assert.equal(searchChildrenOf().length, 1, 'the search process is alive');
    await assert.rejects(search, { code: 'E_QUERY_TIMEOUT' });
    assert.ok(applied);
    assert.equal(store.files().length, 3);
  });
});

test('search processes are reused: searches after the first start no process; one stopped at a limit is not reused', async () => {
  await withStore(async (store) => {
    closeIdleSearchProcesses();
    await store.search('SELECT 1 AS x', 'file');
    const warm = searchChildrenOf();
    if (CAN_LIST_PROCESSES) assert.equal(warm.length, 1, 'one warm process after a search');
    for (let i = 0; i < 5; i++)
      assert.deepEqual(await store.search('SELECT file_id FROM data ORDER BY file_id LIMIT 1', 'file'), [
        { file_id: 'f1' },
      ]);
    // A refused statement is the search's own answer: the process stays warm.
    await assert.rejects(store.search('DELETE FROM files', 'file'), { code: 'E_INVALID_ARGUMENT' });
    if (CAN_LIST_PROCESSES) assert.deepEqual(searchChildrenOf(), warm, 'the same process answered them all');
    // Two at once: a second process, both kept warm.
    await Promise.all([store.search('SELECT 1', 'file'), store.search('SELECT 2', 'file')]);
    if (CAN_LIST_PROCESSES) assert.equal(searchChildrenOf().length, 2);
    // A search stopped at its time limit takes its process with it.
    closeIdleSearchProcesses();
    await store.search('SELECT 1', 'file');
    await assert.rejects(store.search(ENDLESS_SILENT, 'file', checkSearchLimits({ timeoutMs: 300 })), {
      code: 'E_QUERY_TIMEOUT',
    });
    if (CAN_LIST_PROCESSES)
      assert.deepEqual(searchChildrenOf(), [], 'the stopped process is gone, not pooled');
  });
});

test('in-memory store: searches keep the row and byte limits in this thread', async () => {
  const store = await openSqliteAssetStore({ path: ':memory:' });
  try {
    put(store, 'f1');
    await assert.rejects(store.search(numbers(11), 'file', checkSearchLimits({ maxRows: 10 })), {
      code: 'E_QUERY_TOO_LARGE',
    });
    await assert.rejects(store.search('DELETE FROM files', 'file'), { code: 'E_INVALID_ARGUMENT' });
    put(store, 'f2'); // query_only was switched off again for the store's own writes
    assert.equal((await store.search('SELECT * FROM data', 'file')).length, 2);
  } finally {
    store.close();
  }
});

test('search limits: bad values are refused; PostgreSQL gets the time limit as statement_timeout', () => {
  for (const bad of [{ timeoutMs: 0 }, { maxRows: 1.5 }, { maxBytes: -1 }, { maxRows: Number.NaN }])
    assert.throws(() => checkSearchLimits(bad), { code: 'E_INVALID_ARGUMENT' }, JSON.stringify(bad));
  assert.equal(
    postgresStatementTimeout(checkSearchLimits({ timeoutMs: 2500 })),
    'SET LOCAL statement_timeout = 2500',
  );
});
