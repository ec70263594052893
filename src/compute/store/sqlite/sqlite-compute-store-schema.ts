import type Database from 'better-sqlite3';

/** One numbered schema change of `compute.db`. Never edit a shipped one: add the next number. */
interface ComputeMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * The schema history of `compute.db`, kept apart from the catalog's. The table has a rowid (results
 * can be large, which WITHOUT ROWID tables handle badly) and two indexes: the key, and a partial
 * index of the unfinished rows (pending, error) for counts, status listings and pending scans.
 * Complete rows stay out of it: a full status index made each compute's two writes ~40 % slower
 * (measured: 10,000 claim+finish pairs 565 ms with it, 460 ms partial), and complete rows are
 * counted as "all rows minus unfinished ones" from the key index.
 */
const MIGRATIONS: readonly ComputeMigration[] = [
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

const LATEST = MIGRATIONS[MIGRATIONS.length - 1]!.version;

function readVersion(db: Database.Database): number | undefined {
  try {
    const row = db.prepare('SELECT max(version) AS version FROM compute_migrations').get() as {
      version: number | null;
    };
    return row.version ?? 0;
  } catch {
    return undefined; // no table yet: a new file
  }
}

function refuseNewer(version: number | undefined, file: string): void {
  if (version !== undefined && version > LATEST) {
    throw new Error(
      `${file}: compute schema version ${version} is newer than this Strata understands (${LATEST}); upgrade Strata`,
    );
  }
}

/**
 * Brings `compute.db` up to date in one `BEGIN IMMEDIATE` transaction (the write lock makes a
 * concurrent migrator wait, then find the work done). An up-to-date file costs one read.
 */
export function migrateComputeStore(db: Database.Database, file: string): void {
  const seen = readVersion(db);
  refuseNewer(seen, file);
  if (seen === LATEST) return;
  db.transaction(() => {
    db.exec(
      'CREATE TABLE IF NOT EXISTS compute_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    const current = readVersion(db) ?? 0;
    refuseNewer(current, file);
    const record = db.prepare('INSERT INTO compute_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, new Date().toISOString());
    }
  }).immediate();
}
