import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createCollection } from './collection.js';
import type { ComputeEngine } from './compute-engine.js';
import { fetchMany } from './fetch-many.js';
import { GET_MANY_BATCH, type ComputeStore } from './store/compute-store.js';
import { openSqliteComputeStore } from './store/sqlite/sqlite-compute-store.js';

/** The store with a count of every call per method, so the test sees how many reads a fetch costs. */
function counting(store: ComputeStore): { store: ComputeStore; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const proxy = new Proxy(store, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.set(String(name), (calls.get(String(name)) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}

test('fetchMany reads cached keys in batches and claims only the misses', async () => {
  const root = await mkdtemp(join(tmpdir(), 'strata-fetch-batched-'));
  const inner = await openSqliteComputeStore({ path: join(root, 'compute.db') });
  try {
    const { store, calls } = counting(inner);
    const engine: ComputeEngine = { root, store, workerModule: import.meta.url };
    let runs = 0;
    const c = createCollection('c', (id: string) => {
      runs++;
      return `v-${id}`;
    });
    const total = 2 * GET_MANY_BATCH + 5;
    const ids = Array.from({ length: total }, (_, i) => `id-${i}`);
    // Every other key computed beforehand.
    await fetchMany(
      engine,
      c,
      ids.filter((_, i) => i % 2 === 0),
    );
    assert.equal(runs, Math.ceil(total / 2));
    calls.clear();

    const progress: number[] = [];
    const results = await fetchMany<string>(engine, c, ids, { onProgress: (done) => progress.push(done) });
    assert.deepEqual(
      results.map((r) => r.result),
      ids.map((id) => `v-${id}`),
    );
    assert.equal(runs, total, 'each miss computed once, no hit recomputed');
    const misses = Math.floor(total / 2);
    const batches = Math.ceil(total / GET_MANY_BATCH);
    // Store calls may carry several batches each (the adapter runs them at once), never fewer keys.
    assert.ok((calls.get('getMany') ?? 0) <= batches, 'at most one read per batch of keys');
    assert.equal(calls.get('claim'), misses, 'only the misses are claimed');
    assert.equal(calls.get('finish'), misses);
    assert.ok((calls.get('get') ?? 0) <= misses, 'no point read for a cached key');
    assert.equal(progress.at(-1), total);
    assert.ok(progress.every((d, i) => i === 0 || d > progress[i - 1]!));

    // All cached now: nothing but batched reads.
    calls.clear();
    await fetchMany(engine, c, ids);
    assert.deepEqual([...calls.keys()], ['getMany']);
    assert.ok((calls.get('getMany') ?? 0) <= batches);

    // A recompute skips the cache and claims every key.
    calls.clear();
    await fetchMany(engine, c, ids.slice(0, 3), { recompute: true });
    assert.equal(calls.get('getMany'), undefined);
    assert.equal(calls.get('claim'), 3);
    assert.equal(runs, total + 3);
  } finally {
    await inner.close();
    await rm(root, { recursive: true, force: true });
  }
});
