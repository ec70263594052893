import type { StoredAsset, StoredError, StoredFile } from '../asset-store.js';

/**
 * Rows of the PostgreSQL asset tables and their conversion from and to the port's values: the
 * same columns as SQLite's `assets.db`, JSON text where SQLite keeps JSON text.
 */

/** The columns of `files`, in table order. */
export const FILE_COLUMNS = [
  'file_id',
  'asset_id',
  'path',
  'filename',
  'size',
  'mtime_ms',
  'ino',
  'specification',
  'project',
  'descriptor',
  'version',
  'coordinate',
  'coordinate_x',
  'coordinate_y',
  'coordinate_z',
  'frame',
  'extension',
  'grammar_version',
  'traits',
  'errors',
] as const;
/** The columns of `assets`, in table order. */
export const ASSET_COLUMNS = [
  'asset_id',
  'asset_name',
  'asset_path',
  'asset_type',
  'specification',
  'valid',
  'errors',
  'file_ids',
  'metadata',
] as const;
/** A `files` row as the driver returns it. */
export type FileRow = Record<(typeof FILE_COLUMNS)[number], string | number | null>;
/** An `assets` row as the driver returns it. */
export type AssetRow = Record<(typeof ASSET_COLUMNS)[number], string | number | null>;

const errorsText = (errors: readonly StoredError[]) => (errors.length === 0 ? null : JSON.stringify(errors));
/** Stored errors from their JSON text (NULL: none). */
export const parseErrors = (text: string | null): StoredError[] => (text === null ? [] : JSON.parse(text));
const str = (v: unknown) => (typeof v === 'string' ? v : null);
const num = (v: unknown) => (typeof v === 'number' ? v : null);

/** A file as a `files` row. */
export function fileRow(f: StoredFile): FileRow {
  const x = f.fields;
  return {
    file_id: f.fileId,
    asset_id: f.assetId,
    path: f.path,
    filename: f.filename,
    size: f.size,
    mtime_ms: f.mtimeMs,
    ino: f.ino,
    specification: f.specification,
    project: str(x.project),
    descriptor: str(x.descriptor),
    version: num(x.version),
    coordinate: Array.isArray(x.coordinate) ? JSON.stringify(x.coordinate) : null,
    coordinate_x: num(x.coordinate_x),
    coordinate_y: num(x.coordinate_y),
    coordinate_z: num(x.coordinate_z),
    frame: num(x.frame),
    extension: str(x.extension),
    grammar_version: f.grammarVersion,
    traits: JSON.stringify(f.traits),
    errors: errorsText(f.errors),
  };
}

/** The parsed name fields from their columns, in canonical order (as SQLite's adapter gives them). */
export function fromFileRow(r: FileRow): StoredFile {
  const fields: Record<string, unknown> = {};
  for (const key of ['project', 'specification', 'descriptor', 'version'] as const)
    if (r[key] !== null) fields[key] = r[key];
  if (r.coordinate !== null) fields.coordinate = JSON.parse(r.coordinate as string);
  for (const key of ['coordinate_x', 'coordinate_y', 'coordinate_z', 'frame', 'extension'] as const)
    if (r[key] !== null) fields[key] = r[key];
  return {
    fileId: r.file_id as string,
    assetId: r.asset_id as string | null,
    path: r.path as string,
    filename: r.filename as string,
    size: r.size as number,
    mtimeMs: r.mtime_ms as number,
    ino: r.ino as number,
    specification: r.specification as string | null,
    grammarVersion: r.grammar_version as string,
    fields,
    traits: JSON.parse(r.traits as string),
    errors: parseErrors(r.errors as string | null),
  };
}

/** An asset as an `assets` row. */
export function assetRow(a: StoredAsset): AssetRow {
  return {
    asset_id: a.assetId,
    asset_name: a.assetName,
    asset_path: a.assetPath,
    asset_type: a.assetType,
    specification: a.specification,
    valid: a.valid ? 1 : 0,
    errors: errorsText(a.errors),
    file_ids: JSON.stringify(a.fileIds),
    metadata: JSON.stringify(a.metadata),
  };
}

/** An `assets` row as an asset. */
export function fromAssetRow(r: AssetRow): StoredAsset {
  return {
    assetId: r.asset_id as string,
    assetName: r.asset_name as string,
    assetPath: r.asset_path as string,
    assetType: r.asset_type as StoredAsset['assetType'],
    specification: r.specification as string,
    valid: r.valid === 1,
    errors: parseErrors(r.errors as string | null),
    fileIds: JSON.parse(r.file_ids as string),
    metadata: JSON.parse(r.metadata as string),
  };
}
