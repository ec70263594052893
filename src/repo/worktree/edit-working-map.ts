import type { ResourceRecord } from '../../catalog/catalog.js';
import type { ObjectId } from '../../util/hash.js';
import { editMap, type MapEdit } from '../merkle/edit-map.js';
import { createNodeSource } from '../merkle/read-map.js';
import type { ResourceSnapshot } from '../objects/commit-object.js';
import { decodeFileEntry } from '../objects/file-entry.js';
import type { Repository } from '../repository.js';
import { hashFiles } from './hash-files.js';
import type { ScannedFile } from './scan-folder.js';
import { scanFingerprint, type WorkingResource, type WorkingStateOptions } from './working-types.js';

/** What a scan found changed in a resource whose last scan's folder digests describe the base. */
export interface ChangedFolders {
  /** The files of the folders whose digest changed (or that are new), sorted by path. */
  readonly files: readonly ScannedFile[];
  /** Every folder holding files now, with its digest. */
  readonly folders: ReadonlyMap<string, string>;
  /** Folders that held files at the last scan and hold none now. */
  readonly vanished: readonly string[];
  /** The base's snapshot of the resource, whose map the last scan's folder digests describe. */
  readonly base: ResourceSnapshot;
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

/**
 * The edit path for one resource: only the changed folders' stat-cache rows are loaded, their
 * files hashed where the rows cannot vouch for them, and the base's map edited in place of a
 * rebuild. Since the folder digests were recorded with the base's map, the stat-cache rows of a
 * changed folder name every file the base has there (rows are only ever pruned when a scan state
 * is recorded), so a row whose file is gone is a removal.
 *
 * The scan state is recorded when the result becomes the base (a commit) or equals it; otherwise
 * the digests stay those of the base, so the next status or commit edits the base's map again.
 */
export async function editWorkingMap(
  repo: Repository,
  record: ResourceRecord,
  changed: ChangedFolders,
  overlay: Map<ObjectId, Uint8Array>,
  counter: { hashed: number; total: number },
  options: WorkingStateOptions,
): Promise<Omit<WorkingResource, 'skipped'>> {
  const { files, folders, vanished, base } = changed;
  const read = new Set<string>(vanished);
  for (const f of files) read.add(parentOf(f.path));
  const cache = await repo.catalog.loadStatCacheFolders(record.name, [...read]);
  const { present, entries, freshCache, bytes } = await hashFiles(
    repo,
    record,
    files,
    cache,
    counter,
    options,
  );
  const seen = new Set(present.map((f) => f.path));
  const removed = [...cache.keys()].filter((path) => !seen.has(path));
  const edits: MapEdit[] = [...entries, ...removed.map((key) => ({ key }))];
  edits.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  let oldBytes = 0;
  const source = createNodeSource((id) => repo.store.get(id), { overlay });
  const map = await editMap(source, base.map, edits, (old) => {
    oldBytes += decodeFileEntry(old.value).size;
  });
  for (const node of map.nodes) overlay.set(node.id, node.bytes);
  const total = base.bytes - oldBytes + bytes;
  const snapshot: ResourceSnapshot = {
    role: record.role,
    type: record.type,
    path: record.path,
    map: map.root,
    files: map.count,
    bytes: total,
  };
  // Recorded only when the result is (or becomes) the base, and is exactly what was hashed.
  const record_ = (options.committing || map.root === base.map) && present.length === files.length;
  return {
    record,
    files: present,
    snapshot,
    freshCache,
    staleCache: record_ ? removed.map((path) => ({ resource: record.name, path })) : [],
    scanState: record_
      ? {
          resource: record.name,
          fingerprint: scanFingerprint(folders),
          mapRoot: map.root,
          files: map.count,
          bytes: total,
          recordedMs: Date.now(),
          folders,
        }
      : undefined,
  };
}
