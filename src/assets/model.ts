/**
 * The records of asset ingest, as `update` stores them and `create` / `export` read them.
 * Names here are stable: the staging half (create, export, webhooks) builds on them.
 */
import path from 'node:path';
import type { AssetStore, StoredAsset, StoredError, StoredFile } from './store/asset-store.js';
import type { NameMetadata } from './naming/parse-name.js';

/** One problem on a file or asset; `field` and `offset` point into the name when the name is at fault. */
export type AssetError = StoredError;

/** The asset types of a specification: one file, one folder of files, or a tree with a root. */
export type AssetType = 'file' | 'sequence' | 'complex';
export const ASSET_TYPES: readonly AssetType[] = ['file', 'sequence', 'complex'];

/** One file of the ingress folder. */
export interface FileRecord {
  /** Stable: derived from the relative path and the file's content id (see `fileIdOf`). */
  readonly fileId: string;
  readonly assetId: string | null;
  /** Relative to the ingress root, `/`-separated. */
  readonly path: string;
  readonly filename: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly specification: string | null;
  /** The parsed name: project, specification, descriptor, version, coordinate (+ x, y, z), frame, extension. */
  readonly fields: NameMetadata;
  readonly grammarVersion: string;
  /** What the specification's file traits read (width, height, channels, bit_depth, ...). */
  readonly traits: Readonly<Record<string, unknown>>;
  /** The file's own errors: its name, its field validators, its traits. */
  readonly errors: readonly AssetError[];
  /** Whether the asset the file belongs to is valid (false when it belongs to none). */
  readonly assetValid: boolean;
}

/** One asset: a file, a sequence folder, or a complex tree, with its validity. */
export interface AssetRecord {
  /** Stable: derived from the asset path and its files' ids. */
  readonly assetId: string;
  /** The asset's name built from its files' asset-name fields (a sequence's folder name). */
  readonly assetName: string;
  /** Relative to the ingress root, `/`-separated: the file (file), folder (sequence) or root (complex). */
  readonly assetPath: string;
  readonly assetType: AssetType;
  readonly specification: string;
  /** All or nothing: false when any file or any asset validator failed. */
  readonly valid: boolean;
  /** Asset-level errors (validators, folder name, and one line per bad file). */
  readonly errors: readonly AssetError[];
  readonly fileIds: readonly string[];
  /** Asset-level fields: the asset-name fields shared by its files (project, specification, descriptor, version, ...). */
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** An asset with its files, in path order. */
export interface AssetWithFiles {
  readonly asset: AssetRecord;
  readonly files: readonly FileRecord[];
}

/**
 * Where `update` keeps its tables on an embedded repository, relative to the repository root (a
 * shared repository keeps them beside its PostgreSQL catalog). The composition root opens them.
 */
export const ASSET_DB = path.join('.strata', 'assets.db');

export function toFileRecord(row: StoredFile, assetValid: boolean): FileRecord {
  return {
    fileId: row.fileId,
    assetId: row.assetId,
    path: row.path,
    filename: row.filename,
    size: row.size,
    mtimeMs: row.mtimeMs,
    specification: row.specification,
    fields: row.fields as NameMetadata,
    grammarVersion: row.grammarVersion,
    traits: row.traits,
    errors: row.errors,
    assetValid,
  };
}

export function toAssetRecord(row: StoredAsset): AssetRecord {
  return { ...row };
}

/**
 * The assets of the last `update` with their files (only valid or only invalid ones when asked),
 * ordered by asset path. What `create` stages and `export` sends.
 */
export async function readAssets(
  store: AssetStore,
  query: { readonly valid?: boolean } = {},
): Promise<AssetWithFiles[]> {
  const assets = (await store.assets(query)).sort((a, b) => compare(a.assetPath, b.assetPath));
  const ids = assets.flatMap((a) => a.fileIds);
  const byId = new Map((await store.filesById(ids)).map((f) => [f.fileId, f]));
  return assets.map((a) => ({
    asset: toAssetRecord(a),
    files: a.fileIds
      .map((id) => byId.get(id))
      .filter((f): f is StoredFile => f !== undefined)
      .map((f) => toFileRecord(f, a.valid))
      .sort((x, y) => compare(x.path, y.path)),
  }));
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
