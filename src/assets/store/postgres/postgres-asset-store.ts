import type pg from 'pg';
import {
  describePostgres,
  openPostgresPool,
  type PostgresPoolOptions,
} from '../../../catalog/postgres/postgres-pool.js';
import { InvalidArgumentError } from '../../../errors/index.js';
import type {
  AssetStore,
  AssetStoreChanges,
  AssetStoreSummary,
  SearchGrouping,
  StoredAsset,
  StoredFile,
  StoredFileStat,
} from '../asset-store.js';
import { DEFAULT_SEARCH_LIMITS, type SearchLimits } from '../search-limits.js';
import { migratePostgresAssetStore } from './postgres-asset-store-schema.js';
import { runPostgresSearch } from './postgres-search.js';
import {
  ASSET_COLUMNS,
  assetRow,
  FILE_COLUMNS,
  fileRow,
  fromAssetRow,
  fromFileRow,
  parseErrors,
  type AssetRow,
  type FileRow,
} from './postgres-asset-rows.js';

/** Options of the asset store on PostgreSQL (schema default `public`, created if missing). */
export type PostgresAssetStoreOptions = PostgresPoolOptions;

/** 48 characters leave room for the `_search_asset` schemas and the `strata_search_` role (63 max). */
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/;
/** Rows per multi-row statement of `apply`. */
const WRITE_CHUNK = 5_000;

/** `INSERT ... ON CONFLICT DO UPDATE` of many rows passed as one JSON parameter. */
function upsert(table: string, columns: readonly string[], key: string): string {
  const set = columns
    .filter((c) => c !== key)
    .map((c) => `${c} = EXCLUDED.${c}`)
    .join(', ');
  return (
    `INSERT INTO ${table} (${columns.join(', ')}) SELECT ${columns.join(', ')} ` +
    `FROM json_populate_recordset(NULL::${table}, $1::json) ON CONFLICT (${key}) DO UPDATE SET ${set}`
  );
}
const PUT_FILES = upsert('files', FILE_COLUMNS, 'file_id');
const PUT_ASSETS = upsert('assets', ASSET_COLUMNS, 'asset_id');

/**
 * The asset store on PostgreSQL through `pg`, for repositories whose asset tables are shared
 * between machines. Every `apply` is one transaction of a few multi-row statements (rows travel as
 * one JSON parameter per chunk, so a large update costs O(1) round trips per chunk, never one per
 * file). `search` runs the user's statement read-only, time-limited and as a restricted role (see
 * `runPostgresSearch`); MVCC keeps it from blocking a concurrent `apply`.
 */
export class PostgresAssetStore implements AssetStore {
  readonly location: string;
  readonly #pool: pg.Pool;
  readonly #schema: string;
  readonly #useRole: boolean;
  #closed = false;

  constructor(location: string, pool: pg.Pool, schema: string, useRole: boolean) {
    this.location = location;
    this.#pool = pool;
    this.#schema = schema;
    this.#useRole = useRole;
  }

  async #rows<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    if (this.#closed) throw new Error(`asset store ${this.location} is closed`);
    return (await this.#pool.query<R>(text, values)).rows;
  }

  async files(): Promise<StoredFile[]> {
    return (await this.#rows<FileRow>(`SELECT ${FILE_COLUMNS.join(', ')} FROM files`)).map(fromFileRow);
  }

  async assets(query: { readonly valid?: boolean } = {}): Promise<StoredAsset[]> {
    const columns = ASSET_COLUMNS.join(', ');
    const rows =
      query.valid === undefined
        ? await this.#rows<AssetRow>(`SELECT ${columns} FROM assets`)
        : await this.#rows<AssetRow>(`SELECT ${columns} FROM assets WHERE valid = $1`, [query.valid ? 1 : 0]);
    return rows.map(fromAssetRow);
  }

  async fileStats(): Promise<StoredFileStat[]> {
    const rows = await this.#rows<{
      path: string;
      file_id: string;
      size: number;
      mtime_ms: number;
      ino: number;
      asset_id: string | null;
    }>('SELECT path, file_id, size, mtime_ms, ino, asset_id FROM files');
    return rows.map((r) => ({
      path: r.path,
      fileId: r.file_id,
      size: r.size,
      mtimeMs: r.mtime_ms,
      ino: r.ino,
      assetId: r.asset_id,
    }));
  }

  async assetPaths(): Promise<{ assetId: string; assetPath: string }[]> {
    const rows = await this.#rows<{ asset_id: string; asset_path: string }>(
      'SELECT asset_id, asset_path FROM assets',
    );
    return rows.map((r) => ({ assetId: r.asset_id, assetPath: r.asset_path }));
  }

  async filesOfAssets(assetIds: readonly string[]): Promise<StoredFile[]> {
    if (assetIds.length === 0) return [];
    const rows = await this.#rows<FileRow>(
      `SELECT ${FILE_COLUMNS.join(', ')} FROM files WHERE asset_id = ANY($1::text[])`,
      [assetIds],
    );
    return rows.map(fromFileRow);
  }

  async summary(): Promise<AssetStoreSummary> {
    const [counts] = await this.#rows<{ files: number; assets: number; valid: number }>(
      `SELECT (SELECT count(*) FROM files)::integer AS files, (SELECT count(*) FROM assets)::integer AS assets,
              (SELECT count(*) FROM assets WHERE valid = 1)::integer AS valid`,
    );
    const fileErrors = await this.#rows<{ path: string; errors: string }>(
      'SELECT path, errors FROM files WHERE errors IS NOT NULL ORDER BY path',
    );
    const assetErrors = await this.#rows<{ asset_path: string; errors: string }>(
      'SELECT asset_path, errors FROM assets WHERE errors IS NOT NULL ORDER BY asset_path',
    );
    return {
      files: counts!.files,
      assets: counts!.assets,
      valid: counts!.valid,
      fileErrors: fileErrors.map((r) => ({ path: r.path, errors: parseErrors(r.errors) })),
      assetErrors: assetErrors.map((r) => ({ assetPath: r.asset_path, errors: parseErrors(r.errors) })),
    };
  }

  async filesById(ids: readonly string[]): Promise<StoredFile[]> {
    if (ids.length === 0) return [];
    const rows = await this.#rows<FileRow>(
      `SELECT ${FILE_COLUMNS.join(', ')} FROM files WHERE file_id = ANY($1::text[])`,
      [ids],
    );
    const found = new Map(rows.map((r) => [r.file_id as string, fromFileRow(r)]));
    return ids.map((id) => found.get(id)).filter((f): f is StoredFile => f !== undefined);
  }

  async meta(key: string): Promise<string | undefined> {
    const rows = await this.#rows<{ value: string }>('SELECT value FROM meta WHERE key = $1', [key]);
    return rows[0]?.value;
  }

  async apply(changes: AssetStoreChanges): Promise<void> {
    if (this.#closed) throw new Error(`asset store ${this.location} is closed`);
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      try {
        // Deletes first: a changed file keeps its path under a new id.
        if (changes.deleteFiles.length > 0)
          await client.query('DELETE FROM files WHERE file_id = ANY($1::text[])', [changes.deleteFiles]);
        if (changes.deleteAssets.length > 0)
          await client.query('DELETE FROM assets WHERE asset_id = ANY($1::text[])', [changes.deleteAssets]);
        for (let i = 0; i < changes.putFiles.length; i += WRITE_CHUNK)
          await client.query(PUT_FILES, [
            JSON.stringify(changes.putFiles.slice(i, i + WRITE_CHUNK).map(fileRow)),
          ]);
        for (let i = 0; i < changes.putAssets.length; i += WRITE_CHUNK)
          await client.query(PUT_ASSETS, [
            JSON.stringify(changes.putAssets.slice(i, i + WRITE_CHUNK).map(assetRow)),
          ]);
        const meta = Object.entries(changes.meta ?? {});
        if (meta.length > 0)
          await client.query(
            'INSERT INTO meta (key, value) SELECT * FROM unnest($1::text[], $2::text[]) ' +
              'ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value',
            [meta.map(([k]) => k), meta.map(([, v]) => v)],
          );
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    } finally {
      client.release();
    }
  }

  async search(
    sql: string,
    grouping: SearchGrouping,
    limits: SearchLimits = DEFAULT_SEARCH_LIMITS,
  ): Promise<Record<string, unknown>[]> {
    if (grouping !== 'file' && grouping !== 'asset')
      throw new InvalidArgumentError(`group by must be 'file' or 'asset', not '${String(grouping)}'`, {
        grouping,
      });
    if (this.#closed) throw new Error(`asset store ${this.location} is closed`);
    const client = await this.#pool.connect();
    let broken: unknown;
    try {
      return await runPostgresSearch(client, {
        schema: this.#schema,
        useRole: this.#useRole,
        sql,
        grouping,
        limits,
      });
    } catch (err) {
      // A connection the search left in doubt (not a refused statement) is not reused.
      if (!(err instanceof Error && 'code' in err && String(err.code).startsWith('E_'))) broken = err;
      throw err;
    } finally {
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }
}

/**
 * Opens (creating and migrating if needed) the asset store in `options.schema` of a PostgreSQL
 * database, and the restricted role its searches run as when the connecting user may create it.
 * An unreachable server is E_CONFIG naming it without its password; a schema migrated by a newer
 * Strata is E_SCHEMA_TOO_NEW.
 */
export async function openPostgresAssetStore(
  options: PostgresAssetStoreOptions,
): Promise<PostgresAssetStore> {
  const schema = options.schema ?? 'public';
  if (!SCHEMA_NAME.test(schema)) {
    throw new InvalidArgumentError(
      `invalid PostgreSQL schema name '${schema}': use letters, digits and _ (at most 48)`,
      { schema },
    );
  }
  const location = describePostgres(options.connectionString, schema);
  const { pool, client } = await openPostgresPool({ ...options, schema }, 'asset store', location);
  let useRole: boolean;
  try {
    useRole = await migratePostgresAssetStore(client, location, schema);
  } catch (err) {
    client.release();
    await pool.end();
    throw err;
  }
  client.release();
  return new PostgresAssetStore(location, pool, schema, useRole);
}
