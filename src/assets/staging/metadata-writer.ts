import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from '../../errors/index.js';
import { hashBytes } from '../../util/hash.js';
import { defaultIoConcurrency, forEachBounded } from './bounded.js';
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

/** The JSON record of a file: its metadata plus where it sits and which asset it belongs to. */
export function fileRecord(
  asset: StagingAsset,
  file: StagingAsset['files'][number],
): Record<string, unknown> {
  return { ...file.metadata, file_id: file.id, asset_id: asset.id, filepath: file.path };
}

/** The JSON record of an asset: its metadata plus its path and the ids of its files. */
export function assetRecord(asset: StagingAsset): Record<string, unknown> {
  return {
    ...asset.metadata,
    asset_id: asset.id,
    asset_path: asset.path,
    file_ids: asset.files.map((f) => f.id),
  };
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
  readonly concurrency?: number;
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
 * Writes `metadata/asset/<id>.json`, `metadata/file/<id>.json` and the chunk files
 * `metadata/asset-chunk/asset-chunk-<hash>.json` and `metadata/file-chunk/file-chunk-<hash>.json`
 * for the given assets. Files are written in parallel and not fsynced one by one: staging is
 * rewritten by the next create if interrupted, and the commit makes it durable.
 */
export async function writeMetadata(
  layout: StagingLayout,
  assets: readonly StagingAsset[],
  options: WriteMetadataOptions = {},
): Promise<MetadataCounts> {
  const writes: { path: string; data: string }[] = [];
  const assetJson: string[] = [];
  const fileJson: string[] = [];
  const assetDir = layout.metadataDir('asset');
  const fileDir = layout.metadataDir('file');
  for (const asset of assets) {
    const a = JSON.stringify(assetRecord(asset));
    assetJson.push(a);
    writes.push({ path: join(assetDir, `${checkRecordId(asset.id, 'asset')}.json`), data: a + '\n' });
    for (const file of asset.files) {
      const f = JSON.stringify(fileRecord(asset, file));
      fileJson.push(f);
      writes.push({ path: join(fileDir, `${checkRecordId(file.id, 'file')}.json`), data: f + '\n' });
    }
  }
  const assetChunks = chunkRecords('asset-chunk', assetJson, options.chunkBytes);
  const fileChunks = chunkRecords('file-chunk', fileJson, options.chunkBytes);
  for (const c of assetChunks)
    writes.push({ path: join(layout.metadataDir('asset-chunk'), c.name), data: c.data });
  for (const c of fileChunks)
    writes.push({ path: join(layout.metadataDir('file-chunk'), c.name), data: c.data });
  for (const type of ['asset', 'file', 'asset-chunk', 'file-chunk'] as const) {
    mkdirSync(layout.metadataDir(type), { recursive: true });
  }
  let bytes = 0;
  for (const w of writes) bytes += Buffer.byteLength(w.data);
  await forEachBounded(writes, options.concurrency ?? defaultIoConcurrency(), (w) =>
    writeFile(w.path, w.data),
  );
  return {
    assets: assets.length,
    files: fileJson.length,
    assetChunks: assetChunks.length,
    fileChunks: fileChunks.length,
    bytes,
  };
}
