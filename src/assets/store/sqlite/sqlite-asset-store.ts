import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { openSqlite } from '../../../catalog/sqlite/open-sqlite.js';
import type {
  AssetStore,
  AssetStoreSummary,
  StoredFileStat,
  AssetStoreChanges,
  SearchGrouping,
  StoredAsset,
  StoredError,
  StoredFile,
} from '../asset-store.js';
import { DEFAULT_SEARCH_LIMITS, type SearchLimits } from '../search-limits.js';
import { ASSET_STORE_SCHEMA } from './sqlite-asset-store-schema.js';
import { runSqliteSearch } from './sqlite-search.js';
import { checkGrouping, prepareSearch, searchBatches } from './sqlite-search-statement.js';

/** Options of the SQLite asset store. */
export interface SqliteAssetStoreOptions {
  /** The database file (created with its folder if missing), or `:memory:` for tests. */
  readonly path: string;
}

type FileTuple = [
  string, // file_id
  string | null, // asset_id
  string, // path
  string, // filename
  number, // size
  number, // mtime_ms
  number, // ino
  string | null, // specification
  string | null, // project
  string | null, // descriptor
  number | null, // version
  string | null, // coordinate
  number | null, // coordinate_x
  number | null, // coordinate_y
  number | null, // coordinate_z
  number | null, // frame
  string | null, // extension
  string, // grammar_version
  string, // traits
  string | null, // errors
];
const FILE_COLUMNS =
  'file_id, asset_id, path, filename, size, mtime_ms, ino, specification, project, descriptor, version, ' +
  'coordinate, coordinate_x, coordinate_y, coordinate_z, frame, extension, grammar_version, traits, errors';
type AssetTuple = [string, string, string, string, string, number, string | null, string, string];
const ASSET_COLUMNS =
  'asset_id, asset_name, asset_path, asset_type, specification, valid, errors, file_ids, metadata';

const BUSY_TIMEOUT_MS = 15_000;
/** Ids per lookup statement: well under SQLite's parameter limit. */
const LOOKUP_CHUNK = 500;

const errorsText = (errors: readonly StoredError[]) => (errors.length === 0 ? null : JSON.stringify(errors));
const parseErrors = (text: string | null): StoredError[] => (text === null ? [] : JSON.parse(text));
const str = (v: unknown) => (typeof v === 'string' ? v : null);
const num = (v: unknown) => (typeof v === 'number' ? v : null);

function fileTuple(f: StoredFile): FileTuple {
  const x = f.fields;
  return [
    f.fileId,
    f.assetId,
    f.path,
    f.filename,
    f.size,
    f.mtimeMs,
    f.ino,
    f.specification,
    str(x.project),
    str(x.descriptor),
    num(x.version),
    Array.isArray(x.coordinate) ? JSON.stringify(x.coordinate) : null,
    num(x.coordinate_x),
    num(x.coordinate_y),
    num(x.coordinate_z),
    num(x.frame),
    str(x.extension),
    f.grammarVersion,
    JSON.stringify(f.traits),
    errorsText(f.errors),
  ];
}

/** The parsed name fields from their columns, in canonical order, leaving out absent ones. */
function fieldsOf(t: FileTuple): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (t[8] !== null) fields.project = t[8];
  if (t[7] !== null) fields.specification = t[7];
  if (t[9] !== null) fields.descriptor = t[9];
  if (t[10] !== null) fields.version = t[10];
  if (t[11] !== null) fields.coordinate = JSON.parse(t[11]);
  if (t[12] !== null) fields.coordinate_x = t[12];
  if (t[13] !== null) fields.coordinate_y = t[13];
  if (t[14] !== null) fields.coordinate_z = t[14];
  if (t[15] !== null) fields.frame = t[15];
  if (t[16] !== null) fields.extension = t[16];
  return fields;
}

function fromFileTuple(t: FileTuple): StoredFile {
  return {
    fileId: t[0],
    assetId: t[1],
    path: t[2],
    filename: t[3],
    size: t[4],
    mtimeMs: t[5],
    ino: t[6],
    specification: t[7],
    grammarVersion: t[17],
    fields: fieldsOf(t),
    traits: t[18] === '{}' ? {} : JSON.parse(t[18]),
    errors: parseErrors(t[19]),
  };
}

function assetTuple(a: StoredAsset): AssetTuple {
  return [
    a.assetId,
    a.assetName,
    a.assetPath,
    a.assetType,
    a.specification,
    a.valid ? 1 : 0,
    errorsText(a.errors),
    JSON.stringify(a.fileIds),
    JSON.stringify(a.metadata),
  ];
}

function fromAssetTuple(t: AssetTuple): StoredAsset {
  return {
    assetId: t[0],
    assetName: t[1],
    assetPath: t[2],
    assetType: t[3] as StoredAsset['assetType'],
    specification: t[4],
    valid: t[5] === 1,
    errors: parseErrors(t[6]),
    fileIds: JSON.parse(t[7]),
    metadata: JSON.parse(t[8]),
  };
}

/**
 * The asset store on SQLite (better-sqlite3): prepared statements, raw tuples for bulk reads, and
 * one immediate transaction per `apply`. `search` reads through its own read-only, query-only
 * connection in a child process and refuses any statement that is not a reader, so no query can
 * change the tables, and none can run past its limits.
 */
export class SqliteAssetStore implements AssetStore {
  readonly location: string;
  readonly #db: Database.Database;
  readonly #memory: boolean;
  readonly #allFiles: Database.Statement<[], FileTuple>;
  readonly #allAssets: Database.Statement<[], AssetTuple>;
  readonly #assetsByValid: Database.Statement<[number], AssetTuple>;
  readonly #putFile: Database.Statement<FileTuple>;
  readonly #deleteFile: Database.Statement<[string]>;
  readonly #putAsset: Database.Statement<AssetTuple>;
  readonly #deleteAsset: Database.Statement<[string]>;
  readonly #getMeta: Database.Statement<[string], { value: string }>;
  readonly #putMeta: Database.Statement<[string, string]>;
  readonly #lookups = new Map<number, Database.Statement<string[], FileTuple>>();
  readonly #byAsset = new Map<number, Database.Statement<string[], FileTuple>>();
  readonly #stats: Database.Statement<[], [string, string, number, number, number, string | null]>;
  readonly #assetPaths: Database.Statement<[], [string, string]>;

  constructor(location: string, db: Database.Database) {
    this.location = location;
    this.#db = db;
    this.#memory = location === ':memory:';
    this.#allFiles = db.prepare<[], FileTuple>(`SELECT ${FILE_COLUMNS} FROM files`).raw(true);
    this.#allAssets = db.prepare<[], AssetTuple>(`SELECT ${ASSET_COLUMNS} FROM assets`).raw(true);
    this.#assetsByValid = db
      .prepare<[number], AssetTuple>(`SELECT ${ASSET_COLUMNS} FROM assets WHERE valid = ?`)
      .raw(true);
    const marks = (n: number) => new Array(n).fill('?').join(', ');
    this.#putFile = db.prepare<FileTuple>(
      `INSERT OR REPLACE INTO files (${FILE_COLUMNS}) VALUES (${marks(20)})`,
    );
    this.#deleteFile = db.prepare<[string]>('DELETE FROM files WHERE file_id = ?');
    this.#putAsset = db.prepare<AssetTuple>(
      `INSERT OR REPLACE INTO assets (${ASSET_COLUMNS}) VALUES (${marks(9)})`,
    );
    this.#deleteAsset = db.prepare<[string]>('DELETE FROM assets WHERE asset_id = ?');
    this.#stats = db
      .prepare<[], [string, string, number, number, number, string | null]>(
        'SELECT path, file_id, size, mtime_ms, ino, asset_id FROM files',
      )
      .raw(true);
    this.#assetPaths = db.prepare<[], [string, string]>('SELECT asset_id, asset_path FROM assets').raw(true);
    this.#getMeta = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
    this.#putMeta = db.prepare<[string, string]>('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
  }

  files(): StoredFile[] {
    return this.#allFiles.all().map(fromFileTuple);
  }

  assets(query: { readonly valid?: boolean } = {}): StoredAsset[] {
    const rows =
      query.valid === undefined ? this.#allAssets.all() : this.#assetsByValid.all(query.valid ? 1 : 0);
    return rows.map(fromAssetTuple);
  }

  fileStats(): StoredFileStat[] {
    return this.#stats
      .all()
      .map(([path, fileId, size, mtimeMs, ino, assetId]) => ({ path, fileId, size, mtimeMs, ino, assetId }));
  }

  assetPaths(): { assetId: string; assetPath: string }[] {
    return this.#assetPaths.all().map(([assetId, assetPath]) => ({ assetId, assetPath }));
  }

  filesOfAssets(assetIds: readonly string[]): StoredFile[] {
    const out: StoredFile[] = [];
    for (let i = 0; i < assetIds.length; i += LOOKUP_CHUNK) {
      const chunk = assetIds.slice(i, i + LOOKUP_CHUNK);
      let statement = this.#byAsset.get(chunk.length);
      if (!statement) {
        const marks = new Array(chunk.length).fill('?').join(',');
        statement = this.#db
          .prepare<string[], FileTuple>(`SELECT ${FILE_COLUMNS} FROM files WHERE asset_id IN (${marks})`)
          .raw(true);
        this.#byAsset.set(chunk.length, statement);
      }
      for (const t of statement.all(...chunk)) out.push(fromFileTuple(t));
    }
    return out;
  }

  summary(): AssetStoreSummary {
    const count = (sql: string) => (this.#db.prepare(sql).pluck().get() as number) ?? 0;
    const fileErrors = (
      this.#db
        .prepare('SELECT path, errors FROM files WHERE errors IS NOT NULL ORDER BY path')
        .raw(true)
        .all() as [string, string][]
    ).map(([path, errors]) => ({ path, errors: parseErrors(errors) }));
    const assetErrors = (
      this.#db
        .prepare('SELECT asset_path, errors FROM assets WHERE errors IS NOT NULL ORDER BY asset_path')
        .raw(true)
        .all() as [string, string][]
    ).map(([assetPath, errors]) => ({ assetPath, errors: parseErrors(errors) }));
    return {
      files: count('SELECT count(*) FROM files'),
      assets: count('SELECT count(*) FROM assets'),
      valid: count('SELECT count(*) FROM assets WHERE valid = 1'),
      fileErrors,
      assetErrors,
    };
  }

  filesById(ids: readonly string[]): StoredFile[] {
    const found = new Map<string, StoredFile>();
    for (let i = 0; i < ids.length; i += LOOKUP_CHUNK) {
      const chunk = ids.slice(i, i + LOOKUP_CHUNK);
      let statement = this.#lookups.get(chunk.length);
      if (!statement) {
        const marks = new Array(chunk.length).fill('?').join(',');
        statement = this.#db
          .prepare<string[], FileTuple>(`SELECT ${FILE_COLUMNS} FROM files WHERE file_id IN (${marks})`)
          .raw(true);
        this.#lookups.set(chunk.length, statement);
      }
      for (const t of statement.all(...chunk)) found.set(t[0], fromFileTuple(t));
    }
    return ids.map((id) => found.get(id)).filter((f): f is StoredFile => f !== undefined);
  }

  meta(key: string): string | undefined {
    return this.#getMeta.get(key)?.value;
  }

  apply(changes: AssetStoreChanges): void {
    this.#db
      .transaction(() => {
        // Deletes first: a changed file keeps its path under a new id, and path is unique.
        for (const id of changes.deleteFiles) this.#deleteFile.run(id);
        for (const id of changes.deleteAssets) this.#deleteAsset.run(id);
        for (const f of changes.putFiles) this.#putFile.run(...fileTuple(f));
        for (const a of changes.putAssets) this.#putAsset.run(...assetTuple(a));
        for (const [k, v] of Object.entries(changes.meta ?? {})) this.#putMeta.run(k, v);
      })
      .immediate();
  }

  /**
   * A bounded search: in a child process killed at the time limit for a database file (see
   * `runSqliteSearch`); in this thread for `:memory:` (tests), where only the row and byte limits
   * hold, since nothing can stop SQLite inside this thread.
   */
  async search(
    sql: string,
    grouping: SearchGrouping,
    limits: SearchLimits = DEFAULT_SEARCH_LIMITS,
  ): Promise<Record<string, unknown>[]> {
    checkGrouping(grouping);
    if (!this.#memory) return runSqliteSearch({ location: this.location, sql, grouping, limits });
    const rows: Record<string, unknown>[] = [];
    try {
      for (const batch of searchBatches(prepareSearch(this.#db, sql, grouping), limits)) rows.push(...batch);
    } finally {
      this.#db.pragma('query_only = OFF');
    }
    return rows;
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}

/**
 * Opens (creating if needed) the asset store: WAL so `search` reads while an update writes,
 * `synchronous=NORMAL` (a committed update survives a killed process; the tables are rebuilt
 * from the ingress folder by the next update anyway).
 */
export async function openSqliteAssetStore(options: SqliteAssetStoreOptions): Promise<SqliteAssetStore> {
  const memory = options.path === ':memory:';
  const location = memory ? ':memory:' : path.resolve(options.path);
  if (!memory && !existsSync(path.dirname(location))) mkdirSync(path.dirname(location), { recursive: true });
  const db = await openSqlite(location, {
    schema: ASSET_STORE_SCHEMA,
    busyTimeoutMs: BUSY_TIMEOUT_MS,
    synchronous: 'NORMAL',
    // 64 MiB of page cache: a first update of 100,000 files inserts into three B-trees at
    // random keys (ids are hashes), and a small cache spills pages to the WAL over and over.
    cacheSizeKiB: 65_536,
  });
  try {
    return new SqliteAssetStore(location, db);
  } catch (err) {
    db.close();
    throw err;
  }
}
