import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { hashBytes } from '../../util/hash.js';
import { runObjectStoreConformance } from '../object-store-conformance.js';
import { putAll } from '../fs/fs-test-helpers.js';
import type { MemoryPackIndex } from '../fs/memory-pack-index.js';
import { uploadFileUncompleted } from './big-upload.js';
import type { S3Gateway, S3RequestCounts } from './s3-gateway.js';
import type { S3ObjectStore } from './s3-object-store.js';
import { createS3ObjectStore } from './create-s3-object-store.js';
import { DEFAULT_PART_BYTES } from './s3-object-store.js';
import { S3TestBed } from './test-support/s3-test-store.js';
import type { TestS3Store } from './test-support/s3-test-store.js';

let bed: S3TestBed;
before(async () => {
  bed = await S3TestBed.start();
});
after(() => bed.stop());

const listKeys = (prefix: string) => bed.listKeys(prefix);

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

for (const cache of [true, false]) {
  runObjectStoreConformance(cache ? 's3 (with read cache)' : 's3 (no cache)', async () => {
    const t = await bed.createStore({ cache });
    return { store: t.store, corrupt: (id) => bed.corrupt(t, id), cleanup: () => t.cleanup() };
  });
}

describe('S3ObjectStore', () => {
  let t: TestS3Store;
  let scratch: string;
  beforeEach(async () => {
    t = await bed.createStore();
    scratch = await mkdtemp(join(tmpdir(), 'strata-s3-test-'));
  });
  afterEach(async () => {
    await t.cleanup();
    await rm(scratch, { recursive: true, force: true });
  });

  /** Request counts sent by `run`. */
  async function countRequests(store: S3ObjectStore, run: () => Promise<unknown>): Promise<S3RequestCounts> {
    const before = store.requestCounts();
    await run();
    const after = store.requestCounts();
    const keys = Object.keys(after) as (keyof S3RequestCounts)[];
    return Object.fromEntries(keys.map((k) => [k, after[k] - before[k]])) as unknown as S3RequestCounts;
  }

  const items = (n: number, size: number) =>
    Array.from({ length: n }, (_, i) => {
      const data = randomBytes(size);
      data.writeUInt32BE(i, 0);
      return data;
    });

  it('commits many small objects with one PUT and records them in the index only after it', async () => {
    const data = items(1000, 1000);
    const writer = t.store.createWriter();
    const counts = await countRequests(t.store, async () => {
      for (const item of data) await writer.add(item);
      assert.equal((await listKeys(t.prefix)).length, 0, 'nothing in the bucket before commit');
      assert.equal((await collect(t.index.entries())).length, 0, 'nothing indexed before commit');
      await writer.commit();
    });
    assert.deepEqual(counts, { get: 0, head: 0, put: 1, post: 0, list: 0, delete: 0, total: 1 });
    const keys = await listKeys(t.prefix);
    assert.equal(keys.length, 1);
    assert.match(keys[0]!, new RegExp(`^${t.prefix}/packs/pack-[0-9a-f]{32}\\.pack$`));
    // Stored again: known to the index, so no request at all.
    const again = await countRequests(t.store, () => putAll(t.store, data));
    assert.equal(again.total, 0);
  });

  it('commits 10,000 files of 4 KiB with a bounded number of requests (measured)', async (test) => {
    const u = await createS3ObjectStore(
      bed.options({ prefix: `m-${randomBytes(4).toString('hex')}`, partBytes: DEFAULT_PART_BYTES }),
    );
    try {
      const paths: string[] = [];
      for (let i = 0; i < 10_000; i++) {
        const data = randomBytes(4096);
        paths.push(join(scratch, `f${i}`));
        await writeFile(paths[i]!, data);
      }
      const ids: string[] = [];
      let started = performance.now();
      const commit = await countRequests(u, async () => {
        const writer = u.createWriter();
        for (const path of paths) ids.push((await writer.addFile(path)).id);
        await writer.commit();
      });
      const commitMs = performance.now() - started;
      const packBytes = 12 + 10_000 * (36 + 4096);
      const parts = Math.ceil(packBytes / DEFAULT_PART_BYTES);
      // A multipart pack: one create, its parts, one complete; nothing per file.
      assert.ok(commit.put + commit.post <= parts + 2, JSON.stringify(commit));
      started = performance.now();
      const read = await countRequests(u, () => u.getMany(ids));
      const readMs = performance.now() - started;
      assert.ok(read.get <= Math.ceil(packBytes / (8 * 1024 * 1024)) + 1, JSON.stringify(read));
      test.diagnostic(
        `10,000 x 4 KiB: commit ${commitMs.toFixed(0)} ms ${JSON.stringify(commit)}; ` +
          `getMany ${readMs.toFixed(0)} ms ${JSON.stringify(read)}`,
      );
    } finally {
      await u.close();
    }
  });

  it('reads packed objects with ranged GETs, one per run of neighbours in a pack', async () => {
    const data = items(500, 2000);
    const ids = await putAll(t.store, data);
    const single = await countRequests(t.store, () => t.store.get(ids[7]!));
    assert.equal(single.get, 1);
    const packKey = (await listKeys(t.prefix))[0]!;
    const packSize = (await bed.read(packKey)).byteLength;
    // getMany of the rest (not cached yet): a single ranged GET covers them.
    const rest = ids.filter((_, i) => i !== 7);
    let got: Map<string, Buffer> | undefined;
    const many = await countRequests(t.store, async () => {
      got = await t.store.getMany(rest);
    });
    assert.equal(many.get, 1);
    rest.forEach((id, i) => assert.deepEqual(got!.get(id), data[i >= 7 ? i + 1 : i]));
    assert.ok(packSize > 1_000_000, 'the pack is far bigger than one record');
    // Now cached: no request, and the bytes are still right.
    const cached = await countRequests(t.store, async () => {
      assert.deepEqual(await t.store.get(ids[3]!), data[3]);
    });
    assert.equal(cached.total, 0);
  });

  it('uploads a pack bigger than a part as a multipart upload and reads it back', async () => {
    const data = items(700, 10_000); // ~7 MB of records: two parts of the 5 MiB test part size
    let ids: string[] = [];
    const counts = await countRequests(t.store, async () => {
      ids = await putAll(t.store, data);
    });
    assert.deepEqual(
      { post: counts.post, put: counts.put },
      { post: 2, put: 2 },
      'create, 2 parts, complete',
    );
    assert.equal((await listKeys(t.prefix)).length, 1, 'still one pack');
    const got = await t.store.getMany(ids.slice(0, 699).filter((_, i) => i % 3 === 0));
    for (const [id, bytes] of got) assert.deepEqual(bytes, data[ids.indexOf(id)]);
    await t.store.verify(ids[699]!);
  });

  it('rolls over to a new pack at maxPackBytes, and an abort deletes the packs already stored', async () => {
    const u = await createS3ObjectStore(
      bed.options({ prefix: `r-${randomBytes(4).toString('hex')}`, maxPackBytes: 5 * 1024 * 1024 }),
    );
    try {
      const data = items(700, 10_000);
      const ids = await putAll(u, data);
      assert.equal((await listKeys(`${u.layout.prefix}packs/`)).length, 2);
      const got = await u.getMany(ids);
      ids.forEach((id, i) => assert.deepEqual(got.get(id), data[i]));

      const writer = u.createWriter();
      for (const item of items(700, 10_000)) await writer.add(item);
      assert.equal((await listKeys(`${u.layout.prefix}packs/`)).length, 3, 'a full pack is stored early');
      await writer.abort();
      assert.equal((await listKeys(`${u.layout.prefix}packs/`)).length, 2, 'and deleted by abort');
    } finally {
      await u.close();
    }
  });

  it('streams a big file up in parts to its id key, visible only at commit', async () => {
    const data = randomBytes(11 * 1024 * 1024 + 5); // three 5 MiB parts
    const path = join(scratch, 'big.bin');
    await writeFile(path, data);
    const writer = t.store.createWriter();
    let id = '';
    const adding = await countRequests(t.store, async () => {
      id = (await writer.addFile(path)).id;
    });
    assert.deepEqual({ post: adding.post, put: adding.put }, { post: 1, put: 3 }); // create + parts
    assert.deepEqual(await listKeys(t.prefix), [], 'an open multipart upload shows no object');
    const committing = await countRequests(t.store, () => writer.commit());
    assert.deepEqual({ post: committing.post, put: committing.put }, { post: 1, put: 0 }); // complete
    assert.deepEqual(await listKeys(t.prefix), [`${t.prefix}/objects/${id.slice(0, 2)}/${id.slice(2)}`]);
    assert.equal(id, hashBytes(data));
    const out = join(scratch, 'out.bin');
    await t.store.readToFile(id, out);
    assert.deepEqual(await readFile(out), data);
    // The same file again: hashed locally, known to the index, not uploaded.
    const again = await countRequests(t.store, async () => {
      const w = t.store.createWriter();
      await w.addFile(path);
      await w.commit();
    });
    assert.equal(again.total, 0);
  });

  it('drops an upload whose file changed after it was hashed', async () => {
    const path = join(scratch, 'changing.bin');
    const before = randomBytes(200_000);
    await writeFile(path, before);
    const hashed = { id: hashBytes(before), size: before.byteLength };
    await writeFile(path, randomBytes(200_000));
    const { gateway } = t.store as unknown as { gateway: S3Gateway };
    const key = t.store.layout.looseKey(hashed.id);
    assert.equal(await uploadFileUncompleted(gateway, key, path, hashed, 5 * 1024 * 1024), undefined);
    assert.deepEqual(await listKeys(t.prefix), []);
  });

  it('gives E_HASH_MISMATCH when S3 returns other bytes for an object, even with the same length', async () => {
    const u = await bed.createStore({ cache: false });
    try {
      const [small, big] = await putAll(u.store, [Buffer.from('small object'), randomBytes(300_000)]);
      // Overwritten through the SDK, behind the store's back: other bytes, same lengths.
      await bed.write(u.store.layout.looseKey(big!), randomBytes(300_000));
      const location = (await u.index.lookup([small!])).get(small!)!;
      const packKey = u.store.layout.packKey(location.pack);
      const pack = await bed.read(packKey);
      pack.write('SMALL', location.offset);
      await bed.write(packKey, pack);

      await assert.rejects(u.store.get(small!), { code: 'E_HASH_MISMATCH' });
      await assert.rejects(u.store.getMany([small!, big!]), { code: 'E_HASH_MISMATCH' });
      await assert.rejects(u.store.get(big!), { code: 'E_HASH_MISMATCH' });
      await assert.rejects(u.store.verify(big!), { code: 'E_HASH_MISMATCH' });
      await assert.rejects(u.store.readToFile(big!, join(scratch, 'x')), { code: 'E_HASH_MISMATCH' });
      assert.deepEqual(await readdir(scratch), [], 'no file and no temp file left');
    } finally {
      await u.cleanup();
    }
  });

  it('serves cache hits without a request, re-hashes them, and refetches a corrupt entry', async () => {
    const [id] = await putAll(t.store, [Buffer.from('cached object')]);
    await t.store.get(id!); // fills the cache
    const hit = await countRequests(t.store, () => t.store.get(id!));
    assert.equal(hit.total, 0);
    const entry = join(t.cacheDir!, id!.slice(0, 2), id!.slice(2));
    await writeFile(entry, 'cached objecT'); // the local copy rots
    const refetch = await countRequests(t.store, async () => {
      assert.equal((await t.store.get(id!)).toString(), 'cached object');
    });
    assert.equal(refetch.get, 1);
    assert.equal((await readFile(entry)).toString(), 'cached object', 'the entry was replaced');
  });

  it('prefetch fills the cache with one lookup per thousand ids; the reads that follow cost no request', async () => {
    const objects = items(2_500, 100);
    const ids = await putAll(t.store, objects);
    // Another machine's commit: this cache holds none of it.
    for (const entry of await readdir(t.cacheDir!, { recursive: true, withFileTypes: true }))
      if (entry.isFile()) await rm(join(entry.parentPath, entry.name));
    let lookups = 0;
    const lookup = t.index.lookup.bind(t.index);
    t.index.lookup = (wanted) => {
      lookups++;
      return lookup(wanted);
    };
    const fetched = await countRequests(t.store, () => t.store.prefetch(ids));
    assert.equal(lookups, 3);
    assert.ok(fetched.get >= 1 && fetched.get <= 3, `ranged GETs: ${fetched.get}`);
    const reads = await countRequests(t.store, async () => {
      for (const [i, id] of ids.entries()) {
        await t.store.readToFile(id, join(scratch, 'out'));
        assert.deepEqual(await readFile(join(scratch, 'out')), objects[i]);
      }
    });
    assert.equal(reads.total, 0);
    assert.equal(lookups, 3, 'cached reads look nothing up');
  });

  it('serves big objects from the cache after the first readToFile', async () => {
    const data = randomBytes(500_000);
    const [id] = await putAll(t.store, [data]);
    await t.store.readToFile(id!, join(scratch, 'a'));
    const second = await countRequests(t.store, () => t.store.readToFile(id!, join(scratch, 'b')));
    assert.equal(second.total, 0);
    assert.deepEqual(await readFile(join(scratch, 'b')), data);
  });

  it('deletes big objects and emptied packs from the bucket', async () => {
    const [a, b] = await putAll(t.store, [Buffer.from('a'), Buffer.from('b')]);
    const [c, big] = await putAll(t.store, [Buffer.from('c'), randomBytes(100_000)]);
    assert.equal((await listKeys(t.prefix)).length, 3);
    await t.store.deleteMany([a!, c!, big!]);
    const left = await listKeys(t.prefix);
    assert.equal(left.length, 1, 'the first pack keeps b; the second pack and the big object are gone');
    assert.equal((await t.store.get(b!)).toString(), 'b');
    await assert.rejects(t.store.get(c!), { code: 'E_NOT_FOUND' });
  });

  it('recover() indexes what a commit stored but never indexed, and deletes duplicates and bad bytes', async () => {
    const index = t.index as MemoryPackIndex;
    const add = index.add.bind(index);
    const small = items(50, 100);
    const big = randomBytes(100_000);
    index.add = async () => {
      throw new Error('catalog went away');
    };
    await assert.rejects(putAll(t.store, [...small, big]), /catalog went away/);
    // The bytes are in S3 (a pack and a big object), but nothing reaches them.
    assert.equal((await listKeys(`${t.prefix}/`)).length, 2);
    assert.equal((await t.store.hasMany(small.map((d) => hashBytes(d)))).size, 0);
    index.add = add;

    const first = await t.store.recover();
    assert.equal(first.reindexedPacks.length, 1);
    assert.equal(first.reindexedObjects, 1);
    const ids = [...small, big].map((d) => hashBytes(d));
    const got = await t.store.getMany(ids);
    ids.forEach((id, i) => assert.deepEqual(got.get(id), [...small, big][i]));

    // An orphan pack whose objects a later commit stored again, and a big object whose bytes do not match its key.
    const again = items(3, 100);
    index.add = async () => {
      throw new Error('catalog went away');
    };
    await assert.rejects(putAll(t.store, again));
    index.add = add;
    await putAll(t.store, again);
    const stray = hashBytes(Buffer.from('stray'));
    await bed.write(t.store.layout.looseKey(stray), Buffer.from('not stray'));
    assert.equal((await listKeys(`${t.prefix}/packs/`)).length, 3);
    const second = await t.store.recover();
    assert.equal(second.deletedPacks.length, 1, 'the duplicate pack');
    assert.equal(second.reindexedPacks.length, 0);
    assert.equal(second.deletedObjects, 1, 'the stray object');
    assert.equal((await listKeys(`${t.prefix}/packs/`)).length, 2);
    assert.equal(await t.store.has(stray), false);
    for (const item of again) assert.deepEqual(await t.store.get(hashBytes(item)), item);
    const third = await t.store.recover();
    assert.deepEqual(third, { reindexedPacks: [], deletedPacks: [], reindexedObjects: 0, deletedObjects: 0 });
  });

  it('reports a pack deleted behind its back as E_CORRUPT_OBJECT', async () => {
    const [id] = await putAll(t.store, [Buffer.from('gone')]);
    for (const key of await listKeys(t.prefix)) await bed.remove(key);
    await assert.rejects(t.store.get(id!), { code: 'E_CORRUPT_OBJECT' });
  });
});
