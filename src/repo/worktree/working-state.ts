import type { ResourceRecord, StatCacheEntry } from '../../catalog/catalog.js';
import type { ObjectId } from '../../util/hash.js';
import { resourceType, type ContentMode } from '../resources/types/index.js';
import type { ResourceSnapshot, RootTree } from '../objects/commit-object.js';
import { readPartialClone } from '../partial-clone.js';
import type { Repository } from '../repository.js';
import { editWorkingMap } from './edit-working-map.js';
import { hashFilesToMap, hashOnly, RACY_WINDOW_MS, statOnly } from './hash-files.js';
import type { ScannedFile, SkippedEntry } from './scan-folder.js';
import { scanResource } from './scan-parallel.js';
import { readUnpopulatedFolder } from './unpopulated-folder.js';
import {
  scanFingerprint,
  type FileHasher,
  type WorkingResource,
  type WorkingState,
  type WorkingStateOptions,
} from './working-types.js';

export { RACY_WINDOW_MS };
export { scanFingerprint };
export type { FileHasher, WorkingResource, WorkingState, WorkingStateOptions };

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
  // A partial clone's unpopulated folders: a file absent there stands for the base's.
  const unpopulated = new Set((await readPartialClone(repo))?.unpopulated ?? []);
  const overlay = new Map<ObjectId, Uint8Array>();
  const counter = { hashed: 0, total: 0 };
  const resources: WorkingResource[] = [];
  const allSkipped: (SkippedEntry & { resource: string })[] = [];
  for (const record of records) {
    const type = resourceType(record.type);
    // Checked through its real path first: a resource linked out of the repository is never read.
    const root = type.open(repo.root, record.path);
    const mode = type.contentMode(record.options);
    if (unpopulated.has(record.name) && mode === 'stored') {
      const resource = await readUnpopulatedFolder(
        repo,
        record,
        root,
        options.base?.resources[record.name],
        overlay,
        counter,
        { ...options, skip: type.skip ?? [] },
      );
      if (resource) {
        resources.push(resource);
        allSkipped.push(...resource.skipped.map((s) => ({ resource: record.name, ...s })));
      }
      continue;
    }
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
  // A commit of a resource its base lacks stores the map's nodes as they are cut: nothing diffs
  // them (every file is a change, see `countWorkingChanges`), so only the top levels are kept.
  const storeNode =
    options.committing && options.storeBytes && options.base && !options.base.resources[record.name]
      ? options.storeBytes
      : undefined;
  const { present, map, freshCache, bytes } = await hashFilesToMap(
    repo,
    record,
    files,
    cache,
    counter,
    options,
    storeNode,
  );
  for (const node of map.nodes) overlay.set(node.id, node.bytes);
  const snapshot: ResourceSnapshot = {
    role: record.role,
    type: record.type,
    path: record.path,
    map: map.root,
    files: map.count,
    bytes,
  };
  // A vanished file changes the listing: remember the scan only if it is exactly what was hashed.
  const scanState =
    present.length === files.length
      ? {
          resource: record.name,
          fingerprint: scanFingerprint(folders),
          mapRoot: map.root,
          files: map.count,
          bytes,
          recordedMs: Date.now(),
          folders,
        }
      : undefined;
  // Rows are pruned only with a scan state recorded: until then the last one's digests may still
  // stand for the base's map, and the edit path reads its removals from these rows.
  // With no rows (a first commit) there is nothing to prune, and no set of every path to build.
  const staleCache = scanState && cache.size > 0 ? staleRows(record.name, cache, present) : [];
  return { record, files: present, snapshot, freshCache, staleCache, scanState };
}

/** The stat-cache rows of `resource` for files no longer present. */
function staleRows(
  resource: string,
  cache: ReadonlyMap<string, StatCacheEntry>,
  present: readonly ScannedFile[],
): { resource: string; path: string }[] {
  const seen = new Set(present.map((f) => f.path));
  return [...cache.keys()].filter((p) => !seen.has(p)).map((path) => ({ resource, path }));
}

/** Saves what hashing taught us, so the next status or commit does not read those files again. */
export async function rememberHashes(repo: Repository, state: WorkingState): Promise<void> {
  const fresh = state.resources.flatMap((r) => r.freshCache);
  const stale = state.resources.flatMap((r) => r.staleCache);
  await repo.catalog.updateStatCache(fresh, stale);
  await repo.catalog.saveScanStates(state.resources.flatMap((r) => (r.scanState ? [r.scanState] : [])));
}
