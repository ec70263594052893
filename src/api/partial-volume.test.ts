/**
 * Issue 16: a volume travels with push and clone (its chunk map and chunks), and a `--no-data`
 * clone reads a cutout by fetching, in one batch, only the chunks the cutout touches.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVolume, readCutout, writeVolumeRegion } from '../columns/index.js';
import { localObjects } from '../store/on-demand/on-demand-store.js';
import { initRepository } from '../backends/open-backends.js';
import { fsck } from '../repo/maintenance/fsck.js';
import { openRepository } from './open-repository.js';
import { addRemote, cloneRepository, prefetchData, pushRemote } from './index.js';

test('a --no-data clone reads a volume cutout on demand: only the touched chunks are fetched', async () => {
  const root = mkdtempSync(join(tmpdir(), 'strata-partial-volume-'));
  try {
    const a = await initRepository(join(root, 'a'));
    const full = { x: [0, 32], y: [0, 32], z: [0, 8] } as const;
    let expected;
    try {
      await createVolume(a, { name: 'em', dtype: 'uint8', size: [32, 32, 8], chunk: [16, 16, 4] });
      const data = Uint8Array.from({ length: 32 * 32 * 8 }, (_, i) => Math.imul(i + 1, 2654435761) >>> 24);
      await writeVolumeRegion(a, 'em', { origin: { x: 0, y: 0, z: 0 }, shape: [8, 32, 32], data });
      expected = await readCutout(a, 'em', { x: [...full.x], y: [...full.y], z: [...full.z] });
      await addRemote(a, 'origin', join(root, 'hub'));
      await pushRemote(a, 'origin');
    } finally {
      await a.close();
    }
    await cloneRepository(join(root, 'hub'), join(root, 'b'), { data: false });
    const b = await openRepository(join(root, 'b'));
    try {
      const before = (await fsck(b)).absent!.contents;
      assert.ok(before >= 8, `${before} contents left on the remote`);
      // One corner chunk (x 0..15, y 0..15, z 0..3).
      const corner = await readCutout(b, 'em', { x: [0, 4], y: [0, 4], z: [0, 2] });
      assert.deepEqual(corner, await readCutout(b, 'em', { x: [0, 4], y: [0, 4], z: [0, 2] }));
      assert.equal((await fsck(b)).absent!.contents, before - 1, 'one chunk fetched');
      assert.deepEqual(
        await readCutout(b, 'em', { x: [...full.x], y: [...full.y], z: [...full.z] }),
        expected,
      );
      assert.equal(
        (await fsck(b)).absent?.contents ?? 0,
        before - 8,
        'the eight chunks of HEAD are here now',
      );
      assert.equal((await prefetchData(b, { column: 'em' })).fetched, 0);
      assert.ok(localObjects(b.store) !== b.store, 'the clone reads through its on-demand store');
    } finally {
      await b.close();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
