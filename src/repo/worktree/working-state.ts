import type { ResourceRecord, ScanState, StatCacheEntry } from '../../catalog/catalog.js';
import { hashBytes, type ObjectId } from '../../util/hash.js';
import { CHUNKED_FILE_MIN, hashFileContentSync } from '../../store/chunked/index.js';
import { resourceType, type ContentMode } from '../resources/types/index.js';
import { buildMap } from '../merkle/build-map.js';
import type { MapEntry } from '../merkle/map-node.js';
import { encodeFileEntry } from '../objects/file-entry.js';
import type { ResourceSnapshot, RootTree } from '../objects/commit-object.js';
import type { Repository } from '../repository.js';
import { loadIgnoreRules } from './ignore/ignore-rules.js';
import { isVanished, scanTree, type ScanHooks, type ScannedFile, type SkippedEntry } from './scan-folder.js';

/**
 * A stat-cache entry is trusted only if the file's mtime is older than the moment its hash was
 * taken by more than the coarsest timestamp granularity we support (1 s): otherwise a same-size
 * write in the same clock tick could slip by unnoticed ("racy" entries, as git calls them).
 */
export const RACY_WINDOW_MS = 1000;

/**
 * Turns a file's path into its content id, storing it or only hashing it. `chunked`: the id is a
 * chunk manifest's (files of `CHUNKED_FILE_MIN` bytes or more, see `store/chunked`).
 */
export type FileHasher = (file: ScannedFile) => Promise<{ id: ObjectId; size: number; chunked?: boolean }>;

/** One resource as it is on disk now. */
export interface WorkingResource {
  readonly record: ResourceRecord;
  readonly files: readonly ScannedFile[];
  /** Entries that cannot be versioned (FIFOs, sockets, devices, names not in UTF-8). */
  readonly skipped: readonly SkippedEntry[];
  readonly snapshot: ResourceSnapshot;
  /** Stat-cache rows for files that had to be hashed. */
  readonly freshCache: readonly StatCacheEntry[];
  /** Stat-cache rows of files no longer there. */
  readonly staleCache: readonly { resource: string; path: string }[];
  /** The scan to remember, when a map was built (not when the fingerprint short-cut applied). */
  readonly scanState?: ScanState;
}

/** The whole working state: every registered resource, and the root tree it would commit as. */
export interface WorkingState {
  readonly resources: readonly WorkingResource[];
  readonly tree: RootTree;
  /** Every map node built, by id, for diffs against stored trees before anything is written. */
  readonly overlay: ReadonlyMap<ObjectId, Uint8Array>;
  /** How many files had to be read because the stat cache could not vouch for them. */
  readonly hashed: number;
  /** Every entry of every resource that could not be versioned, to be reported (never silently dropped). */
  readonly skipped: readonly (SkippedEntry & { readonly resource: string })[];
}

function trusted(cached: StatCacheEntry | undefined, file: ScannedFile): cached is StatCacheEntry {
  return (
    cached !== undefined &&
    cached.size === file.size &&
    cached.mtimeMs === file.mtimeMs &&
    cached.ino === file.ino &&
    file.mtimeMs < cached.recordedMs - RACY_WINDOW_MS
  );
}

/** Options of `readWorkingState`. */
export interface WorkingStateOptions {
  readonly hashFile: FileHasher;
  /**
   * The tree the caller will compare with (HEAD's): a resource whose scan fingerprint is unchanged
   * since it last hashed to this tree's map is taken as is, without reading the stat cache.
   */
  readonly base?: RootTree;
  /** Only these resources (default: all registered). */
  readonly only?: readonly string[];
  readonly hooks?: ScanHooks;
  /** Called after each file that had to be hashed (progress bars). */
  readonly onHashed?: (done: number, total: number) => void;
  /**
   * Given to a commit: which of these ids the store holds. The stat cache vouches for hashes that
   * `status` computed without storing anything, so a stored resource trusts a cached hash only when
   * its object is in the store; the others are read (and stored) again.
   */
  readonly storedOf?: (ids: readonly ObjectId[]) => Promise<Set<ObjectId>>;
  /**
   * Given to a commit: stores a symbolic link's target (its content) and returns its id. Without
   * it, link targets are only hashed.
   */
  readonly storeBytes?: (data: Uint8Array) => Promise<ObjectId>;
}

/** A digest of every file's stat fields: equal digests mean no file was added, removed or touched. */
function fingerprint(files: readonly ScannedFile[]): string {
  const parts = files.map(
    // Symbolic links are marked; regular files keep the digest they had before links were versioned.
    (f) =>
      `${f.path}\u0000${f.size}\u0000${f.mtimeMs}\u0000${f.ino}\u0000${f.executable ? 1 : 0}${f.linkTarget ? '\u0000l' : ''}`,
  );
  return hashBytes(Buffer.from(parts.join('\n')));
}

function newestMtime(files: readonly ScannedFile[]): number {
  let newest = 0;
  for (const f of files) if (f.mtimeMs > newest) newest = f.mtimeMs;
  return newest;
}

/**
 * Scans every resource folder, takes hashes from the stat cache where it can vouch for them and
 * hashes the rest, and builds each resource's Merkle map in memory (nothing is written).
 */
export async function readWorkingState(
  repo: Repository,
  options: WorkingStateOptions,
): Promise<WorkingState> {
  const records = (await repo.catalog.listResources()).filter(
    (r) => !options.only || options.only.includes(r.name),
  );
  const scanStates = await repo.catalog.loadScanStates();
  const overlay = new Map<ObjectId, Uint8Array>();
  const counter = { hashed: 0, total: 0 };
  const resources: WorkingResource[] = [];
  const allSkipped: (SkippedEntry & { resource: string })[] = [];
  for (const record of records) {
    const type = resourceType(record.type);
    // Checked through its real path first: a resource linked out of the repository is never read.
    const root = type.open(repo.root, record.path);
    const ignore = loadIgnoreRules({
      resourceRoot: root,
      repoRoot: repo.root,
      resourcePath: record.type === 'folder' ? record.path : undefined,
    });
    const { files, skipped } = scanTree(root, { hooks: options.hooks, skip: type.skip, ignore });
    allSkipped.push(...skipped.map((s) => ({ resource: record.name, ...s })));
    const mode = type.contentMode(record.options);
    const extras = snapshotExtras(
      record,
      mode,
      type.describe?.(type.locate(repo.root, record.path), record.options),
    );
    const print = fingerprint(files);
    const known = scanStates.get(record.name);
    const base = options.base?.resources[record.name];
    const unchanged =
      known !== undefined &&
      base !== undefined &&
      known.fingerprint === print &&
      known.mapRoot === base.map &&
      // A map recorded without storing its files cannot stand for a stored one (a local folder
      // that was reference-only): the files must be read into the store.
      (base.content ?? 'stored') === mode &&
      newestMtime(files) < known.recordedMs - RACY_WINDOW_MS;
    if (unchanged) {
      const snapshot = {
        role: record.role,
        type: record.type,
        path: record.path,
        map: base.map,
        files: base.files,
        bytes: base.bytes,
        ...extras,
      };
      resources.push({ record, files, skipped, snapshot, freshCache: [], staleCache: [] });
      continue;
    }
    const hashFile = mode === 'stored' ? options.hashFile : mode === 'hashed' ? hashOnly : statOnly;
    const hashed = await hashResource(repo, record, files, print, overlay, counter, {
      ...options,
      hashFile,
      storedOf: mode === 'stored' ? options.storedOf : undefined,
      storeBytes: mode === 'stored' ? options.storeBytes : undefined,
    });
    resources.push({ ...hashed, skipped, snapshot: { ...hashed.snapshot, ...extras } });
  }
  const tree: RootTree = { resources: Object.fromEntries(resources.map((r) => [r.record.name, r.snapshot])) };
  return { resources, tree, overlay, hashed: counter.hashed, skipped: allSkipped };
}

/** Contents of files kept outside the store: hashed, never stored (fsck does not look for them). */
const hashOnly: FileHasher = async (f) => hashFileContentSync(f.abs, { scannedSize: f.size });

/** `--no-hash`: a file is known by size and mtime only. */
const statOnly: FileHasher = async (f) => ({
  id: hashBytes(Buffer.from(`stat:${f.size}:${f.mtimeMs}`)),
  size: f.size,
});

/** The snapshot fields besides the map that a resource's registration and type add. */
function snapshotExtras(
  record: ResourceRecord,
  mode: ContentMode,
  extra: Readonly<Record<string, unknown>> | undefined,
): Partial<ResourceSnapshot> {
  return {
    ...(mode !== 'stored' ? { content: mode } : {}),
    ...(record.options.readOnly === true ? { readOnly: true } : {}),
    ...(extra ? { extra } : {}),
  };
}

/** The full path for one resource: stat cache, hashing what it cannot vouch for, map building. */
async function hashResource(
  repo: Repository,
  record: ResourceRecord,
  files: readonly ScannedFile[],
  print: string,
  overlay: Map<ObjectId, Uint8Array>,
  counter: { hashed: number; total: number },
  options: WorkingStateOptions,
): Promise<Omit<WorkingResource, 'skipped'>> {
  const cache = await repo.catalog.loadStatCache(record.name);
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
  const legacyWhole = await findLegacyWholeObjects(repo, files, vouched);
  const present: ScannedFile[] = [];
  const entries: MapEntry[] = [];
  const freshCache: StatCacheEntry[] = [];
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
      value: encodeFileEntry({
        hash: id,
        size,
        executable: file.executable,
        symlink: !!file.linkTarget,
        chunked,
      }),
    });
  }
  const seen = new Set(present.map((f) => f.path));
  const staleCache = [...cache.keys()]
    .filter((p) => !seen.has(p))
    .map((path) => ({ resource: record.name, path }));
  const map = buildMap(entries);
  for (const node of map.nodes) overlay.set(node.id, node.bytes);
  const snapshot: ResourceSnapshot = {
    role: record.role,
    type: record.type,
    path: record.path,
    map: map.root,
    files: entries.length,
    bytes,
  };
  // A vanished file changes the listing: remember the scan only if it is exactly what was hashed.
  const scanState =
    present.length === files.length
      ? {
          resource: record.name,
          fingerprint: print,
          mapRoot: map.root,
          files: entries.length,
          bytes,
          recordedMs: Date.now(),
        }
      : undefined;
  return { record, files: present, snapshot, freshCache, staleCache, scanState };
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

/** Saves what hashing taught us, so the next status or commit does not read those files again. */
export async function rememberHashes(repo: Repository, state: WorkingState): Promise<void> {
  const fresh = state.resources.flatMap((r) => r.freshCache);
  const stale = state.resources.flatMap((r) => r.staleCache);
  await repo.catalog.updateStatCache(fresh, stale);
  await repo.catalog.saveScanStates(state.resources.flatMap((r) => (r.scanState ? [r.scanState] : [])));
}
