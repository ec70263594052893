import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { ObjectId } from '../../util/hash.js';
import type { ObjectStore } from '../object-store.js';
import type { PackIndex } from '../object-store.js';
import { FsObjectStore } from './fs-object-store.js';
import { MemoryPackIndex } from './memory-pack-index.js';

/** The threshold the fs tests use, so multi-MiB test files take the streaming path. */
export const TEST_THRESHOLD = 64 * 1024;

/** A fresh `FsObjectStore` in a new temp folder; `cleanup` closes it and deletes the folder. */
export async function createTestStore(
  options: { index?: PackIndex; largeObjectThreshold?: number } = {},
): Promise<{ store: FsObjectStore; index: PackIndex; dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(`${tmpdir()}/strata-fs-store-`);
  const index = options.index ?? new MemoryPackIndex();
  const store = new FsObjectStore({
    dir,
    index,
    largeObjectThreshold: options.largeObjectThreshold ?? TEST_THRESHOLD,
  });
  return {
    store,
    index,
    dir,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Flips every bit of one byte of the stored data of `id` (at `at` bytes into it), in its pack or loose file. */
export async function corruptStored(
  store: FsObjectStore,
  index: PackIndex,
  id: ObjectId,
  at = 0,
): Promise<void> {
  const location = (await index.lookup([id])).get(id);
  const path = location ? store.layout.packPath(location.pack) : store.layout.loosePath(id);
  const position = (location?.offset ?? 0) + at;
  const handle = await open(path, 'r+');
  try {
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, position);
    byte[0] = byte[0]! ^ 0xff;
    await handle.write(byte, 0, 1, position);
  } finally {
    await handle.close();
  }
}

/** Adds `items` with one writer and commits; returns their ids. */
export async function putAll(store: ObjectStore, items: readonly Uint8Array[]): Promise<ObjectId[]> {
  const writer = store.createWriter();
  const ids: ObjectId[] = [];
  for (const item of items) ids.push(await writer.add(item));
  await writer.commit();
  return ids;
}
