import type { SqliteSchema } from '../../../catalog/sqlite/sqlite-migrations.js';

/**
 * The file table holds the parsed name fields as columns (so `search` can filter on them; the
 * coordinate list as JSON) and traits as JSON text; paths are unique by construction (one scan),
 * so they carry no index: 100,000 inserts cost a third less without it; errors are JSON arrays, NULL when there are none. The asset table is
 * one row per asset. `file_view` and `asset_view` are what `search` calls `data`.
 */
const SCHEMA = `
  CREATE TABLE files (
    file_id         TEXT PRIMARY KEY,
    asset_id        TEXT,
    path            TEXT NOT NULL,
    filename        TEXT NOT NULL,
    size            INTEGER NOT NULL,
    mtime_ms        REAL NOT NULL,
    ino             INTEGER NOT NULL,
    specification   TEXT,
    project         TEXT,
    descriptor      TEXT,
    version         INTEGER,
    coordinate      TEXT,
    coordinate_x    INTEGER,
    coordinate_y    INTEGER,
    coordinate_z    INTEGER,
    frame           INTEGER,
    extension       TEXT,
    grammar_version TEXT NOT NULL,
    traits          TEXT NOT NULL,
    errors          TEXT
  );
  CREATE INDEX files_asset ON files (asset_id);
  CREATE TABLE assets (
    asset_id      TEXT PRIMARY KEY,
    asset_name    TEXT NOT NULL,
    asset_path    TEXT NOT NULL,
    asset_type    TEXT NOT NULL CHECK (asset_type IN ('file', 'sequence', 'complex')),
    specification TEXT NOT NULL,
    valid         INTEGER NOT NULL,
    errors        TEXT,
    file_ids      TEXT NOT NULL,
    metadata      TEXT NOT NULL
  );
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE VIEW file_view AS
    SELECT f.file_id, f.asset_id, f.path AS file_path, f.filename, f.size, f.mtime_ms,
      f.specification, f.project, f.descriptor, f.version, f.coordinate, f.coordinate_x,
      f.coordinate_y, f.coordinate_z, f.frame, f.extension, f.grammar_version,
      f.traits AS file_traits,
      json_extract(f.traits, '$.width') AS width, json_extract(f.traits, '$.height') AS height,
      json_extract(f.traits, '$.channels') AS channels,
      json_extract(f.traits, '$.bit_depth') AS bit_depth,
      f.errors AS file_error,
      a.asset_name, a.asset_path, a.asset_type,
      coalesce(a.valid, 0) AS asset_valid,
      CASE WHEN a.asset_id IS NULL THEN '[{"message":"the file belongs to no asset"}]'
           ELSE a.errors END AS asset_error
    FROM files f LEFT JOIN assets a ON a.asset_id = f.asset_id;
  CREATE VIEW asset_view AS
    SELECT a.asset_id, a.asset_name, a.asset_path, a.asset_type, a.specification,
      json_extract(a.metadata, '$.project') AS project,
      json_extract(a.metadata, '$.descriptor') AS descriptor,
      json_extract(a.metadata, '$.version') AS version,
      a.metadata AS asset_metadata,
      json_array_length(a.file_ids) AS file_count,
      a.valid AS asset_valid, a.errors AS asset_error,
      (SELECT CASE WHEN count(*) = 0 THEN NULL ELSE
           json_group_array(json_object('path', f.path, 'errors', json(f.errors))) END
         FROM files f WHERE f.asset_id = a.asset_id AND f.errors IS NOT NULL) AS file_error
    FROM assets a;
`;

const DROP = `
  DROP VIEW IF EXISTS file_view;
  DROP VIEW IF EXISTS asset_view;
  DROP TABLE IF EXISTS files;
  DROP TABLE IF EXISTS assets;
  DROP TABLE IF EXISTS meta;
`;

/**
 * `assets.db` for the SQLite migration runner (`migrateSqlite`), versioned by `PRAGMA user_version`
 * as before the runner existed. The tables are derived from the ingress folder (the next update
 * rebuilds them), so a schema change drops and recreates them: a file of the first schema (version
 * 1) is rebuilt by migration 2, a new file runs both. A newer file is refused (E_SCHEMA_TOO_NEW).
 */
export const ASSET_STORE_SCHEMA: SqliteSchema = {
  name: 'asset',
  migrations: [
    // Its tables were created by code long gone; migration 2 replaces them.
    { version: 1, name: 'first asset tables (retired)', up: () => {} },
    {
      version: 2,
      name: 'name fields as columns, search views',
      up(db) {
        db.exec(DROP);
        db.exec(SCHEMA);
      },
    },
  ],
};
