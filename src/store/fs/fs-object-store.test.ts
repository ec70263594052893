import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { hashBytes } from '../../util/hash.js';
import { runObjectStoreConformance } from '../object-store-conformance.js';
import { FsObjectStore } from './fs-object-store.js';
import { corruptStored, createTestStore, putAll } from './fs-test-helpers.js';
import { MemoryPackIndex } from './memory-pack-index.js';
import { PACK_MAGIC, RECORD_HEADER_SIZE } from './pack-format.js';

runObjectStoreConformance('fs', async () => {
  const { store, index, cleanup } = await createTestStore();
  return { store, corrupt: (id) => corruptStored(store, index, id), cleanup };
});

describe('FsObjectStore', () => {
  let t: Awaited<ReturnType<typeof createTestStore>>;
  beforeEach(async () => {
    t = await createTestStore();
  });
  afterEach(() => t.cleanup());

  const packs = () => readdir(t.store.layout.packs);

  it('writes a big pack (batch writes in flight) byte for byte, records of any size', async () => {
    // 16 MiB threshold: records up to 12 MiB are packed, bigger than a batch buffer.
    const dir = join(t.dir, 'big-threshold');
    const store = new FsObjectStore({ dir, index: new MemoryPackIndex(), largeObjectThreshold: 16 << 20 });
    try {
      const sizes = [
        ...Array.from({ length: 400 }, (_, i) => 1 + ((i * 7919) % 60_000)),
        5 << 20,
        ...Array.from({ length: 300 }, (_, i) => 1 + ((i * 104_729) % 90_000)),
        12 << 20,
        ...Array.from({ length: 200 }, (_, i) => 1 + ((i * 15_485) % 70_000)),
      ];
      const objects = sizes.map((n) => randomBytes(n));
      const writer = store.createWriter();
      const ids: string[] = [];
      for (const data of objects) ids.push(await writer.add(data));
      await writer.commit();
      const got = await store.getMany(ids);
      ids.forEach((id, i) => assert.ok(got.get(id)!.equals(objects[i]!), `object ${i} reads back`));
      const [pack] = await readdir(store.layout.packs);
      const expected = PACK_MAGIC.byteLength + sizes.reduce((n, size) => n + RECORD_HEADER_SIZE + size, 0);
      assert.equal((await stat(join(store.layout.packs, pack!))).size, expected);
      assert.deepEqual(await readdir(store.layout.tmp), []);
    } finally {
      await store.close();
    }
  });

  it('writes one pack per writer, big files loose, and leaves tmp/ empty', async () => {
    const big = randomBytes(200_000);
    const bigPath = join(t.dir, 'big.bin');
    await writeFile(bigPath, big);
    const writer = t.store.createWriter();
    await writer.add(Buffer.from('one'));
    await writer.add(Buffer.from('two'));
    const { id } = await writer.addFile(bigPath);
    assert.deepEqual(await packs(), [], 'nothing in packs/ before commit');
    await writer.commit();

    const [pack, ...others] = await packs();
    assert.deepEqual(others, []);
    assert.match(pack!, /^pack-[0-9a-f]{32}\.pack$/);
    const bytes = await readFile(join(t.store.layout.packs, pack!));
    assert.deepEqual(bytes.subarray(0, PACK_MAGIC.byteLength), PACK_MAGIC);
    assert.equal(bytes.byteLength, PACK_MAGIC.byteLength + 2 * RECORD_HEADER_SIZE + 6);
    assert.deepEqual(await readFile(join(t.store.layout.loose, id.slice(0, 2), id.slice(2))), big);
    assert.deepEqual(await readdir(t.store.layout.tmp), []);
  });

  it('sizes a batch of packed and loose objects with one index lookup; refuses an unknown one', async () => {
    const bigPath = join(t.dir, 'big.bin');
    await writeFile(bigPath, randomBytes(200_000));
    const writer = t.store.createWriter();
    const small = await writer.add(Buffer.alloc(10, 1));
    const big = await writer.addFile(bigPath);
    await writer.commit();
    const index = t.index as MemoryPackIndex;
    const lookup = index.lookup.bind(index);
    let lookups = 0;
    index.lookup = (ids) => ((lookups += 1), lookup(ids));
    const sizes = await t.store.sizeMany([small, big.id]);
    assert.deepEqual(
      [...sizes],
      [
        [small, 10],
        [big.id, 200_000],
      ],
    );
    assert.equal(lookups, 1);
    await assert.rejects(t.store.sizeMany([small, hashBytes(Buffer.from('never stored'))]), {
      code: 'E_NOT_FOUND',
    });
  });

  it('leaves tmp/ and packs/ empty after abort', async () => {
    const writer = t.store.createWriter();
    await Promise.all(Array.from({ length: 40 }, () => writer.add(randomBytes(30_000)))); // a batch written
    await writer.add(Buffer.from('queued')); // still in memory
    await writer.add(randomBytes(100_000)); // above the threshold: a loose temp file
    assert.equal((await readdir(t.store.layout.tmp)).length, 2);
    await writer.abort();
    assert.deepEqual(await readdir(t.store.layout.tmp), []);
    assert.deepEqual(await packs(), []);
  });

  it('checks the index once per batch of about 1 MiB, not once per object', async () => {
    const index = t.index as MemoryPackIndex;
    const items = Array.from({ length: 20_000 }, (_, i) => Buffer.from(`object number ${i} `.repeat(8)));
    index.lookupCalls = 0;
    await putAll(t.store, items);
    // ~3.4 MB of records: three full batches and the rest at commit.
    assert.ok(index.lookupCalls <= 5, `${index.lookupCalls} lookups`);
    assert.equal((await t.store.get(hashBytes(items[12_345]!))).toString(), items[12_345]!.toString());
  });

  it('keeps every object of a pack bigger than the background flush step, from a reused buffer', async () => {
    // 48 MiB in 64 KiB objects through one buffer the caller overwrites after each add: the
    // writer's copy blocks are reused batch after batch and the pack is flushed while it grows.
    const buffer = Buffer.alloc(64 * 1024);
    const writer = t.store.createWriter();
    const ids: string[] = [];
    for (let i = 0; i < 768; i++) {
      buffer.fill(i % 251);
      buffer.writeUInt32LE(i, 0);
      ids.push(await writer.add(buffer));
    }
    await writer.commit();
    for (const i of [0, 1, 17, 383, 767]) {
      const got = await t.store.get(ids[i]!);
      assert.equal(got.readUInt32LE(0), i);
      assert.equal(got[got.length - 1], i % 251);
    }
    assert.deepEqual(await readdir(t.store.layout.tmp), []);
  });

  it('does not write objects the index already has', async () => {
    const items = Array.from({ length: 100 }, (_, i) => Buffer.from(`item ${i}`));
    await putAll(t.store, items);
    const before = new Set(await packs());
    await putAll(t.store, [...items, Buffer.from('new')]);
    const added = (await packs()).filter((name) => !before.has(name));
    assert.equal(added.length, 1);
    const { size } = await stat(join(t.store.layout.packs, added[0]!));
    assert.equal(size, PACK_MAGIC.byteLength + RECORD_HEADER_SIZE + 3);
    // A writer whose objects are all known writes no pack at all.
    await putAll(t.store, items);
    assert.equal((await packs()).length, 2);
  });

  it('getMany reads back-to-back records together, each verified: a flipped byte fails its object only', async () => {
    const items = Array.from({ length: 6 }, (_, i) => randomBytes(1000 + i * 70_000));
    const ids = await putAll(t.store, items);
    const got = await t.store.getMany([...ids].reverse());
    ids.forEach((id, i) => assert.deepEqual(got.get(id), items[i]));
    await corruptStored(t.store, t.index, ids[3]!, 7);
    await assert.rejects(
      t.store.getMany(ids),
      (err: { code?: string; data?: { id?: string } }) =>
        err.code === 'E_HASH_MISMATCH' && err.data?.id === ids[3],
    );
    const rest = ids.filter((_, i) => i !== 3);
    const again = await t.store.getMany(rest);
    rest.forEach((id) => assert.deepEqual(again.get(id), items[ids.indexOf(id)]));
  });

  it('fails only the object whose byte was flipped in a shared pack', async () => {
    const ids = await putAll(t.store, [Buffer.from('first'), Buffer.from('second'), Buffer.from('third')]);
    await corruptStored(t.store, t.index, ids[1]!, 3);
    const err = await t.store.get(ids[1]!).then(
      () => assert.fail('expected a hash mismatch'),
      (e: unknown) => e as { code: string; data: { id: string; where: string } },
    );
    assert.equal(err.code, 'E_HASH_MISMATCH');
    assert.equal(err.data.id, ids[1]);
    assert.match(err.data.where, /^pack-[0-9a-f]{32}\.pack@\d+$/);
    assert.equal((await t.store.get(ids[0]!)).toString(), 'first');
    assert.equal((await t.store.get(ids[2]!)).toString(), 'third');
  });

  it('reports a truncated pack as E_CORRUPT_OBJECT and keeps reading what is intact', async () => {
    const ids = await putAll(t.store, [Buffer.from('kept'), Buffer.from('cut off')]);
    const [pack] = await packs();
    const path = join(t.store.layout.packs, pack!);
    await truncate(path, (await stat(path)).size - 2);
    await assert.rejects(t.store.get(ids[1]!), { code: 'E_CORRUPT_OBJECT' });
    await assert.rejects(t.store.verify(ids[1]!), { code: 'E_CORRUPT_OBJECT' });
    assert.equal((await t.store.get(ids[0]!)).toString(), 'kept');
  });

  it('reports a missing pack or a bad index row as E_CORRUPT_OBJECT', async () => {
    const [a] = await putAll(t.store, [Buffer.from('a')]);
    const [b] = await putAll(t.store, [Buffer.from('b')]);
    const location = (await t.index.lookup([b!])).get(b!)!;
    await unlink(t.store.layout.packPath(location.pack));
    await assert.rejects(t.store.get(b!), { code: 'E_CORRUPT_OBJECT' });

    const hostile = hashBytes(Buffer.from('hostile'));
    await t.index.add([{ id: hostile, pack: '../../etc/passwd', offset: 100, length: 5 }]);
    await assert.rejects(t.store.get(hostile), { code: 'E_CORRUPT_OBJECT' });
    const misplaced = hashBytes(Buffer.from('misplaced'));
    const aLocation = (await t.index.lookup([a!])).get(a!)!;
    await t.index.add([{ id: misplaced, ...aLocation }]);
    await assert.rejects(t.store.get(misplaced), { code: 'E_CORRUPT_OBJECT' });
    const huge = hashBytes(Buffer.from('huge'));
    await t.index.add([{ id: huge, ...aLocation, length: 2 ** 31 }]);
    await assert.rejects(t.store.get(huge), { code: 'E_CORRUPT_OBJECT' });
    assert.equal((await t.store.get(a!)).toString(), 'a');
  });

  it('deletes a pack file once none of its objects is indexed', async () => {
    const first = await putAll(t.store, [Buffer.from('1a'), Buffer.from('1b')]);
    const second = await putAll(t.store, [Buffer.from('2a'), Buffer.from('2b')]);
    const firstPack = (await t.index.lookup(first)).get(first[0]!)!.pack;
    const secondPack = (await t.index.lookup(second)).get(second[0]!)!.pack;
    await t.store.get(first[0]!); // leaves the pack open in the handle cache
    await t.store.deleteMany([first[0]!, first[1]!, second[0]!]);
    assert.deepEqual(await packs(), [secondPack]);
    assert.notEqual(firstPack, secondPack);
    assert.equal((await t.store.get(second[1]!)).toString(), '2b');
  });

  it('reads and verifies packed objects above the synchronous read limit', async () => {
    const store = new FsObjectStore({
      dir: join(t.dir, 'wide'),
      index: t.index,
      largeObjectThreshold: 1 << 20,
    });
    const data = randomBytes(500_000);
    const [id] = await putAll(store, [data, Buffer.from('small')]);
    assert.deepEqual(await readdir(store.layout.loose), [], 'packed, not loose');
    assert.deepEqual(await store.get(id!), data);
    await corruptStored(store, t.index, id!, 400_000);
    await assert.rejects(store.get(id!), { code: 'E_HASH_MISMATCH' });
    await store.close();
  });

  it('packs big objects with packLargeObjects: one pack, nothing loose, the caller may reuse its buffer', async () => {
    // 2 MiB: above the store's threshold and written from the caller's buffer on a libuv thread.
    const big = [randomBytes(2 << 20), randomBytes(2 << 20)];
    const copies = big.map((b) => Buffer.from(b));
    const writer = t.store.createWriter({ packLargeObjects: true });
    const ids = await Promise.all([
      writer.add(big[0]!),
      writer.add(Buffer.from('small')),
      writer.add(big[1]!),
      writer.add(copies[0]!),
    ]);
    assert.equal(ids[3], ids[0], 'the same bytes twice are one object');
    for (const b of big) b.fill(7); // add() has resolved: the writer must not read these any more
    await writer.commit();
    assert.deepEqual(await readdir(t.store.layout.loose), [], 'packed, not loose');
    const [pack, ...others] = await packs();
    assert.deepEqual(others, []);
    const size = (await stat(join(t.store.layout.packs, pack!))).size;
    assert.equal(size, PACK_MAGIC.byteLength + 3 * RECORD_HEADER_SIZE + 2 * (2 << 20) + 5);
    assert.deepEqual(await t.store.get(ids[0]!), copies[0]);
    assert.deepEqual(await t.store.get(ids[2]!), copies[1]);
    assert.equal((await t.store.get(ids[1]!)).toString(), 'small');
    assert.deepEqual(await readdir(t.store.layout.tmp), []);
    // Without the option a big object is loose, as before.
    const loose = t.store.createWriter();
    const id = await loose.add(randomBytes(200_000));
    await loose.commit();
    assert.deepEqual(await readdir(join(t.store.layout.loose, id.slice(0, 2))), [id.slice(2)]);
  });

  it('keeps objects across a reopen of the same folder and index', async () => {
    const ids = await putAll(t.store, [Buffer.from('durable'), randomBytes(100_000)]);
    await t.store.close();
    const reopened = new FsObjectStore({ dir: t.dir, index: t.index, largeObjectThreshold: 1000 });
    assert.equal((await reopened.get(ids[0]!)).toString(), 'durable');
    await reopened.verify(ids[1]!);
    await reopened.close();
  });

  it('rejects a bad largeObjectThreshold', () => {
    for (const largeObjectThreshold of [0, -1, 1.5, 2 ** 32]) {
      assert.throws(() => new FsObjectStore({ dir: t.dir, index: t.index, largeObjectThreshold }), {
        code: 'E_INVALID_ARGUMENT',
      });
    }
  });

  it('fails the commit when a batch could not be written', async () => {
    const index = t.index as MemoryPackIndex;
    const lookup = index.lookup.bind(index);
    const writer = t.store.createWriter();
    index.lookup = async () => {
      throw new Error('catalog is down');
    };
    // The batch with the earlier objects is written by the call that fills it, and fails there.
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, () => writer.add(randomBytes(30_000))),
    );
    assert.ok(results.some((result) => result.status === 'rejected'));
    index.lookup = lookup;
    await assert.rejects(writer.commit(), /catalog is down/);
    await writer.abort(); // allowed after a failed commit
    assert.deepEqual(await readdir(t.store.layout.tmp), []);
  });
});
