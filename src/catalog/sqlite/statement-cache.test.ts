import assert from 'node:assert/strict';
import test from 'node:test';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { withStatementCache } from './statement-cache.js';

test('statement cache: a repeated query is prepared once; a statement busy in a stream gets a fresh one', async () => {
  const database = new Database(':memory:');
  let prepared = 0;
  const prepare = database.prepare.bind(database);
  database.prepare = ((sql: string) => {
    prepared++;
    return prepare(sql);
  }) as typeof database.prepare;
  database.exec('CREATE TABLE t (n INTEGER)');
  const db = new Kysely<{ t: { n: number } }>({
    dialect: new SqliteDialect({ database: withStatementCache(database) }),
  });
  try {
    for (let n = 1; n <= 5; n++) await db.insertInto('t').values({ n }).execute();
    for (let i = 0; i < 10; i++)
      assert.equal((await db.selectFrom('t').select('n').where('n', '>', 2).execute()).length, 3);
    assert.equal(prepared, 2);

    // A statement mid-iteration is busy: the same SQL then runs on a fresh statement.
    const cached = withStatementCache(database);
    const sql = 'SELECT n FROM t ORDER BY n';
    const first = cached.prepare(sql);
    const rows = first.iterate() as IterableIterator<{ n: number }>;
    assert.equal(rows.next().value?.n, 1);
    const second = cached.prepare(sql);
    assert.notEqual(second, first);
    assert.equal((second.all() as { n: number }[]).length, 5);
    assert.equal(rows.next().value?.n, 2);
    rows.return?.();
    assert.equal(cached.prepare(sql), first);
  } finally {
    await db.destroy();
  }
});
