import type pg from 'pg';
import { SchemaTooNewError } from '../../../errors/index.js';

/**
 * The schema history of the asset store on PostgreSQL, the counterpart of `assets.db`'s. Columns
 * mirror SQLite's (name fields as columns, traits/errors/file ids/metadata as JSON text so rows
 * come back byte for byte); numbers are `double precision` so the driver returns JS numbers.
 * `file_view` and `asset_view` are what `search` calls `data`: each is also exposed as `data` in
 * a search schema of its own (`<schema>_search_file`, `<schema>_search_asset`), so a search sees
 * `data` and nothing else of the store.
 */
function migrations(schema: string): readonly { version: number; name: string; sql: string }[] {
  const q = (name: string) => `"${name}"`;
  const number = (json: string, key: string) =>
    `CASE WHEN jsonb_typeof((${json})::jsonb -> '${key}') = 'number' ` +
    `THEN ((${json})::jsonb ->> '${key}')::double precision END`;
  return [
    {
      version: 1,
      name: 'asset tables, search views',
      sql: `
        CREATE TABLE files (
          file_id         text COLLATE "C" PRIMARY KEY,
          asset_id        text COLLATE "C",
          path            text COLLATE "C" NOT NULL,
          filename        text NOT NULL,
          size            double precision NOT NULL,
          mtime_ms        double precision NOT NULL,
          ino             double precision NOT NULL,
          specification   text,
          project         text,
          descriptor      text,
          version         double precision,
          coordinate      text,
          coordinate_x    double precision,
          coordinate_y    double precision,
          coordinate_z    double precision,
          frame           double precision,
          extension       text,
          grammar_version text NOT NULL,
          traits          text NOT NULL,
          errors          text
        );
        CREATE INDEX files_asset ON files (asset_id);
        CREATE TABLE assets (
          asset_id      text COLLATE "C" PRIMARY KEY,
          asset_name    text NOT NULL,
          asset_path    text COLLATE "C" NOT NULL,
          asset_type    text NOT NULL CHECK (asset_type IN ('file', 'sequence', 'complex')),
          specification text NOT NULL,
          valid         integer NOT NULL,
          errors        text,
          file_ids      text NOT NULL,
          metadata      text NOT NULL
        );
        CREATE TABLE meta (key text COLLATE "C" PRIMARY KEY, value text NOT NULL);
        CREATE VIEW file_view AS
          SELECT f.file_id, f.asset_id, f.path AS file_path, f.filename, f.size, f.mtime_ms,
            f.specification, f.project, f.descriptor, f.version, f.coordinate, f.coordinate_x,
            f.coordinate_y, f.coordinate_z, f.frame, f.extension, f.grammar_version,
            f.traits AS file_traits,
            ${number('f.traits', 'width')} AS width, ${number('f.traits', 'height')} AS height,
            ${number('f.traits', 'channels')} AS channels,
            ${number('f.traits', 'bit_depth')} AS bit_depth,
            f.errors AS file_error,
            a.asset_name, a.asset_path, a.asset_type,
            coalesce(a.valid, 0) AS asset_valid,
            CASE WHEN a.asset_id IS NULL THEN '[{"message":"the file belongs to no asset"}]'
                 ELSE a.errors END AS asset_error
          FROM files f LEFT JOIN assets a ON a.asset_id = f.asset_id;
        CREATE VIEW asset_view AS
          SELECT a.asset_id, a.asset_name, a.asset_path, a.asset_type, a.specification,
            a.metadata::jsonb ->> 'project' AS project,
            a.metadata::jsonb ->> 'descriptor' AS descriptor,
            ${number('a.metadata', 'version')} AS version,
            a.metadata AS asset_metadata,
            json_array_length(a.file_ids::json) AS file_count,
            a.valid AS asset_valid, a.errors AS asset_error,
            (SELECT json_agg(json_build_object('path', f.path, 'errors', f.errors::json) ORDER BY f.path)::text
               FROM files f WHERE f.asset_id = a.asset_id AND f.errors IS NOT NULL) AS file_error
          FROM assets a;
        CREATE SCHEMA IF NOT EXISTS ${q(`${schema}_search_file`)};
        CREATE VIEW ${q(`${schema}_search_file`)}.data AS SELECT * FROM ${q(schema)}.file_view;
        CREATE SCHEMA IF NOT EXISTS ${q(`${schema}_search_asset`)};
        CREATE VIEW ${q(`${schema}_search_asset`)}.data AS SELECT * FROM ${q(schema)}.asset_view;
      `,
    },
  ];
}

/** The schemas a search of this grouping reads (`data` is its only relation). */
export const searchSchema = (schema: string, grouping: 'file' | 'asset') => `${schema}_search_${grouping}`;

/** The role searches run as: NOLOGIN, USAGE on the two search schemas, SELECT on their `data`. */
export const searchRole = (schema: string) => `strata_search_${schema}`;

/** The latest version this code knows. */
export const ASSET_SCHEMA_VERSION = 1;

/**
 * Brings the tables up to date in one transaction under an advisory lock named after the schema,
 * so concurrent first opens (any process, any machine) run each migration once; a schema a newer
 * Strata migrated is refused with E_SCHEMA_TOO_NEW. Then, if the connecting user may create
 * roles, makes sure the search role exists with exactly its grants, and returns whether searches
 * can switch to it (false: the user can neither create it nor is a member).
 */
export async function migratePostgresAssetStore(
  client: pg.PoolClient,
  location: string,
  schema: string,
): Promise<boolean> {
  const all = migrations(schema);
  const latest = all[all.length - 1]!.version;
  await client.query('BEGIN');
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('strata-asset-migrate:' || $1::text))", [
      schema,
    ]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS "${schema}".asset_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)`,
    );
    const { rows } = await client.query<{ version: number | null }>(
      `SELECT max(version) AS version FROM "${schema}".asset_migrations`,
    );
    const current = rows[0]?.version ?? 0;
    if (current > latest)
      throw new SchemaTooNewError({ file: location, schema: 'asset', version: current, supported: latest });
    for (const migration of all) {
      if (migration.version <= current) continue;
      await client.query(migration.sql);
      await client.query(
        `INSERT INTO "${schema}".asset_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
        [migration.version, migration.name, new Date().toISOString()],
      );
    }
    const usable = await ensureSearchRole(client, schema);
    await client.query('COMMIT');
    return usable;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/**
 * Creates the search role if missing and the user may (superuser or CREATEROLE), grants it to the
 * user so `SET ROLE` works, and (re)grants USAGE and SELECT on the search views only. Idempotent;
 * runs inside the migration's transaction and lock. Roles are cluster-wide: a concurrent creation
 * from another database is tolerated (duplicate_object).
 */
async function ensureSearchRole(client: pg.PoolClient, schema: string): Promise<boolean> {
  const role = searchRole(schema);
  const { rows } = await client.query<{ exists: boolean; may: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS exists,
            (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user) AS may`,
    [role],
  );
  const { exists, may } = rows[0]!;
  if (!exists) {
    if (!may) return false;
    await client.query('SAVEPOINT strata_role');
    try {
      await client.query(`CREATE ROLE "${role}" NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT`);
      await client.query('RELEASE SAVEPOINT strata_role');
    } catch (err) {
      await client.query('ROLLBACK TO SAVEPOINT strata_role');
      if ((err as { code?: string }).code !== '42710') throw err;
    }
  }
  const member = await client.query<{ member: boolean }>(
    "SELECT pg_has_role(current_user, $1, 'MEMBER') AS member",
    [role],
  );
  if (!member.rows[0]!.member) {
    if (!may) return false;
    await client.query(`GRANT "${role}" TO current_user`);
  }
  for (const grouping of ['file', 'asset'] as const) {
    const s = searchSchema(schema, grouping);
    await client.query(`GRANT USAGE ON SCHEMA "${s}" TO "${role}"`);
    await client.query(`GRANT SELECT ON "${s}".data TO "${role}"`);
  }
  return true;
}
