import { statSync } from 'node:fs';
import type { ResourceRecord, StatCacheEntry } from '../catalog/catalog.js';
import { NotFoundError } from '../errors/index.js';
import type { Repository } from '../repo/repository.js';
import { RACY_WINDOW_MS } from '../repo/worktree/working-state.js';
import { scanFolder } from '../repo/worktree/scan-folder.js';
import { hashFileContentSync } from '../store/chunked/index.js';
import { hashBytes, type ObjectId } from '../util/hash.js';
import { formatRef, refLocation, type ResourceRef } from './resource-ref.js';

/** Prefix of a folder digest, so a folder never hashes like a file with the same bytes. */
const FOLDER_DIGEST = 'strata-lineage-folder@1\n';

function trusted(cached: StatCacheEntry | undefined, size: number, mtimeMs: number, ino: number): boolean {
  return (
    cached !== undefined &&
    cached.size === size &&
    cached.mtimeMs === mtimeMs &&
    cached.ino === ino &&
    mtimeMs < cached.recordedMs - RACY_WINDOW_MS
  );
}

/**
 * The content hash of what a ref names now. A file hashes to its object id (the same BLAKE3 id the
 * store gives it); a folder to a digest over its files' relative paths and ids, sorted, with `.git`
 * folders left out. Files the repository's stat cache vouches for are not read again.
 * A missing path is a `NotFoundError` naming the ref. Pass `caches` to share stat-cache reads.
 */
export async function hashRef(
  repo: Repository,
  record: ResourceRecord,
  ref: ResourceRef,
  caches: Map<string, Map<string, StatCacheEntry>> = new Map(),
): Promise<ObjectId> {
  const abs = refLocation(repo, record, ref);
  const st = statSync(abs, { throwIfNoEntry: false });
  if (!st) {
    throw new NotFoundError(`'${formatRef(ref)}' does not exist (${abs})`, {
      what: 'path',
      ref: formatRef(ref),
    });
  }
  // Several refs into one resource share one read of its stat cache.
  let cache = caches.get(record.name);
  if (!cache) {
    // A resource known by size and mtime only (`noHash`) has no content hashes in its cache.
    cache = record.options.noHash === true ? new Map() : await repo.catalog.loadStatCache(record.name);
    caches.set(record.name, cache);
  }
  const prefix = ref.path ? `${ref.path}/` : '';
  if (st.isFile()) {
    const cached = cache.get(ref.path ?? '');
    return trusted(cached, st.size, st.mtimeMs, st.ino)
      ? cached!.hash
      : hashFileContentSync(abs, { scannedSize: st.size }).id;
  }
  const lines: string[] = [];
  for (const file of scanFolder(abs)) {
    if (file.path === '.git' || file.path.startsWith('.git/') || file.path.includes('/.git/')) continue;
    const cached = cache.get(prefix + file.path);
    // A symbolic link counts by its target text, as a commit records it; it is never followed.
    const id = trusted(cached, file.size, file.mtimeMs, file.ino)
      ? cached!.hash
      : file.linkTarget
        ? hashBytes(file.linkTarget)
        : hashFileContentSync(file.abs, { scannedSize: file.size }).id;
    lines.push(`${file.path}\t${id}\n`);
  }
  return hashBytes(Buffer.from(FOLDER_DIGEST + lines.join('')));
}
