import { createHasher, hashBytes, isObjectId } from '../../util/hash.js';
import type { ObjectId } from '../../util/hash.js';
import type { PackIndex, PackLocation } from '../object-store.js';
import { isPackName } from '../fs/fs-layout.js';
import { MAX_RECORD_LENGTH, PACK_MAGIC, RECORD_HEADER_SIZE, readRecordHeader } from '../fs/pack-format.js';
import type { S3Requests } from './s3-gateway.js';
import { LOOSE_PACK } from './s3-layout.js';
import type { S3Layout } from './s3-layout.js';

/** What `recoverS3Store` found and did. */
export interface S3RecoveryReport {
  /** Unindexed packs whose verified records were indexed. */
  readonly reindexedPacks: string[];
  /** Unindexed packs deleted because the index already had every object in them. */
  readonly deletedPacks: string[];
  /** Unindexed big objects indexed after their bytes hashed to their key. */
  readonly reindexedObjects: number;
  /** Big objects deleted: already stored elsewhere, or bytes not matching their key. */
  readonly deletedObjects: number;
}

type Entry = PackLocation & { id: ObjectId };

/**
 * Repairs what a failed or killed commit leaves in the bucket: packs and big objects that S3
 * stored but the index never recorded. Each is read back and verified; what verifies and is not
 * indexed yet gets its index rows (the bytes are durable, so that is safe), the rest is deleted.
 * Safe beside running writers: index rows keep the first location of an id, so a writer that
 * indexes the same objects later changes nothing. Costs a LIST per 1,000 keys and a full read of
 * every unindexed pack or object.
 */
export async function recoverS3Store(
  gateway: S3Requests,
  layout: S3Layout,
  index: PackIndex,
): Promise<S3RecoveryReport> {
  const indexedPacks = new Set<string>();
  const indexedLoose = new Set<ObjectId>();
  for await (const entry of index.entries()) {
    if (entry.pack === LOOSE_PACK) indexedLoose.add(entry.id);
    else indexedPacks.add(entry.pack);
  }
  const report = {
    reindexedPacks: [] as string[],
    deletedPacks: [] as string[],
    reindexedObjects: 0,
    deletedObjects: 0,
  };
  const packKeys: string[] = [];
  for await (const key of gateway.listKeys(layout.packsPrefix)) packKeys.push(key);
  for (const key of packKeys) {
    const name = key.slice(layout.packsPrefix.length);
    if (!isPackName(name) || indexedPacks.has(name)) continue;
    const records = await scanPack(gateway, key, name);
    const known = await index.lookup(records.map((record) => record.id));
    const fresh = records.filter((record) => !known.has(record.id));
    if (fresh.length > 0) {
      await index.add(fresh);
      report.reindexedPacks.push(name);
    } else {
      await gateway.deleteKeys([key]);
      report.deletedPacks.push(name);
    }
  }
  const objectsPrefix = `${layout.prefix}objects/`;
  const objectKeys: string[] = [];
  for await (const key of gateway.listKeys(objectsPrefix)) objectKeys.push(key);
  for (const key of objectKeys) {
    const id = key.slice(objectsPrefix.length).replace('/', '');
    if (!isObjectId(id) || key !== layout.looseKey(id) || indexedLoose.has(id)) continue;
    const hasher = createHasher();
    let size = 0;
    const found = await gateway.stream(key, (chunk) => {
      hasher.update(chunk);
      size += chunk.byteLength;
    });
    if (!found) continue;
    if (hasher.digest() === id && !(await index.lookup([id])).has(id)) {
      await index.add([{ id, pack: LOOSE_PACK, offset: 0, length: size }]);
      report.reindexedObjects++;
    } else {
      await gateway.deleteKeys([key]);
      report.deletedObjects++;
    }
  }
  return report;
}

/**
 * The records of a pack, read in one streamed GET (memory: one record at a time), each verified
 * against its id. Reading stops at the first record that is cut short or does not verify: what
 * comes before it is still good.
 */
async function scanPack(gateway: S3Requests, key: string, name: string): Promise<Entry[]> {
  const records: Entry[] = [];
  let pending: Buffer = Buffer.alloc(0);
  let consumed = 0; // pack bytes before `pending`
  let magicChecked = false;
  let broken = false;
  await gateway.stream(key, (chunk) => {
    if (broken) return;
    pending = pending.byteLength === 0 ? chunk : Buffer.concat([pending, chunk]);
    if (!magicChecked) {
      if (pending.byteLength < PACK_MAGIC.byteLength) return;
      if (!pending.subarray(0, PACK_MAGIC.byteLength).equals(PACK_MAGIC)) {
        broken = true;
        return;
      }
      magicChecked = true;
      pending = pending.subarray(PACK_MAGIC.byteLength);
      consumed = PACK_MAGIC.byteLength;
    }
    while (pending.byteLength >= RECORD_HEADER_SIZE) {
      const { id, length } = readRecordHeader(pending, 0);
      if (length > MAX_RECORD_LENGTH) {
        broken = true;
        return;
      }
      if (pending.byteLength < RECORD_HEADER_SIZE + length) return;
      const data = pending.subarray(RECORD_HEADER_SIZE, RECORD_HEADER_SIZE + length);
      if (hashBytes(data) !== id) {
        broken = true;
        return;
      }
      records.push({ id, pack: name, offset: consumed + RECORD_HEADER_SIZE, length });
      pending = pending.subarray(RECORD_HEADER_SIZE + length);
      consumed += RECORD_HEADER_SIZE + length;
    }
    // Copied, so the chunk a small remainder came from can be freed.
    pending = Buffer.from(pending);
  });
  return records;
}
