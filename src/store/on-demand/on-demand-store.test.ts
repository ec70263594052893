import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryObjectStore } from '../memory/memory-object-store.js';
import type { ObjectStore } from '../object-store.js';
import type { ObjectId } from '../../util/hash.js';
import { localObjects, OnDemandObjectStore } from './on-demand-store.js';

/** A remote of `count` objects and an empty clone whose fetches are recorded. */
async function setUp(count: number) {
  const remote = new MemoryObjectStore();
  const writer = remote.createWriter();
  const ids: ObjectId[] = [];
  for (let i = 0; i < count; i++) ids.push(await writer.add(Buffer.from(`object ${i}`)));
  await writer.commit();
  const calls: ObjectId[][] = [];
  const fetchMissing = async (wanted: readonly ObjectId[], into: ObjectStore) => {
    calls.push([...wanted]);
    const got = await remote.getMany(wanted);
    const w = into.createWriter();
    for (const id of wanted) assert.equal(await w.add(got.get(id)!), id);
    await w.commit();
  };
  const store = new OnDemandObjectStore(new MemoryObjectStore(), fetchMissing);
  return { ids, calls, store };
}

test('misses are fetched in batches: one call per getMany or prefetch, one per event-loop turn of gets', async () => {
  const { ids, calls, store } = await setUp(40);
  assert.equal((await store.getMany(ids.slice(0, 10))).size, 10);
  assert.deepEqual(calls, [ids.slice(0, 10)]);
  // Present objects are never fetched again; only the absent ones of a batch travel.
  await store.prefetch(ids.slice(5, 20));
  assert.deepEqual(calls[1], ids.slice(10, 20));
  // Concurrent single reads (a reader with read-ahead) share one fetch.
  const read = await Promise.all(ids.slice(20, 30).map((id) => store.get(id)));
  assert.equal(calls.length, 3);
  assert.deepEqual(calls[2], ids.slice(20, 30));
  assert.equal(read[3]!.toString(), 'object 23');
  assert.equal(await store.size(ids[35]!), 'object 35'.length);
  assert.equal(calls.length, 4);
  // has/hasMany answer for what is here; the local store is reachable for fsck and gc.
  assert.equal(await store.has(ids[39]!), false);
  assert.equal((await store.hasMany(ids)).size, 31);
  assert.equal(localObjects(store), store.local);
});

test('a failed fetch fails every read waiting on it, and a later read tries again', async () => {
  const { ids, store: working } = await setUp(3);
  let down = true;
  const store = new OnDemandObjectStore(working.local, async (wanted, into) => {
    if (down) throw new Error(`remote down for ${wanted.length}`);
    const w = into.createWriter();
    for (let i = 0; i < 3; i++) await w.add(Buffer.from(`object ${i}`));
    await w.commit();
  });
  const results = await Promise.allSettled(ids.map((id) => store.get(id)));
  assert.deepEqual(
    results.map((r) => r.status === 'rejected' && (r.reason as Error).message),
    ['remote down for 3', 'remote down for 3', 'remote down for 3'],
  );
  down = false;
  assert.equal((await store.get(ids[1]!)).toString(), 'object 1');
});
