import type { ResourceRecord, StatCacheEntry } from '../../catalog/catalog.js';
import { hashBytes, type ObjectId } from '../../util/hash.js';
import type { MapEntry } from '../merkle/map-node.js';
import { encodeFileEntry } from '../objects/file-entry.js';
import { isVanished, type ScannedFile } from './scan-folder.js';
import type { WorkingStateOptions } from './working-types.js';

/**
 * A stat-cache entry is trusted only if the file's mtime is older than the moment its hash was
 * taken by more than the coarsest timestamp granularity we support (1 s): otherwise a same-size
 * write in the same clock tick could slip by unnoticed ("racy" entries, as git calls them).
 */
export const RACY_WINDOW_MS = 1000;

function trusted(cached: StatCacheEntry | undefined, file: ScannedFile): cached is StatCacheEntry {
  return (
    cached !== undefined &&
    cached.size === file.size &&
    cached.mtimeMs === file.mtimeMs &&
    cached.ino === file.ino &&
    file.mtimeMs < cached.recordedMs - RACY_WINDOW_MS
  );
}

/** Files turned into map entries: those still there, their entries in order, and what was learnt. */
export interface HashedFiles {
  readonly present: ScannedFile[];
  readonly entries: MapEntry[];
  /** Stat-cache rows for files that had to be hashed. */
  readonly freshCache: StatCacheEntry[];
  readonly bytes: number;
}

/**
 * Gives every file (sorted by path) its map entry: the hash the stat cache vouches for, else one
 * read from the file (stored or hashed, as `options.hashFile` does). A file that vanished on the
 * way is left out.
 */
export async function hashFiles(
  record: ResourceRecord,
  files: readonly ScannedFile[],
  cache: ReadonlyMap<string, StatCacheEntry>,
  counter: { hashed: number; total: number },
  options: WorkingStateOptions,
): Promise<HashedFiles> {
  // One pass decides which files the cache vouches for; the count sizes the progress bar.
  let vouched = files.map((f) => {
    const cached = cache.get(f.path);
    return trusted(cached, f) ? cached.hash : undefined;
  });
  if (options.storedOf) {
    const ids = vouched.filter((h): h is ObjectId => h !== undefined);
    const stored = ids.length > 0 ? await options.storedOf(ids) : new Set<ObjectId>();
    vouched = vouched.map((h) => (h !== undefined && stored.has(h) ? h : undefined));
  }
  counter.total += vouched.filter((h) => h === undefined).length;
  const present: ScannedFile[] = [];
  const entries: MapEntry[] = [];
  const freshCache: StatCacheEntry[] = [];
  let bytes = 0;
  for (const [i, file] of files.entries()) {
    let id: ObjectId;
    let size = file.size;
    const known = vouched[i];
    if (known !== undefined) {
      id = known;
    } else {
      try {
        if (file.linkTarget) {
          // A link's content is its target: stored or hashed from the bytes, never followed.
          id = options.storeBytes ? await options.storeBytes(file.linkTarget) : hashBytes(file.linkTarget);
          size = file.linkTarget.byteLength;
        } else ({ id, size } = await options.hashFile(file));
      } catch (err) {
        if (isVanished(err)) continue;
        throw err;
      }
      counter.hashed++;
      options.onHashed?.(counter.hashed, counter.total);
      // The stat taken before reading is what we vouch for: a later change moves the mtime.
      freshCache.push({
        resource: record.name,
        path: file.path,
        size: file.size,
        mtimeMs: file.mtimeMs,
        ino: file.ino,
        hash: id,
        recordedMs: Date.now(),
      });
    }
    present.push(file);
    bytes += size;
    entries.push({
      key: file.path,
      value: encodeFileEntry({ hash: id, size, executable: file.executable, symlink: !!file.linkTarget }),
    });
  }
  return { present, entries, freshCache, bytes };
}
