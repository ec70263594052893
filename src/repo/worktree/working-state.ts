import type { ResourceRecord, ScanState, StatCacheEntry } from '../../catalog/catalog.js';
import { hashBytes, type ObjectId } from '../../util/hash.js';
import { hashFileSync } from '../../util/hash-file.js';
import { resourceType, type ContentMode } from '../resources/types/index.js';
import { buildMap } from '../merkle/build-map.js';
import type { ResourceSnapshot, RootTree } from '../objects/commit-object.js';
import type { Repository } from '../repository.js';
import { editWorkingMap } from './edit-working-map.js';
import { hashFiles, RACY_WINDOW_MS } from './hash-files.js';
import type { ScanHooks, ScannedFile, SkippedEntry } from './scan-folder.js';
import { scanResource } from './scan-parallel.js';

export { RACY_WINDOW_MS };

/** Turns a file's path into its content id, storing it or only hashing it. */
export type FileHasher = (file: ScannedFile) => Promise<{ id: ObjectId; size: number }>;

/** One resource as it is on disk now. */
export interface WorkingResource {
  readonly record: ResourceRecord;
  /** The files read: all of them, or those of the folders that changed when the map was edited. */
  readonly files: readonly ScannedFile[];
  /** Entries that cannot be versioned (FIFOs, sockets, devices, names not in UTF-8). */
  readonly skipped: readonly SkippedEntry[];
  readonly snapshot: ResourceSnapshot;
  /** Stat-cache rows for files that had to be hashed. */
  readonly freshCache: readonly StatCacheEntry[];
  /** Stat-cache rows of files no longer there. */
  readonly staleCache: readonly { resource: string; path: string }[];
  /** The scan to remember, when there is a new one worth remembering. */
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
  /**
   * Set by a commit, whose result becomes the base: the scan state and the removal of stale
   * stat-cache rows are then always recorded. Otherwise a resource whose map was edited (not
   * rebuilt) and differs from the base records neither, so that the next scan still edits the
   * base's map (see `editWorkingMap`).
   */
  readonly committing?: boolean;
}

/** A digest of every folder's digest: equal digests mean no file was added, removed or touched. */
export function scanFingerprint(folders: ReadonlyMap<string, string>): string {
  const sorted = [...folders].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return hashBytes(Buffer.from(sorted.map(([folder, digest]) => `${folder}\u0000${digest}`).join('\n')));
}

/**
 * Scans every resource folder, takes hashes from the stat cache where it can vouch for them and
 * hashes the rest, and builds each resource's Merkle map in memory (nothing is written).
 *
 * Where the last scan's folder digests describe the base's map exactly, only the folders whose
 * digest changed are read further: their stat-cache rows are loaded and the base's map is edited
 * (O(changed folders) of state, O(k log n) map nodes); the other folders' files are never held.
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
    const mode = type.contentMode(record.options);
    const known = scanStates.get(record.name);
    const base = options.base?.resources[record.name];
    // The last scan's folder digests can stand for the base's map only if they were taken of it.
    // A map recorded without storing its files cannot stand for a stored one (a local folder that
    // was reference-only): the files must be read into the store.
    const stored =
      known?.folders !== undefined &&
      base !== undefined &&
      known.mapRoot === base.map &&
      (base.content ?? 'stored') === mode
        ? known.folders
        : undefined;
    const racyAfter = (known?.recordedMs ?? 0) - RACY_WINDOW_MS;
    const { files, skipped, folders } = await scanResource(root, {
      hooks: options.hooks,
      skip: type.skip ?? [],
      ignore: {
        resourceRoot: root,
        repoRoot: repo.root,
        resourcePath: record.type === 'folder' ? record.path : undefined,
      },
      stored,
      racyAfter,
      expectedFiles: known?.files ?? 0,
    });
    allSkipped.push(...skipped.map((s) => ({ resource: record.name, ...s })));
    const extras = snapshotExtras(
      record,
      mode,
      type.describe?.(type.locate(repo.root, record.path), record.options),
    );
    const hashFile = mode === 'stored' ? options.hashFile : mode === 'hashed' ? hashOnly : statOnly;
    const resourceOptions = {
      ...options,
      hashFile,
      storedOf: mode === 'stored' ? options.storedOf : undefined,
      storeBytes: mode === 'stored' ? options.storeBytes : undefined,
    };
    let hashed: Omit<WorkingResource, 'skipped'>;
    if (stored && base) {
      const vanished = [...stored.keys()].filter((folder) => !folders.has(folder));
      if (files.length === 0 && vanished.length === 0) {
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
      hashed = await editWorkingMap(
        repo,
        record,
        { files, folders, vanished, base },
        overlay,
        counter,
        resourceOptions,
      );
    } else {
      hashed = await hashResource(repo, record, files, folders, overlay, counter, resourceOptions);
    }
    resources.push({ ...hashed, skipped, snapshot: { ...hashed.snapshot, ...extras } });
  }
  const tree: RootTree = { resources: Object.fromEntries(resources.map((r) => [r.record.name, r.snapshot])) };
  return { resources, tree, overlay, hashed: counter.hashed, skipped: allSkipped };
}

/** Contents of files kept outside the store: hashed, never stored (fsck does not look for them). */
const hashOnly: FileHasher = async (f) => hashFileSync(f.abs);

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

/** The full path for one resource: every file through the stat cache, and a map built anew. */
async function hashResource(
  repo: Repository,
  record: ResourceRecord,
  files: readonly ScannedFile[],
  folders: ReadonlyMap<string, string>,
  overlay: Map<ObjectId, Uint8Array>,
  counter: { hashed: number; total: number },
  options: WorkingStateOptions,
): Promise<Omit<WorkingResource, 'skipped'>> {
  const cache = await repo.catalog.loadStatCache(record.name);
  const { present, entries, freshCache, bytes } = await hashFiles(record, files, cache, counter, options);
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
          fingerprint: scanFingerprint(folders),
          mapRoot: map.root,
          files: entries.length,
          bytes,
          recordedMs: Date.now(),
          folders,
        }
      : undefined;
  // Rows are pruned only with a scan state recorded: until then the last one's digests may still
  // stand for the base's map, and the edit path reads its removals from these rows.
  const seen = new Set(present.map((f) => f.path));
  const staleCache = scanState
    ? [...cache.keys()].filter((p) => !seen.has(p)).map((path) => ({ resource: record.name, path }))
    : [];
  return { record, files: present, snapshot, freshCache, staleCache, scanState };
}

/** Saves what hashing taught us, so the next status or commit does not read those files again. */
export async function rememberHashes(repo: Repository, state: WorkingState): Promise<void> {
  const fresh = state.resources.flatMap((r) => r.freshCache);
  const stale = state.resources.flatMap((r) => r.staleCache);
  await repo.catalog.updateStatCache(fresh, stale);
  await repo.catalog.saveScanStates(state.resources.flatMap((r) => (r.scanState ? [r.scanState] : [])));
}
