import type { ResourceRecord, StatCacheEntry } from '../../catalog/catalog.js';
import { hashBytes, isObjectId, type ObjectId } from '../../util/hash.js';
import { MapBuilder, type BuiltMap } from '../merkle/build-map.js';
import type { MapEntry } from '../merkle/map-node.js';
import { encodeFileEntry } from '../objects/file-entry.js';
import { CHUNKED_FILE_MIN, hashFileContentSync } from '../../store/chunked/index.js';
import type { Repository } from '../repository.js';
import { isVanished, type ScannedFile } from './scan-folder.js';
import type { FileHasher, WorkingStateOptions } from './working-types.js';

/**
 * A stat-cache entry is trusted only if the file's mtime is older than the moment its hash was
 * taken by more than the coarsest timestamp granularity we support (1 s): otherwise a same-size
 * write in the same clock tick could slip by unnoticed ("racy" entries, as git calls them).
 */
export const RACY_WINDOW_MS = 1000;

/** Contents of files kept outside the store: hashed, never stored (fsck does not look for them). */
export const hashOnly: FileHasher = async (f) => hashFileContentSync(f.abs);

/** `--no-hash`: a file is known by size and mtime only. */
export const statOnly: FileHasher = async (f) => ({
  id: hashBytes(Buffer.from(`stat:${f.size}:${f.mtimeMs}`)),
  size: f.size,
});

function trusted(cached: StatCacheEntry | undefined, file: ScannedFile): cached is StatCacheEntry {
  return (
    cached !== undefined &&
    cached.size === file.size &&
    cached.mtimeMs === file.mtimeMs &&
    cached.ino === file.ino &&
    file.mtimeMs < cached.recordedMs - RACY_WINDOW_MS
  );
}

/**
 * What the fresh rows of one resource share: its name, their time and their hashes, 32 bytes
 * each in a buffer sized for the most rows there can be (the files to be read).
 */
class FreshRows {
  private readonly bytes: Buffer;
  private count = 0;
  readonly recordedMs = Date.now();

  constructor(
    readonly resource: string,
    most: number,
  ) {
    this.bytes = Buffer.allocUnsafeSlow(32 * Math.max(1, most));
  }

  /** Keeps `hash` (hex) as 32 bytes; returns its number. */
  add(hash: ObjectId): number {
    this.bytes.write(hash, this.count * 32, 'hex');
    return this.count++;
  }

  hash(index: number): ObjectId {
    return this.bytes.toString('hex', index * 32, index * 32 + 32);
  }
}

/**
 * A stat-cache row for a file that had to be hashed, reading its stat fields from the scanned file
 * (which the caller holds anyway) and its hash from the shared bytes: one small object a file
 * instead of seven fields, boxed numbers and a 64-character string (10^6 of them on a first
 * commit).
 */
class FreshRow implements StatCacheEntry {
  constructor(
    private readonly file: ScannedFile,
    private readonly index: number,
    private readonly common: FreshRows,
  ) {}

  get hash(): ObjectId {
    return this.common.hash(this.index);
  }

  get resource(): string {
    return this.common.resource;
  }

  get path(): string {
    return this.file.path;
  }

  get size(): number {
    return this.file.size;
  }

  get mtimeMs(): number {
    return this.file.mtimeMs;
  }

  get ino(): number {
    return this.file.ino;
  }

  get recordedMs(): number {
    return this.common.recordedMs;
  }
}

/** A row whose hash is not a plain lowercase hex id (none is made today; kept exact if one is). */
function plainRow(file: ScannedFile, hash: ObjectId, common: FreshRows): StatCacheEntry {
  const { path, size, mtimeMs, ino } = file;
  return { resource: common.resource, path, size, mtimeMs, ino, hash, recordedMs: common.recordedMs };
}

/** Files turned into map entries: those still there and what was learnt (entries go to a sink). */
interface HashedInto {
  readonly present: ScannedFile[];
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
  repo: Repository,
  record: ResourceRecord,
  files: readonly ScannedFile[],
  cache: ReadonlyMap<string, StatCacheEntry>,
  counter: { hashed: number; total: number },
  options: WorkingStateOptions,
): Promise<HashedInto & { readonly entries: MapEntry[] }> {
  const entries: MapEntry[] = [];
  const hashed = await hashFilesInto(repo, record, files, cache, counter, options, (e) => {
    entries.push(e);
  });
  return { ...hashed, entries };
}

/**
 * `hashFiles` building the map as it goes: each leaf is encoded as soon as it is cut, so no entry
 * outlives its leaf (a first commit of 10^6 files holds encoded leaves, not 10^6 entries). With
 * `storeNode`, each node is handed to it as soon as it is cut and only the last ones (the
 * internal levels, built by `finish`) are returned in `map.nodes`: the caller stores the map
 * rather than holding it (a first commit of 10^6 files: ~95 MB of leaves).
 */
export async function hashFilesToMap(
  repo: Repository,
  record: ResourceRecord,
  files: readonly ScannedFile[],
  cache: ReadonlyMap<string, StatCacheEntry>,
  counter: { hashed: number; total: number },
  options: WorkingStateOptions,
  storeNode?: (bytes: Uint8Array) => Promise<unknown>,
): Promise<HashedInto & { readonly map: BuiltMap }> {
  const builder = new MapBuilder();
  const addEntry = storeNode
    ? async (e: MapEntry) => {
        builder.add(e);
        if (builder.nodesWaiting > 0) for (const node of builder.takeNodes()) await storeNode(node.bytes);
      }
    : (e: MapEntry) => builder.add(e);
  const hashed = await hashFilesInto(repo, record, files, cache, counter, options, addEntry);
  return { ...hashed, map: builder.finish() };
}

async function hashFilesInto(
  repo: Repository,
  record: ResourceRecord,
  files: readonly ScannedFile[],
  cache: ReadonlyMap<string, StatCacheEntry>,
  counter: { hashed: number; total: number },
  options: WorkingStateOptions,
  addEntry: (entry: MapEntry) => void | Promise<void>,
): Promise<HashedInto> {
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
  const toRead = vouched.filter((h) => h === undefined).length;
  counter.total += toRead;
  const legacyWhole = await findLegacyWholeObjects(repo, files, vouched);
  const present: ScannedFile[] = [];
  const freshCache: StatCacheEntry[] = [];
  // One time for every row, taken before any file is read: a row vouches for the stat the scan
  // took (before this), and an earlier time only narrows what it vouches for (see `trusted`).
  const common = new FreshRows(record.name, toRead);
  let bytes = 0;
  for (const [i, file] of files.entries()) {
    let id: ObjectId;
    let size = file.size;
    // A vouched hash was taken of this very size (the cache entry matched it), and the size alone
    // decides whether a file's content id is a chunk manifest's, except for a whole object
    // stored before big files were chunked.
    let chunked =
      !file.linkTarget &&
      file.size >= CHUNKED_FILE_MIN &&
      options.hashFile !== statOnly &&
      !legacyWhole.has(i);
    const known = vouched[i];
    if (known !== undefined) {
      id = known;
    } else {
      try {
        if (file.linkTarget) {
          // A link's content is its target: stored or hashed from the bytes, never followed.
          id = options.storeBytes ? await options.storeBytes(file.linkTarget) : hashBytes(file.linkTarget);
          size = file.linkTarget.byteLength;
        } else {
          const content = await options.hashFile(file);
          ({ id, size } = content);
          chunked = content.chunked === true;
        }
      } catch (err) {
        if (isVanished(err)) continue;
        throw err;
      }
      counter.hashed++;
      options.onHashed?.(counter.hashed, counter.total);
      // The stat taken before reading is what we vouch for: a later change moves the mtime.
      freshCache.push(
        isObjectId(id) ? new FreshRow(file, common.add(id), common) : plainRow(file, id, common),
      );
    }
    present.push(file);
    bytes += size;
    const added = addEntry({
      key: file.path,
      value: encodeFileEntry({
        hash: id,
        size,
        executable: file.executable,
        symlink: !!file.linkTarget,
        chunked,
      }),
    });
    if (added) await added;
  }
  return { present, freshCache, bytes };
}

/**
 * Indexes of vouched big files whose cached hash names a whole stored object rather than a chunk
 * manifest: cached by a version that did not chunk big files. A manifest is never as long as its
 * file (about 36 bytes per chunk of at least 16 KiB), a whole object always is, so the stored
 * size tells them apart. Only big files are asked about, so small files cost nothing here.
 */
async function findLegacyWholeObjects(
  repo: Repository,
  files: readonly ScannedFile[],
  vouched: readonly (ObjectId | undefined)[],
): Promise<Set<number>> {
  const legacy = new Set<number>();
  for (const [i, file] of files.entries()) {
    const id = vouched[i];
    if (id === undefined || file.linkTarget || file.size < CHUNKED_FILE_MIN) continue;
    const size = await repo.store.size(id).catch(() => undefined);
    if (size === file.size) legacy.add(i);
  }
  return legacy;
}
