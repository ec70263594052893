import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { InvalidArgumentError, QueryTooLargeError } from '../../errors/index.js';
import { searchPage } from './search-page.js';

/** A statement runner over an in-memory table of `n` rows, refusing non-readers like a search. */
function runner(n: number) {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE data (x INTEGER)');
  const insert = db.prepare('INSERT INTO data VALUES (?)');
  for (let i = 1; i <= n; i++) insert.run(i);
  const ran: string[] = [];
  const run = async (sql: string) => {
    ran.push(sql);
    let statement: Database.Statement;
    try {
      statement = db.prepare(sql);
    } catch (err) {
      throw new InvalidArgumentError(`search: ${(err as Error).message}`, { sql });
    }
    if (!statement.reader) throw new InvalidArgumentError('search: only statements that read', { sql });
    return statement.all() as Record<string, unknown>[];
  };
  return { run, ran };
}

test('search page: the database pages and counts; order, trailing semicolons and comments survive', async () => {
  const { run, ran } = runner(250);
  const page = await searchPage('SELECT x FROM data ORDER BY x DESC; ', { offset: 10, limit: 3 }, run);
  assert.deepEqual(page, { rows: [{ x: 240 }, { x: 239 }, { x: 238 }], total: 250 });
  assert.equal(ran.length, 2, 'one paged and one counting statement, nothing else');
  assert.ok(ran.every((sql) => /LIMIT 3 OFFSET 10|count\(\*\)/.test(sql)));
  const commented = await searchPage(
    'SELECT x FROM data WHERE x <= 5 -- five',
    { offset: 4, limit: 10 },
    run,
  );
  assert.deepEqual(commented, { rows: [{ x: 5 }], total: 5 });
});

test('search page: a statement that cannot be wrapped runs as given; a write keeps its own refusal; limits stand', async () => {
  const { run } = runner(3);
  assert.deepEqual(await searchPage('PRAGMA user_version', { offset: 0, limit: 10 }, run), {
    rows: [{ user_version: 0 }],
    total: 1,
  });
  await assert.rejects(
    searchPage('DELETE FROM data', { offset: 0, limit: 10 }, run),
    /only statements that read/,
  );
  const tooLarge = async () => {
    throw new QueryTooLargeError('too many rows', { limit: 'rows' });
  };
  let fellBack = false;
  await assert.rejects(
    searchPage('SELECT x FROM data', { offset: 0, limit: 10 }, async (sql) => {
      if (!sql.includes('LIMIT') && !sql.includes('count(')) fellBack = true;
      return tooLarge();
    }),
    { code: 'E_QUERY_TOO_LARGE' },
  );
  assert.equal(fellBack, false, 'a limit is the answer: the statement is not run again');
});
