import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fsck } from '../repo/maintenance/fsck.js';
import { gc } from '../repo/maintenance/gc.js';
import { mergeRevision } from '../repo/merge/merge-revision.js';
import { createBranch } from '../repo/refs/branches.js';
import { readBranch } from '../repo/refs/refs.js';
import { createTempRepo } from '../repo/test-support/temp-repo.js';
import { commitVolumeChanges } from './volume-commit.js';
import { readCutout, readRecordCutout, touchedChunks } from './volume-cutout.js';
import { diffVolumeRevisions } from './volume-diff.js';
import { volumesSectionProvider } from './volume-provider.js';
import { volumeAt } from './volume-record.js';
import { createVolume, writeVolumeRegion } from './volume-write.js';

/** A deterministic (z, y, x) uint8 volume. */
function pattern(ex: number, ey: number, ez: number, seed = 0): Uint8Array {
  const out = new Uint8Array(ex * ey * ez);
  for (let z = 0; z < ez; z++)
    for (let y = 0; y < ey; y++)
      for (let x = 0; x < ex; x++) out[(z * ey + y) * ex + x] = (x * 3 + y * 5 + z * 7 + seed) & 0xff;
  return out;
}

test('volume: a region written reads back through cutouts of any alignment; missing chunks read as fill', async () => {
  const t = await createTempRepo({});
  try {
    await createVolume(t.repo, {
      name: 'em',
      dtype: 'uint8',
      size: [40, 30, 20],
      chunk: [16, 16, 8],
      fill: 9,
    });
    const data = pattern(25, 20, 10);
    await writeVolumeRegion(t.repo, 'em', { origin: { x: 5, y: 3, z: 2 }, shape: [10, 20, 25], data });
    const record = await volumeAt(t.repo, 'em');
    // 25 x from 5 → chunks 0,1 (0..31); 20 y from 3 → chunks 0,1; 10 z from 2 → chunks 0,1.
    assert.equal(record.chunks, 8);
    const cut = await readCutout(t.repo, 'em', { x: [0, 40], y: [0, 30], z: [0, 20] });
    assert.deepEqual(cut.shape, [20, 30, 40]);
    assert.deepEqual(cut.axes, ['z', 'y', 'x']);
    for (let z = 0; z < 20; z++)
      for (let y = 0; y < 30; y++)
        for (let x = 0; x < 40; x++) {
          const inside = x >= 5 && x < 30 && y >= 3 && y < 23 && z >= 2 && z < 12;
          const want = inside ? data[((z - 2) * 20 + (y - 3)) * 25 + (x - 5)] : 9;
          assert.equal(cut.data[(z * 30 + y) * 40 + x], want, `voxel ${x},${y},${z}`);
        }
    const part = await readCutout(t.repo, 'em', { x: [7, 9], y: [4, 5], z: [3, 4] });
    assert.deepEqual([...part.data], [data[(1 * 20 + 1) * 25 + 2], data[(1 * 20 + 1) * 25 + 3]]);
    await assert.rejects(readCutout(t.repo, 'em', { x: [0, 41], y: [0, 1], z: [0, 1] }), {
      code: 'E_INVALID_ARGUMENT',
    });
    assert.equal((await fsck(t.repo)).ok, true);
    await gc(t.repo);
    assert.deepEqual(
      await readCutout(t.repo, 'em', { x: [0, 40], y: [0, 30], z: [0, 20] }),
      cut,
      'gc keeps every chunk',
    );
  } finally {
    await t.done();
  }
});

test('volume: cutouts read only the chunks they touch', async () => {
  const t = await createTempRepo({});
  try {
    await createVolume(t.repo, { name: 'v', dtype: 'uint16', size: [64, 64, 8], chunk: [16, 16, 4] });
    await writeVolumeRegion(t.repo, 'v', {
      origin: { x: 0, y: 0, z: 0 },
      shape: [8, 64, 64],
      data: Uint16Array.from({ length: 64 * 64 * 8 }, (_, i) => i),
    });
    const record = await volumeAt(t.repo, 'v');
    const touched = touchedChunks(record.schema, { x: [10, 20], y: [0, 16], z: [3, 5], t: [0, 1] });
    assert.equal(touched.length, 4);
    let reads = 0;
    const get = t.repo.store.get.bind(t.repo.store);
    t.repo.store.get = async (id) => {
      const bytes = await get(id);
      if (bytes.subarray(0, 4).toString() === 'SVK1') reads++;
      return bytes;
    };
    const cut = await readRecordCutout(t.repo, record, { x: [10, 20], y: [0, 16], z: [3, 5] });
    assert.equal(cut.data[0], 3 * 64 * 64 + 10);
    assert.ok(cut.data instanceof Uint16Array);
    // The 4 chunks touched; not the other 28.
    assert.equal(reads, 4);
  } finally {
    await t.done();
  }
});

test('volume: versioned per chunk: diff, branches, merge of disjoint chunks, conflicts on the same chunk', async () => {
  const t = await createTempRepo({});
  try {
    await createVolume(t.repo, { name: 'em', dtype: 'uint8', size: [32, 32, 8], chunk: [16, 16, 8] });
    const c1 = await writeVolumeRegion(t.repo, 'em', {
      origin: { x: 0, y: 0, z: 0 },
      shape: [8, 16, 16],
      data: pattern(16, 16, 8),
    });
    await createBranch(t.repo, 'side');
    await writeVolumeRegion(t.repo, 'em', {
      origin: { x: 16, y: 0, z: 0 },
      shape: [8, 16, 16],
      data: pattern(16, 16, 8, 1),
    });
    await writeVolumeRegion(t.repo, 'em', {
      branch: 'side',
      origin: { x: 0, y: 16, z: 0 },
      shape: [8, 16, 16],
      data: pattern(16, 16, 8, 2),
    });
    const diff = await diffVolumeRevisions(t.repo, c1.commit, 'side');
    assert.deepEqual(diff, [{ column: 'em', chunk: { x: 0, y: 1, z: 0, t: 0 }, change: 'added' }]);
    const merged = await mergeRevision(t.repo, 'side', {
      providers: [volumesSectionProvider],
      message: 'merge side',
    });
    assert.equal(merged.conflicts.length, 0);
    const all = await readCutout(t.repo, 'em', { x: [0, 32], y: [0, 32], z: [0, 8] });
    assert.equal(all.data[(0 * 32 + 16) * 32 + 0], pattern(16, 16, 8, 2)[0]);
    assert.equal(all.data[16], pattern(16, 16, 8, 1)[0]);
    assert.equal((await volumeAt(t.repo, 'em')).chunks, 3);

    // The same chunk changed on both sides: a conflict, nothing merged.
    await writeVolumeRegion(t.repo, 'em', {
      origin: { x: 0, y: 0, z: 0 },
      shape: [1, 1, 1],
      data: Uint8Array.of(1),
    });
    await writeVolumeRegion(t.repo, 'em', {
      branch: 'side',
      origin: { x: 0, y: 0, z: 0 },
      shape: [1, 1, 1],
      data: Uint8Array.of(2),
    });
    const before = await readBranch(t.repo, 'main');
    const refused = await mergeRevision(t.repo, 'side', {
      providers: [volumesSectionProvider],
      message: 'again',
    });
    assert.equal(refused.result, 'conflict');
    assert.deepEqual(refused.conflicts, [
      { kind: 'both-changed', column: 'em', chunk: '00000000.00000000.00000000.00000000' },
    ]);
    assert.equal(await readBranch(t.repo, 'main'), before);
    assert.equal((await fsck(t.repo)).ok, true);
  } finally {
    await t.done();
  }
});

test('volume: changes made against an old tip are applied on the moved tip, unless the tip changed the same chunks', async () => {
  const t = await createTempRepo({});
  try {
    const created = await createVolume(t.repo, {
      name: 'em',
      dtype: 'uint8',
      size: [32, 16, 4],
      chunk: [16, 16, 4],
    });
    const base = created.record.index;
    const schema = created.record.schema;
    await writeVolumeRegion(t.repo, 'em', {
      origin: { x: 16, y: 0, z: 0 },
      shape: [1, 1, 1],
      data: Uint8Array.of(5),
    });
    // Edits computed against `base` (as an ingest job would), touching chunk x=0 only.
    const { storeVolumeChunk, filledChunk } = await import('./volume-write.js');
    const raw = filledChunk(schema);
    raw[0] = 7;
    const writer = t.repo.store.createWriter();
    const edit = await storeVolumeChunk(writer, schema, '00000000.00000000.00000000.00000000', raw);
    await writer.commit();
    const done = await commitVolumeChanges(t.repo, {
      branch: 'main',
      schema,
      base,
      edits: [edit],
      message: 'job',
    });
    assert.equal(done.rebased, true);
    const cut = await readCutout(t.repo, 'em', { x: [0, 32], y: [0, 1], z: [0, 1] });
    assert.equal(cut.data[0], 7);
    assert.equal(cut.data[16], 5, 'the tip change stays');
    // A second job against the same old base touching x=1: conflict with the tip's change.
    const raw2 = filledChunk(schema);
    raw2[1] = 1;
    const w2 = t.repo.store.createWriter();
    const edit2 = await storeVolumeChunk(w2, schema, '00000000.00000000.00000000.00000001', raw2);
    await w2.commit();
    const tip = await readBranch(t.repo, 'main');
    await assert.rejects(
      commitVolumeChanges(t.repo, { branch: 'main', schema, base, edits: [edit2], message: 'job 2' }),
      { code: 'E_CONFLICT' },
    );
    assert.equal(await readBranch(t.repo, 'main'), tip, 'nothing was committed');
  } finally {
    await t.done();
  }
});
