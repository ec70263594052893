import { existsSync } from 'node:fs';
import type { ResourceRecord } from '../../catalog/catalog.js';
import type { ObjectId } from '../../util/hash.js';
import { buildMap } from '../merkle/build-map.js';
import type { MapEntry } from '../merkle/map-node.js';
import { readAllEntries } from '../merkle/read-map.js';
import type { ResourceSnapshot } from '../objects/commit-object.js';
import { decodeFileEntry } from '../objects/file-entry.js';
import type { Repository } from '../repository.js';
import { hashFiles } from './hash-files.js';
import { scanResource } from './scan-parallel.js';
import type { WorkingResource, WorkingStateOptions } from './working-types.js';

/**
 * The working state of a partial clone's unpopulated folder: a file absent there stands for the
 * base's (it was never fetched), a file present is read as usual. So new and changed files are
 * committed, and nothing the clone left out counts as deleted (deleting needs the folder
 * populated first: `strata restore RESOURCE`).
 */
export async function readUnpopulatedFolder(
  repo: Repository,
  record: ResourceRecord,
  root: string,
  base: ResourceSnapshot | undefined,
  overlay: Map<ObjectId, Uint8Array>,
  counter: { hashed: number; total: number },
  options: WorkingStateOptions & { skip: readonly string[] },
): Promise<WorkingResource | undefined> {
  const scanned = existsSync(root)
    ? await scanResource(root, {
        hooks: options.hooks,
        skip: options.skip,
        ignore: {
          resourceRoot: root,
          repoRoot: repo.root,
          resourcePath: record.type === 'folder' ? record.path : undefined,
        },
        stored: undefined,
        racyAfter: 0,
        expectedFiles: 0,
      })
    : { files: [], skipped: [] };
  const { files, skipped } = scanned;
  if (files.length === 0)
    return base ? { record, files: [], skipped, snapshot: base, freshCache: [], staleCache: [] } : undefined;
  const cache = await repo.catalog.loadStatCache(record.name);
  const hashed = await hashFiles(repo, record, files, cache, counter, options);
  const merged = new Map<string, MapEntry>();
  if (base) for (const entry of await readAllEntries(repo.nodes, base.map)) merged.set(entry.key, entry);
  for (const entry of hashed.entries) merged.set(entry.key, entry);
  const entries = [...merged.values()].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  const map = buildMap(entries);
  for (const node of map.nodes) overlay.set(node.id, node.bytes);
  const bytes = entries.reduce((n, e) => n + decodeFileEntry(e.value, `${record.name}/${e.key}`).size, 0);
  const snapshot: ResourceSnapshot = {
    ...(base ?? { role: record.role, type: record.type, path: record.path }),
    map: map.root,
    files: entries.length,
    bytes,
  };
  return { record, files: hashed.present, skipped, snapshot, freshCache: hashed.freshCache, staleCache: [] };
}
