import type { SqliteSchema } from '../../../catalog/sqlite/sqlite-migrations.js';

/**
 * The schema history of `compute.db`, kept apart from the catalog's. The table has a rowid (results
 * can be large, which WITHOUT ROWID tables handle badly) and two indexes: the key, and a partial
 * index of the unfinished rows (pending, error) for counts, status listings and pending scans.
 * Complete rows stay out of it: a full status index made each compute's two writes ~40 % slower
 * (measured: 10,000 claim+finish pairs 565 ms with it, 460 ms partial), and complete rows are
 * counted as "all rows minus unfinished ones" from the key index.
 */
const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'computed resources',
    sql: `
      CREATE TABLE computed (
        collection     TEXT    NOT NULL,
        id             TEXT    NOT NULL,
        args_hash      TEXT    NOT NULL,
        args           TEXT    NOT NULL,
        status         TEXT    NOT NULL CHECK (status IN ('pending', 'complete', 'error')),
        code_version   TEXT    NOT NULL,
        started_ms     INTEGER,
        ended_ms       INTEGER,
        result         TEXT,
        error          TEXT,
        pid            INTEGER,
        host           TEXT,
        token          TEXT,
        lease_until_ms INTEGER,
        attempts       INTEGER NOT NULL,
        dir            TEXT
      );
      CREATE UNIQUE INDEX computed_key ON computed (collection, id, args_hash);
      CREATE INDEX computed_unfinished ON computed (collection, status, id, args_hash) WHERE status != 'complete';
    `,
  },
];

/**
 * `compute.db` for the SQLite migration runner (`migrateSqlite`). `compute_migrations` is the
 * history table earlier builds wrote and an older Strata still reads.
 */
export const COMPUTE_STORE_SCHEMA: SqliteSchema = {
  name: 'compute',
  historyTable: 'compute_migrations',
  migrations: MIGRATIONS.map(({ version, name, sql }) => ({ version, name, up: (db) => void db.exec(sql) })),
};
