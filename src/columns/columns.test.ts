import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fsck } from '../repo/maintenance/fsck.js';
import { gc } from '../repo/maintenance/gc.js';
import { createBranch } from '../repo/refs/branches.js';
import { createTempRepo } from '../repo/test-support/temp-repo.js';
import { checkout as checkoutWorktree } from '../repo/worktree/checkout.js';
import { sampleId } from './sample-id.js';
import {
  mergeRevision as mergeWithProviders,
  type MergeOptions,
  type MergeResult,
} from '../repo/merge/merge-revision.js';
import type { Repository } from '../repo/repository.js';
import type { ColumnConflict } from './column-merge.js';
import { columnsSectionProvider } from './columns-provider.js';
import { openCheckout } from './checkout.js';
import type { NdArray } from './schema.js';

/** The merge as the public API wires it: columns plug in through their section provider. */
const mergeRevision = async (repo: Repository, revision: string, options: MergeOptions = {}) =>
  (await mergeWithProviders(repo, revision, {
    providers: [columnsSectionProvider],
    ...options,
  })) as MergeResult<ColumnConflict>;

const image = (seed: number, n = 784) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);

test('samples round-trip through stage, commit and a reader; schema errors name column, key, expected and got', async () => {
  const t = await createTempRepo({});
  try {
    const w = await openCheckout(t.repo, { write: true });
    const images = await w.createColumn({ name: 'images', dtype: 'uint8', shape: [28, 28] });
    const labels = await w.createColumn({ name: 'labels', dtype: 'int64', shape: [1] });
    for (let i = 0; i < 300; i++) {
      await images.set(i, image(i));
      await labels.set(i, BigInt64Array.of(BigInt(i % 10)));
    }
    await assert.rejects(
      images.set(1000, new Float32Array(784)),
      /column 'images', key 1000: expected dtype uint8 \(Uint8Array\), got Float32Array/,
    );
    await assert.rejects(
      images.set(1001, { data: new Uint8Array(28 * 27), shape: [28, 27] }),
      /shape \[28, 27\] where \[28, 28\] is expected/,
    );
    await assert.rejects(images.set(1002, { data: new Uint8Array(784), shape: [784] }), /rank 1/);
    await assert.rejects(images.set('bad key!', image(0)), /invalid key "bad key!" in column 'images'/);
    await assert.rejects(images.set(-1, image(0)), /invalid key -1/);
    assert.equal(await images.size(), 300);
    const got = (await images.get(17)) as NdArray;
    assert.deepEqual(got.shape, [28, 28]);
    assert.deepEqual(
      Buffer.from(got.data.buffer, got.data.byteOffset, got.data.byteLength),
      Buffer.from(image(17)),
    );
    const status = await w.status();
    assert.equal(status.length, 600);
    const id = await w.commitChanges('300 images');
    await w.close();
    await assert.rejects(images.get(1), /the checkout is closed/);

    const r = await openCheckout(t.repo, { revision: id });
    assert.deepEqual(r.columnNames(), ['images', 'labels']);
    const batch = await r.column('images').getMany([0, 299, 5]);
    assert.deepEqual(batch.shape, [3, 28, 28]);
    assert.deepEqual(Buffer.from(batch.data.buffer).subarray(784, 1568), Buffer.from(image(299)));
    const keys: unknown[] = [];
    for await (const k of r.column('labels').keys()) keys.push(k);
    assert.deepEqual(keys.slice(0, 12), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const label = (await r.column('labels').get(13)) as NdArray;
    assert.equal((label.data as BigInt64Array)[0], 3n);
    await assert.rejects(r.column('images').set(1, image(1)), /read-only/);
    const seen = new Set<unknown>();
    let batches = 0;
    for await (const b of r.column('images').batches({ size: 64, shuffle: true, seed: 7, dropLast: true })) {
      batches++;
      assert.deepEqual(b.samples.shape, [64, 28, 28]);
      for (const k of b.keys) seen.add(k);
    }
    assert.equal(batches, 4);
    assert.equal(seen.size, 256);
    await r.close();
    assert.equal((await fsck(t.repo)).problems.length, 0);
  } finally {
    await t.done();
  }
});

test('one writer per branch; readers any number; staging survives close and can be reset', async () => {
  const t = await createTempRepo({});
  try {
    const w = await openCheckout(t.repo, { write: true });
    const c = await w.createColumn({ name: 'x', kind: 'str' });
    await c.set('a', 'hello');
    await assert.rejects(openCheckout(t.repo, { write: true }), /lock/i);
    await w.close();
    const w2 = await openCheckout(t.repo, { write: true });
    assert.equal(await w2.column('x').get('a'), 'hello');
    assert.equal((await w2.status()).length, 1);
    await w2.reset();
    assert.deepEqual(w2.columnNames(), []);
    await w2.close();
    // gc keeps what is staged.
    const w3 = await openCheckout(t.repo, { write: true });
    const b = await w3.createColumn({ name: 'b', kind: 'bytes' });
    await b.set('k', new Uint8Array(100).fill(3));
    await w3.close();
    await gc(t.repo);
    const w4 = await openCheckout(t.repo, { write: true });
    assert.deepEqual(await w4.column('b').get('k'), new Uint8Array(100).fill(3));
    await w4.commitChanges('bytes');
    await w4.close();
  } finally {
    await t.done();
  }
});

test('variable shapes, nested layout, identical samples stored once, ids cover the shape', async () => {
  const t = await createTempRepo({});
  try {
    const w = await openCheckout(t.repo, { write: true });
    const v = await w.createColumn({ name: 'v', dtype: 'float32', shape: [4, 4], variable: true });
    await v.set('a', { data: new Float32Array(6).fill(1), shape: [2, 3] });
    await v.set('b', { data: new Float32Array(6).fill(1), shape: [3, 2] });
    await assert.rejects(
      v.set('c', { data: new Float32Array(10), shape: [5, 2] }),
      /exceeds the max shape \[4, 4\]/,
    );
    const n = await w.createColumn({ name: 'n', dtype: 'uint8', shape: [100], layout: 'nested' });
    await n.set(['scan1', 0], image(1, 100));
    await n.set(['scan1', 1], image(1, 100));
    await n.set(['scan2', 0], image(2, 100));
    await assert.rejects(n.set('scan1', image(1, 100)), /expected \[key, subkey\]/);
    await w.flush();
    assert.equal(n.record.chunks.length, 1);
    assert.deepEqual(((await v.get('b')) as NdArray).shape, [3, 2]);
    const keys: unknown[] = [];
    for await (const k of n.keys()) keys.push(k);
    assert.deepEqual(keys, [
      ['scan1', 0],
      ['scan1', 1],
      ['scan2', 0],
    ]);
    const changes = await w.status();
    assert.equal(changes.filter((c) => c.column === 'v').length, 2);
    await w.close();
    const bytes = new Uint8Array(new Float32Array(6).fill(1).buffer);
    assert.notEqual(sampleId('float32', [2, 3], bytes), sampleId('float32', [3, 2], bytes));
  } finally {
    await t.done();
  }
});

test('diff, fast-forward and three-way merges at sample level, conflicts refused or resolved', async () => {
  const t = await createTempRepo({});
  try {
    const w = await openCheckout(t.repo, { write: true });
    const c = await w.createColumn({ name: 'c', dtype: 'uint8', shape: [64] });
    for (let i = 0; i < 100; i++) await c.set(i, image(i, 64));
    await w.commitChanges('base');
    await w.close();
    await createBranch(t.repo, 'dev');

    const onDev = async (
      fn: (col: ReturnType<Awaited<ReturnType<typeof openCheckout>>['column']>) => Promise<void>,
      branch = 'dev',
    ) => {
      const x = await openCheckout(t.repo, { write: true, branch });
      await fn(x.column('c'));
      const id = await x.commitChanges(`change on ${branch}`);
      await x.close();
      return id;
    };
    await onDev(async (col) => {
      await col.set(1, image(1001, 64));
      await col.delete(2);
      await col.set(500, image(500, 64));
    });
    assert.deepEqual((await mergeRevision(t.repo, 'dev')).result, 'fast-forward');
    // Diverge: main changes key 10, dev changes key 20 -> clean merge.
    await onDev(async (col) => void (await col.set(20, image(2020, 64))));
    await onDev(async (col) => void (await col.set(10, image(1010, 64))), 'main');
    const merged = await mergeRevision(t.repo, 'dev');
    assert.equal(merged.result, 'merged');
    const r = await openCheckout(t.repo);
    assert.deepEqual(((await r.column('c').get(20)) as NdArray).data, image(2020, 64));
    assert.deepEqual(((await r.column('c').get(10)) as NdArray).data, image(1010, 64));
    assert.equal(await r.column('c').has(2), false);
    await r.close();
    // Conflict: both change key 30 differently, dev deletes 31 that main changes, both add 600.
    await onDev(async (col) => {
      await col.set(30, image(3030, 64));
      await col.delete(31);
      await col.set(600, image(6, 64));
    });
    const mainHead = await onDev(async (col) => {
      await col.set(30, image(3131, 64));
      await col.set(31, image(3232, 64));
      await col.set(600, image(7, 64));
    }, 'main');
    const refused = await mergeRevision(t.repo, 'dev');
    assert.equal(refused.result, 'conflict');
    assert.deepEqual(
      refused.conflicts.map((x) => ('column' in x ? [x.key, x.kind] : [])),
      [
        [30, 'both-changed'],
        [31, 'deleted-and-changed'],
        [600, 'both-added'],
      ],
    );
    const r2 = await openCheckout(t.repo);
    assert.equal(r2.commit, mainHead);
    await r2.close();
    const theirs = await mergeRevision(t.repo, 'dev', { strategy: 'theirs' });
    assert.equal(theirs.result, 'merged');
    const r3 = await openCheckout(t.repo);
    assert.deepEqual(((await r3.column('c').get(30)) as NdArray).data, image(3030, 64));
    assert.equal(await r3.column('c').has(31), false);
    await r3.close();
    await checkoutWorktree(t.repo, 'main');
    assert.equal((await fsck(t.repo)).problems.length, 0);
  } finally {
    await t.done();
  }
});

test('bulk batches: digests from the worker thread, duplicates stored once, labels inline', async () => {
  const t = await createTempRepo({});
  try {
    const w = await openCheckout(t.repo, { write: true });
    const n = 40_000;
    const data = new Uint8Array(n * 64);
    // Every fourth sample repeats an earlier one.
    const sample = (i: number) => {
      const out = image(i, 64);
      new DataView(out.buffer).setUint32(0, i, true);
      return out;
    };
    for (let i = 0; i < n; i++) data.set(sample(i % 4 === 3 ? i - 1 : i), i * 64);
    const col = await w.createColumn({ name: 'big', dtype: 'uint8', shape: [64], compression: 'none' });
    const labels = await w.createColumn({ name: 'labels', dtype: 'int32', shape: [1] });
    await w.bulk(async () => {
      await col.setBatch({ start: 0 }, { dtype: 'uint8', shape: [64], count: n, data });
      await labels.setBatch(
        { start: 5 },
        { dtype: 'int32', shape: [1], count: 3, data: new Uint8Array(Int32Array.of(7, 8, 9).buffer) },
      );
    });
    assert.equal(await col.size(), n);
    for (const k of [0, 3, 4095, 8192, 39_999]) {
      assert.deepEqual(((await col.get(k)) as NdArray).data, sample(k % 4 === 3 ? k - 1 : k), `key ${k}`);
    }
    // One raw chunk holding the 30,000 distinct samples once each (plus its 9-byte header).
    assert.equal(col.record.chunks.length, 1);
    assert.equal(await t.repo.store.size(col.record.chunks[0]!), 9 + 30_000 * 64);
    assert.equal(((await labels.get(6)) as NdArray).data[0], 8);
    await w.commitChanges('bulk');
    await w.close();
  } finally {
    await t.done();
  }
});

test('every codec round-trips; a damaged chunk is refused on read, never returned', async () => {
  const t = await createTempRepo({});
  try {
    const w = await openCheckout(t.repo, { write: true });
    for (const compression of ['none', 'lz4', 'zstd'] as const) {
      const c = await w.createColumn({
        name: `c_${compression}`,
        dtype: 'uint16',
        shape: [300],
        compression,
      });
      for (let i = 0; i < 50; i++)
        await c.set(
          i,
          Uint16Array.from({ length: 300 }, (_, j) => (i * j) % 1000),
        );
    }
    await w.commitChanges('codecs');
    await w.close();
    const r = await openCheckout(t.repo);
    for (const compression of ['none', 'lz4', 'zstd']) {
      const got = (await r.column(`c_${compression}`).get(7)) as NdArray;
      assert.deepEqual(
        got.data,
        Uint16Array.from({ length: 300 }, (_, j) => (7 * j) % 1000),
        compression,
      );
    }
    await r.close();
    // Flip one byte of the raw chunk's sample data inside its pack file.
    const marker = Buffer.from(Uint16Array.from({ length: 300 }, (_, j) => (49 * j) % 1000).buffer);
    const packs = join(t.root, '.strata/objects/packs');
    let damaged = false;
    for (const f of readdirSync(packs)) {
      const bytes = readFileSync(join(packs, f));
      const at = bytes.indexOf(marker);
      if (at < 0) continue;
      bytes[at + 10] ^= 0xff;
      writeFileSync(join(packs, f), bytes);
      damaged = true;
    }
    assert.ok(damaged, 'the raw chunk was found in a pack');
    const r2 = await openCheckout(t.repo);
    await assert.rejects(r2.column('c_none').get(49), { code: 'E_HASH_MISMATCH' });
    await r2.close();
  } finally {
    await t.done();
  }
});
