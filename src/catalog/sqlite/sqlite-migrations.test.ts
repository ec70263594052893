import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Kysely } from 'kysely';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate } from '../migrations.js';
import { ImmediateSqliteDialect } from './immediate-sqlite-dialect.js';
import { openSqlite } from './open-sqlite.js';
import { openSqliteCatalog } from './sqlite-catalog.js';
import type { SqliteSchema } from './sqlite-migrations.js';

async function withDir(work: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-sqlite-migrations-'));
  try {
    await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Not idempotent on purpose: running migration 1 twice fails on CREATE TABLE. */
const RACE_SCHEMA: SqliteSchema = {
  name: 'race',
  historyTable: 'race_history',
  migrations: [
    {
      version: 1,
      name: 'table',
      up: (db) => void db.exec('CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1)'),
    },
    { version: 2, name: 'row', up: (db) => void db.exec('INSERT INTO t VALUES (2)') },
  ],
};

function inspect(file: string): { userVersion: number; history: unknown[]; rows: unknown[] } {
  const db = new Database(file, { readonly: true });
  try {
    return {
      userVersion: db.pragma('user_version', { simple: true }) as number,
      history: db.prepare('SELECT version, name FROM race_history ORDER BY version').all(),
      rows: db.prepare('SELECT x FROM t ORDER BY x').all(),
    };
  } finally {
    db.close();
  }
}

/**
 * One child process: loads the opener, says `ready`, waits for `go` on stdin (so every child's
 * first open of the new file starts together), opens it with the race schema and says `done`.
 */
const CHILD = `
const { openSqlite } = await import(process.env.OPENER);
const schema = JSON.parse(process.env.SCHEMA);
schema.migrations = schema.migrations.map((m) => ({ ...m, up: (db) => void db.exec(m.sql) }));
process.stdout.write('ready\\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
const db = await openSqlite(process.env.DB, { schema });
db.close();
process.stdout.write('done\\n');
process.exit(0);
`;

function startChild(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let onReady: () => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (stdout.includes('ready\n')) onReady();
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      onReady();
      resolve({ code, stdout, stderr });
    });
  });
  return { ready, go: () => child.stdin.end('go\n'), exited };
}

describe('migrateSqlite (through openSqlite)', () => {
  it('applies every migration once in order, recording user_version and the history table', async () => {
    await withDir(async (dir) => {
      const file = join(dir, 'a.db');
      (await openSqlite(file, { schema: RACE_SCHEMA })).close();
      // A second open finds it up to date: nothing runs again (migration 1 would fail).
      const db = await openSqlite(file, { schema: RACE_SCHEMA });
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
      db.close();
      assert.deepEqual(inspect(file), {
        userVersion: 2,
        history: [
          { version: 1, name: 'table' },
          { version: 2, name: 'row' },
        ],
        rows: [{ x: 1 }, { x: 2 }],
      });
    });
  });

  it('a file at version 1 gets only migration 2', async () => {
    await withDir(async (dir) => {
      const file = join(dir, 'a.db');
      (
        await openSqlite(file, { schema: { ...RACE_SCHEMA, migrations: RACE_SCHEMA.migrations.slice(0, 1) } })
      ).close();
      assert.equal(inspect(file).userVersion, 1);
      (await openSqlite(file, { schema: RACE_SCHEMA })).close();
      assert.deepEqual(inspect(file).rows, [{ x: 1 }, { x: 2 }]);
    });
  });

  it('a failing migration rolls back the whole upgrade, version included', async () => {
    await withDir(async (dir) => {
      const file = join(dir, 'a.db');
      const failing: SqliteSchema = {
        ...RACE_SCHEMA,
        migrations: [
          RACE_SCHEMA.migrations[0]!,
          {
            version: 2,
            name: 'fails',
            up: () => {
              throw new Error('migration 2 failed');
            },
          },
        ],
      };
      await assert.rejects(openSqlite(file, { schema: failing }), /migration 2 failed/);
      const db = new Database(file, { readonly: true });
      try {
        assert.equal(db.pragma('user_version', { simple: true }), 0);
        assert.deepEqual(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all(), []);
      } finally {
        db.close();
      }
    });
  });

  it('a file a newer Strata migrated is refused with E_SCHEMA_TOO_NEW naming it, also read-only', async () => {
    await withDir(async (dir) => {
      const file = join(dir, 'a.db');
      (await openSqlite(file, { schema: RACE_SCHEMA })).close();
      const older = { ...RACE_SCHEMA, migrations: RACE_SCHEMA.migrations.slice(0, 1) };
      const expected = { code: 'E_SCHEMA_TOO_NEW', data: { file, schema: 'race', version: 2, supported: 1 } };
      await assert.rejects(openSqlite(file, { schema: older }), expected);
      await assert.rejects(openSqlite(file, { schema: older, readonly: true }), expected);
      // Recorded only in the history table (as an older build of the runner would): still refused.
      const db = new Database(file);
      db.pragma('user_version = 0');
      db.close();
      await assert.rejects(openSqlite(file, { schema: older }), expected);
    });
  });

  it('a missing file with create: false is E_NOT_FOUND and is not created', async () => {
    await withDir(async (dir) => {
      const file = join(dir, 'missing.db');
      await assert.rejects(openSqlite(file, { create: false, schema: RACE_SCHEMA }), {
        code: 'E_NOT_FOUND',
        data: { what: 'race', path: file },
      });
      await assert.rejects(openSqlite(file, { readonly: true }), { code: 'E_NOT_FOUND' });
    });
  });

  it('four processes migrating one new file at once: each migration runs once, all succeed', async () => {
    await withDir(async (dir) => {
      const file = join(dir, 'race.db');
      const schema = {
        name: 'race',
        historyTable: 'race_history',
        migrations: [
          { version: 1, name: 'table', sql: 'CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1)' },
          { version: 2, name: 'row', sql: 'INSERT INTO t VALUES (2)' },
        ],
      };
      const env = {
        OPENER: new URL('./open-sqlite.js', import.meta.url).href,
        SCHEMA: JSON.stringify(schema),
        DB: file,
      };
      const children = [1, 2, 3, 4].map(() => startChild(env));
      await Promise.all(children.map((c) => c.ready));
      for (const c of children) c.go();
      for (const r of await Promise.all(children.map((c) => c.exited))) {
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /done/);
      }
      assert.deepEqual(inspect(file), {
        userVersion: 2,
        history: [
          { version: 1, name: 'table' },
          { version: 2, name: 'row' },
        ],
        rows: [{ x: 1 }, { x: 2 }],
      });
    });
  });
});

const ALL_CATALOG_VERSIONS = MIGRATIONS.map((m) => ({ version: m.version }));

describe('catalog.db through the one runner', () => {
  it('a catalog.db written by the previous Kysely runner opens as is (adopted, nothing re-run)', async () => {
    await withDir(async (dir) => {
      const file = join(dir, 'catalog.db');
      // The previous SQLite catalog: Kysely's migrate() over a BEGIN IMMEDIATE dialect, history in
      // strata_migrations, user_version left at 0.
      const legacy = new Kysely({ dialect: new ImmediateSqliteDialect({ database: new Database(file) }) });
      await migrate(legacy);
      await legacy.destroy();
      const catalog = await openSqliteCatalog({ path: file, create: false });
      assert.deepEqual(await catalog.listLocks(), []);
      await catalog.close();
      const db = new Database(file, { readonly: true });
      try {
        const versions = db.prepare('SELECT version FROM strata_migrations ORDER BY version').all();
        assert.deepEqual(versions, ALL_CATALOG_VERSIONS);
      } finally {
        db.close();
      }
    });
  });

  it('a new catalog.db records its migrations in user_version and strata_migrations (older builds read it)', async () => {
    await withDir(async (dir) => {
      const file = join(dir, 'catalog.db');
      await (await openSqliteCatalog({ path: file })).close();
      const db = new Database(file, { readonly: true });
      try {
        assert.equal(db.pragma('user_version', { simple: true }), LATEST_SCHEMA_VERSION);
        const versions = db.prepare('SELECT version FROM strata_migrations ORDER BY version').all();
        assert.deepEqual(versions, ALL_CATALOG_VERSIONS);
      } finally {
        db.close();
      }
      const newer = new Database(file);
      newer.prepare("INSERT INTO strata_migrations VALUES (99, 'future', 'x')").run();
      newer.close();
      await assert.rejects(openSqliteCatalog({ path: file }), {
        code: 'E_SCHEMA_TOO_NEW',
        data: { file, schema: 'catalog', version: 99, supported: LATEST_SCHEMA_VERSION },
      });
    });
  });
});
