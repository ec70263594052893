/**
 * The asset store port: the file table and asset table of asset ingest (`.strata/assets.db`).
 * Rows are plain values (objects, not JSON text); the adapter (SQLite, `src/assets/store/sqlite/`,
 * or PostgreSQL, `src/assets/store/postgres/`) turns them into columns. One `apply` is one
 * transaction, so an interrupted update leaves the previous tables whole.
 */

import type { SearchLimits } from './search-limits.js';

/** A value now or later. */
export type Awaitable<T> = T | Promise<T>;

/** One problem found on a file or an asset. `field` and `offset` point into a name when known. */
export interface StoredError {
  readonly field?: string;
  readonly offset?: number;
  readonly message: string;
}

/** One row of the file table. */
export interface StoredFile {
  readonly fileId: string;
  readonly assetId: string | null;
  /** Relative to the ingress root, `/`-separated. */
  readonly path: string;
  readonly filename: string;
  readonly size: number;
  readonly mtimeMs: number;
  /** The inode, so a replaced file with the same size and time is still seen as changed. */
  readonly ino: number;
  readonly specification: string | null;
  /** Parsed name fields (project, specification, descriptor, version, coordinate, x/y/z, frame, extension). */
  readonly fields: Readonly<Record<string, unknown>>;
  readonly grammarVersion: string;
  readonly traits: Readonly<Record<string, unknown>>;
  /** The file's own errors: name, field validators, traits. */
  readonly errors: readonly StoredError[];
}

/** One row of the asset table. */
export interface StoredAsset {
  readonly assetId: string;
  readonly assetName: string;
  /** Relative to the ingress root, `/`-separated. */
  readonly assetPath: string;
  readonly assetType: 'file' | 'sequence' | 'complex';
  readonly specification: string;
  readonly valid: boolean;
  readonly errors: readonly StoredError[];
  readonly fileIds: readonly string[];
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** What one update changes: rows to write (insert or replace by id) and ids to remove. */
export interface AssetStoreChanges {
  readonly putFiles: readonly StoredFile[];
  readonly deleteFiles: readonly string[];
  readonly putAssets: readonly StoredAsset[];
  readonly deleteAssets: readonly string[];
  /** Key/value facts of the update (e.g. the fingerprint of the specifications used). */
  readonly meta?: Readonly<Record<string, string>>;
}

/** The stat of a stored file: enough to tell whether it changed, without its fields and traits. */
export interface StoredFileStat {
  readonly path: string;
  readonly fileId: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
  readonly assetId: string | null;
}

/** Counts and every error of the tables, for an update's report. */
export interface AssetStoreSummary {
  readonly files: number;
  readonly assets: number;
  readonly valid: number;
  readonly fileErrors: readonly { readonly path: string; readonly errors: readonly StoredError[] }[];
  readonly assetErrors: readonly { readonly assetPath: string; readonly errors: readonly StoredError[] }[];
}

/** How search rows are grouped: one per file (its asset's columns joined) or one per asset. */
export type SearchGrouping = 'file' | 'asset';

/** The port. */
export interface AssetStore {
  /** Where the tables live (a file path for SQLite). */
  readonly location: string;
  /** Every file row. */
  files(): Awaitable<StoredFile[]>;
  /** Every asset row (only valid or only invalid ones when asked). */
  assets(query?: { readonly valid?: boolean }): Awaitable<StoredAsset[]>;
  /** The stat of every file row (cheap: no JSON columns). */
  fileStats(): Awaitable<StoredFileStat[]>;
  /** Every asset's id and path. */
  assetPaths(): Awaitable<{ readonly assetId: string; readonly assetPath: string }[]>;
  /** The file rows of these assets. */
  filesOfAssets(assetIds: readonly string[]): Awaitable<StoredFile[]>;
  /** Counts and errors of the whole tables. */
  summary(): Awaitable<AssetStoreSummary>;
  /** File rows by id, in the order asked; unknown ids are left out. */
  filesById(ids: readonly string[]): Awaitable<StoredFile[]>;
  meta(key: string): Awaitable<string | undefined>;
  /** Applies every change in one transaction. */
  apply(changes: AssetStoreChanges): Awaitable<void>;
  /**
   * Runs one read-only SQL statement over the table `data` (one row per file with its asset's
   * columns, or one row per asset) and returns its rows. Any statement that would write is
   * refused with E_INVALID_ARGUMENT; the adapter reads through a read-only connection. The search
   * never runs unbounded: past `limits` (default `DEFAULT_SEARCH_LIMITS`) it stops with
   * E_QUERY_TIMEOUT or E_QUERY_TOO_LARGE, and it never blocks a concurrent `apply`.
   */
  search(sql: string, grouping: SearchGrouping, limits?: SearchLimits): Promise<Record<string, unknown>[]>;
  close(): Awaitable<void>;
}
