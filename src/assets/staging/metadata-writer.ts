import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from '../../errors/index.js';
import { hashBytes } from '../../util/hash.js';
import { runFileOps, type FileOp } from './file-ops.js';
import type { StagingLayout } from './staging-layout.js';
import type { StagingAsset } from './staging-plan.js';

/** Chunk files hold many records each but stay below this size (Hidebound's asset-chunk idea). */
export const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** Checks an asset or file id before it names a metadata file (no separators, no `..`). */
export function checkRecordId(id: string, what: string): string {
  if (!ID.test(id)) {
    throw new InvalidArgumentError(`${what} id '${id}' cannot name a metadata file`, { what, id });
  }
  return id;
}

/**
 * `metadata` as a JSON object with `fixed` keys first. Built by concatenation when no key
 * collides: measured 2–3× faster than spreading into a new object and stringifying it, which
 * matters with 100,000 records per staging.
 */
function recordJson(
  fixed: readonly (readonly [string, unknown])[],
  metadata: Readonly<Record<string, unknown>>,
): string {
  if (fixed.some(([k]) => k in metadata)) {
    return JSON.stringify({ ...metadata, ...Object.fromEntries(fixed) });
  }
  const rest = JSON.stringify(metadata);
  const head = fixed.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',');
  return rest === '{}' ? `{${head}}` : `{${head},${rest.slice(1)}`;
}

/** The JSON record of a file: where it sits, which asset it belongs to, then its metadata. */
export function fileRecordJson(asset: StagingAsset, file: StagingAsset['files'][number]): string {
  return recordJson(
    [
      ['file_id', file.id],
      ['asset_id', asset.id],
      ['filepath', file.path],
    ],
    file.metadata,
  );
}

/** The JSON record of an asset: its id, path and files' ids, then its metadata. */
export function assetRecordJson(asset: StagingAsset): string {
  return recordJson(
    [
      ['asset_id', asset.id],
      ['asset_path', asset.path],
      ['file_ids', asset.files.map((f) => f.id)],
    ],
    asset.metadata,
  );
}

/**
 * Splits serialised records into JSON-array chunks of at most `maxBytes` (a record bigger than
 * that gets a chunk of its own). Each chunk is named by the hash of its bytes, so re-staging the
 * same assets writes the same chunk files and the commit sees no change.
 */
export function chunkRecords(
  kind: 'asset-chunk' | 'file-chunk',
  records: readonly string[],
  maxBytes = DEFAULT_CHUNK_BYTES,
): { name: string; data: string }[] {
  const chunks: { name: string; data: string }[] = [];
  let parts: string[] = [];
  let size = 2;
  const flush = () => {
    if (parts.length === 0) return;
    const data = `[${parts.join(',\n')}]\n`;
    chunks.push({ name: `${kind}-${hashBytes(Buffer.from(data)).slice(0, 16)}.json`, data });
    parts = [];
    size = 2;
  };
  for (const record of records) {
    if (parts.length > 0 && size + record.length + 2 > maxBytes) flush();
    parts.push(record);
    size += record.length + 2;
  }
  flush();
  return chunks;
}

/** Options of `writeMetadata`. */
export interface WriteMetadataOptions {
  readonly chunkBytes?: number;
  readonly threads?: number;
}

/** What `writeMetadata` wrote. */
export interface MetadataCounts {
  readonly assets: number;
  readonly files: number;
  readonly assetChunks: number;
  readonly fileChunks: number;
  readonly bytes: number;
}

/**
 * The writes that put the metadata of `assets` in place: `metadata/asset/<id>.json`,
 * `metadata/file/<id>.json` and the chunk files `metadata/asset-chunk/asset-chunk-<hash>.json`,
 * `metadata/file-chunk/file-chunk-<hash>.json`; folders are created here.
 */
export function metadataWrites(
  layout: StagingLayout,
  assets: readonly StagingAsset[],
  chunkBytes?: number,
): { ops: FileOp[]; counts: MetadataCounts } {
  const ops: FileOp[] = [];
  const assetJson: string[] = [];
  const fileJson: string[] = [];
  const assetDir = layout.metadataDir('asset');
  const fileDir = layout.metadataDir('file');
  for (const asset of assets) {
    const a = assetRecordJson(asset);
    assetJson.push(a);
    ops.push({ write: [join(assetDir, `${checkRecordId(asset.id, 'asset')}.json`), a + '\n'] });
    for (const file of asset.files) {
      const f = fileRecordJson(asset, file);
      fileJson.push(f);
      ops.push({ write: [join(fileDir, `${checkRecordId(file.id, 'file')}.json`), f + '\n'] });
    }
  }
  const assetChunks = chunkRecords('asset-chunk', assetJson, chunkBytes);
  const fileChunks = chunkRecords('file-chunk', fileJson, chunkBytes);
  for (const c of assetChunks) ops.push({ write: [join(layout.metadataDir('asset-chunk'), c.name), c.data] });
  for (const c of fileChunks) ops.push({ write: [join(layout.metadataDir('file-chunk'), c.name), c.data] });
  for (const type of ['asset', 'file', 'asset-chunk', 'file-chunk'] as const) {
    mkdirSync(layout.metadataDir(type), { recursive: true });
  }
  let bytes = 0;
  for (const op of ops) if ('write' in op) bytes += Buffer.byteLength(op.write[1]);
  return {
    ops,
    counts: {
      assets: assets.length,
      files: fileJson.length,
      assetChunks: assetChunks.length,
      fileChunks: fileChunks.length,
      bytes,
    },
  };
}

/**
 * Writes the metadata of `assets` (see `metadataWrites`). Files are not fsynced one by one: an
 * interrupted staging is rolled back by the next create, and the commit makes it durable.
 */
export async function writeMetadata(
  layout: StagingLayout,
  assets: readonly StagingAsset[],
  options: WriteMetadataOptions = {},
): Promise<MetadataCounts> {
  const { ops, counts } = metadataWrites(layout, assets, options.chunkBytes);
  await runFileOps(ops, { threads: options.threads });
  return counts;
}
