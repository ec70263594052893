import { readdir, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ObjectId } from '../../util/hash.js';
import { hashBytes } from '../../util/hash.js';
import type { PackIndex, PackLocation } from '../object-store.js';
import type { FsLayout } from './fs-layout.js';
import { isPackName } from './fs-layout.js';
import { scanPack } from './scan-pack.js';

/** What `FsObjectStore.recover` did. */
export interface RecoveryReport {
  /** Temp files deleted from tmp/. */
  readonly removedTempFiles: number;
  /** Unindexed packs whose objects were added to the index. */
  readonly reindexedPacks: readonly string[];
  /** Objects added to the index from those packs. */
  readonly reindexedObjects: number;
  /** Unindexed packs deleted because the index already had every object in them. */
  readonly removedPacks: readonly string[];
  /** Records skipped because their bytes did not hash to their id. */
  readonly corruptRecords: number;
  /** Unindexed files in packs/ that are not readable packs; left in place for a human to look at. */
  readonly unreadablePacks: readonly string[];
}

/**
 * See `FsObjectStore.recover`; only safe while no writer of the store is running. With
 * `isAbandoned`, only the temp files it accepts are removed (gc keeps those of live writers).
 */
export async function recoverStore(
  layout: FsLayout,
  index: PackIndex,
  options: { isAbandoned?: (name: string) => Promise<boolean> } = {},
): Promise<RecoveryReport> {
  let removedTempFiles = 0;
  for (const name of await readdir(layout.tmp)) {
    if (options.isAbandoned && !(await options.isAbandoned(name))) continue;
    await rm(join(layout.tmp, name), { recursive: true, force: true });
    removedTempFiles++;
  }

  const indexedPacks = new Set<string>();
  for await (const entry of index.entries()) indexedPacks.add(entry.pack);

  const reindexedPacks: string[] = [];
  const removedPacks: string[] = [];
  let reindexedObjects = 0;
  let corruptRecords = 0;
  const unreadablePacks: string[] = [];
  for (const name of await readdir(layout.packs)) {
    if (!isPackName(name) || indexedPacks.has(name)) continue;
    const path = layout.packPath(name);
    const found: (PackLocation & { id: ObjectId })[] = [];
    try {
      for await (const record of scanPack(path)) {
        if (hashBytes(record.data) !== record.id) corruptRecords++;
        else found.push({ id: record.id, pack: name, offset: record.offset, length: record.length });
      }
    } catch {
      unreadablePacks.push(name);
      continue;
    }
    const known = await index.lookup(found.map((entry) => entry.id));
    const fresh = new Map<ObjectId, PackLocation & { id: ObjectId }>();
    for (const entry of found) if (!known.has(entry.id) && !fresh.has(entry.id)) fresh.set(entry.id, entry);
    if (fresh.size > 0) {
      await index.add([...fresh.values()]);
      reindexedPacks.push(name);
      reindexedObjects += fresh.size;
    } else {
      await unlink(path);
      removedPacks.push(name);
    }
  }
  return {
    removedTempFiles,
    reindexedPacks,
    reindexedObjects,
    removedPacks,
    corruptRecords,
    unreadablePacks,
  };
}
