import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeNpyHeader } from '../arrays/formats/npy.js';
import { writeGreyImage, writeMultipageTiff } from '../arrays/image/test-support/write-test-images.js';
import { readCutout } from '../columns/volume-cutout.js';
import { createVolume, writeVolumeRegion } from '../columns/volume-write.js';
import { fsck } from '../repo/maintenance/fsck.js';
import { gc } from '../repo/maintenance/gc.js';
import { createTempRepo } from '../repo/test-support/temp-repo.js';
import {
  cancelIngestJob,
  checkJoinable,
  createIngestJob,
  ingestStatus,
  pluginFor,
  runIngestWorker,
} from './ingest-jobs.js';
import type { IngestJobConfig, SlabPayload } from './ingest-plan.js';
import { runSlab } from './ingest-slab.js';
import { openIngestQueue } from './ingest-queue.js';
import { INGEST_REF_PREFIX } from './ingest-refs.js';
import { slice, voxel, writeConfig, writePngStack } from './test-support/ingest-fixtures.js';

type Temp = Awaited<ReturnType<typeof createTempRepo>>;

async function withIngest(
  work: (t: Temp, queue: Awaited<ReturnType<typeof openIngestQueue>>) => Promise<void>,
): Promise<void> {
  const t = await createTempRepo({});
  const queue = await openIngestQueue(t.repo);
  try {
    await work(t, queue);
  } finally {
    await queue.close();
    await t.done();
  }
}

const base = (over: Record<string, unknown> = {}) => ({
  target: { column: 'em', dtype: 'uint8', chunk: [32, 32, 2] },
  extent: { x: [0, 64], y: [0, 48], z: [0, 5] },
  tile: [32, 16],
  plugin: { name: 'image-stack', params: { root: 'slices', pattern: '{z:04d}.png' } },
  retries: 0,
  message: 'ingest em',
  ...over,
});

test('ingest: an image stack becomes a volume equal to the source, in one commit; task records are forgotten', async () => {
  await withIngest(async (t, queue) => {
    await writePngStack(join(t.root, 'slices'), 64, 48, 5);
    const job = await createIngestJob(t.repo, queue, writeConfig(t.root, base()));
    assert.equal(job.counts.total, 3, 'z 0:5 in chunks of 2: three slabs');
    const status = await runIngestWorker(t.repo, queue, job.id);
    assert.equal(status.state, 'completed');
    assert.ok(status.commit);
    const cut = await readCutout(t.repo, 'em', { x: [0, 64], y: [0, 48], z: [0, 5] });
    for (let z = 0; z < 5; z++)
      assert.deepEqual(cut.bytes.subarray(z * 64 * 48, (z + 1) * 64 * 48), slice(64, 48, z), `slice ${z}`);
    assert.deepEqual(await t.repo.catalog.listRefs(`${INGEST_REF_PREFIX}${job.id}/tasks/`), []);
    assert.equal((await fsck(t.repo)).ok, true);
    await gc(t.repo);
    assert.deepEqual(
      (await readCutout(t.repo, 'em', { x: [0, 64], y: [0, 48], z: [0, 5] })).bytes,
      cut.bytes,
    );
  });
});

test('ingest: a sub-region extent not aligned to chunks keeps the fill value outside it; tiled z/row_col files', async () => {
  await withIngest(async (t, queue) => {
    // One file per tile: slices/z/row_col.png, tiles of 16 × 16.
    for (let z = 0; z < 4; z++) {
      mkdirSync(join(t.root, 'tiles', String(z)), { recursive: true });
      for (let row = 0; row < 3; row++)
        for (let col = 0; col < 4; col++) {
          const data = new Uint8Array(16 * 16);
          for (let y = 0; y < 16; y++)
            for (let x = 0; x < 16; x++) data[y * 16 + x] = voxel(col * 16 + x, row * 16 + y, z);
          await writeGreyImage(join(t.root, 'tiles', String(z), `${row}_${col}.png`), 16, 16, data);
        }
    }
    const config = base({
      target: { column: 'em', dtype: 'uint8', chunk: [32, 32, 2], size: [64, 48, 4], fill: 3 },
      extent: { x: [5, 50], y: [3, 40], z: [1, 4] },
      tile: [16, 16],
      plugin: { name: 'image-stack', params: { root: 'tiles', pattern: '{z}/{row}_{col}.png' } },
    });
    const job = await createIngestJob(t.repo, queue, writeConfig(t.root, config));
    assert.equal((await runIngestWorker(t.repo, queue, job.id)).state, 'completed');
    const cut = await readCutout(t.repo, 'em', { x: [0, 64], y: [0, 48], z: [0, 4] });
    for (let z = 0; z < 4; z++)
      for (let y = 0; y < 48; y++)
        for (let x = 0; x < 64; x++) {
          const inside = x >= 5 && x < 50 && y >= 3 && y < 40 && z >= 1;
          assert.equal(cut.bytes[(z * 48 + y) * 64 + x], inside ? voxel(x, y, z) : 3, `voxel ${x},${y},${z}`);
        }
  });
});

test('ingest: multipage TIFF time series (pages are time points) and .npy slices', async () => {
  await withIngest(async (t, queue) => {
    mkdirSync(join(t.root, 'tif'));
    for (let z = 0; z < 2; z++)
      await writeMultipageTiff(
        join(t.root, 'tif', `${z}.tif`),
        32,
        16,
        [0, 1, 2].map((tp) => slice(32, 16, z, tp)),
      );
    const tif = base({
      target: { column: 'calcium', dtype: 'uint8', chunk: [32, 16, 2] },
      extent: { x: [0, 32], y: [0, 16], z: [0, 2], t: [0, 3] },
      tile: [32, 16],
      plugin: { name: 'multipage-tiff', params: { root: 'tif', pattern: '{z}.tif' } },
    });
    const job = await createIngestJob(t.repo, queue, writeConfig(t.root, tif));
    assert.equal((await runIngestWorker(t.repo, queue, job.id)).state, 'completed');
    const cut = await readCutout(t.repo, 'calcium', { x: [0, 32], y: [0, 16], z: [0, 2], t: [0, 3] });
    assert.deepEqual(cut.axes, ['t', 'z', 'y', 'x']);
    for (let tp = 0; tp < 3; tp++)
      for (let z = 0; z < 2; z++)
        assert.deepEqual(
          cut.bytes.subarray((tp * 2 + z) * 512, (tp * 2 + z + 1) * 512),
          slice(32, 16, z, tp),
          `t ${tp} z ${z}`,
        );

    mkdirSync(join(t.root, 'npy'));
    for (let z = 0; z < 2; z++) {
      const data = Uint16Array.from({ length: 16 * 32 }, (_, i) => i * 3 + z * 1000);
      writeFileSync(
        join(t.root, 'npy', `${z}.npy`),
        Buffer.concat([encodeNpyHeader('uint16', [16, 32]), Buffer.from(data.buffer)]),
      );
    }
    const npy = base({
      target: { column: 'n', dtype: 'uint16', chunk: [32, 16, 2] },
      extent: { x: [0, 32], y: [0, 16], z: [0, 2] },
      tile: [16, 16],
      plugin: { name: 'npy-slices', params: { root: 'npy', pattern: '{z}.npy' } },
    });
    const job2 = await createIngestJob(t.repo, queue, writeConfig(t.root, npy, 'npy.json'));
    assert.equal((await runIngestWorker(t.repo, queue, job2.id)).state, 'completed');
    const n = await readCutout(t.repo, 'n', { x: [0, 32], y: [0, 16], z: [1, 2] });
    assert.ok(n.data instanceof Uint16Array);
    assert.equal(n.data[5], 5 * 3 + 1000);
  });
});

test('ingest: bad configs are refused naming the key, and create nothing', async () => {
  await withIngest(async (t, queue) => {
    await writePngStack(join(t.root, 'slices'), 64, 48, 2);
    mkdirSync(join(t.root, 'plugins'));
    writeFileSync(join(t.root, 'plugins', 'throws.mjs'), "throw new Error('plugin exploded');\n");
    const cases: [Record<string, unknown>, string][] = [
      [base({ tile: ['512', 512] }), 'tile.0'],
      [base({ target: { column: 'em', dtype: 'uint7', chunk: [32, 32, 2] } }), 'target.dtype'],
      [base({ extent: { x: [0, 64], y: [10, 5], z: [0, 2] } }), 'extent.y'],
      [
        base({
          target: { column: 'em', dtype: 'uint8', chunk: [32, 32, 2], size: [64, 48, 2] },
          extent: { x: [0, 64], y: [0, 48], z: [0, 3] },
        }),
        'extent.z',
      ],
      [base({ tile: [24, 16] }), 'tile'],
      [base({ plugin: { name: 'catmaid' } }), 'plugin.name'],
      [base({ plugin: { name: './plugins/throws.mjs' } }), 'plugin.name'],
      [base({ plugin: { name: 'image-stack', params: {} } }), 'plugin.params.root'],
    ];
    for (const [config, key] of cases) {
      await assert.rejects(
        createIngestJob(t.repo, queue, writeConfig(t.root, config)),
        (err: { code: string; data: { key: string }; message: string }) => {
          assert.equal(err.code, 'E_CONFIG', err.message);
          assert.equal(err.data.key, key, err.message);
          assert.match(err.message, new RegExp(key.replace(/\./g, '\\.')));
          return true;
        },
      );
    }
    assert.deepEqual(await queue.listJobs(), []);
    // An existing volume: its size bounds the extent.
    await createVolume(t.repo, { name: 'small', dtype: 'uint8', size: [32, 32, 2], chunk: [32, 32, 2] });
    await assert.rejects(
      createIngestJob(
        t.repo,
        queue,
        writeConfig(t.root, base({ target: { column: 'small', dtype: 'uint8', chunk: [32, 32, 2] } })),
      ),
      { code: 'E_CONFIG', data: { key: 'extent.x' } },
    );
  });
});

test('ingest: a missing, truncated or wrong-shape tile fails its task with the path and reason; the job fails and commits nothing', async () => {
  await withIngest(async (t, queue) => {
    await writePngStack(join(t.root, 'slices'), 64, 48, 5);
    rmSync(join(t.root, 'slices', '0001.png'));
    truncateSync(join(t.root, 'slices', '0002.png'), 40);
    await writeGreyImage(join(t.root, 'slices', '0004.png'), 20, 20, new Uint8Array(400));
    const job = await createIngestJob(t.repo, queue, writeConfig(t.root, base()));
    const status = await runIngestWorker(t.repo, queue, job.id);
    assert.equal(status.state, 'failed');
    assert.equal(status.errors.length, 3);
    const messages = status.errors.map((e) => e.message).join('\n');
    assert.match(messages, /0001\.png: cannot decode image: Input file is missing/);
    assert.match(messages, /0002\.png: cannot decode image/);
    assert.match(messages, /0004\.png: image of 20 x 20 has no tile/);
    assert.equal(await t.repo.catalog.getRef('refs/heads/main'), undefined, 'nothing committed');
    await assert.rejects(checkJoinable(t.repo, queue, job.id), { code: 'E_INVALID_ARGUMENT' });
    // Allowed errors: the job commits what it could and ends completed_with_errors.
    const lenient = await createIngestJob(t.repo, queue, writeConfig(t.root, base({ allowErrors: true })));
    const s2 = await runIngestWorker(t.repo, queue, lenient.id);
    assert.equal(s2.state, 'completed_with_errors');
    assert.ok(s2.commit);
  });
});

test('ingest: a tile of the wrong dtype fails; two creates of one config are two jobs; cancel forgets, join refuses', async () => {
  await withIngest(async (t, queue) => {
    await writePngStack(join(t.root, 'slices'), 64, 48, 2);
    const wrong = await createIngestJob(
      t.repo,
      queue,
      writeConfig(
        t.root,
        base({
          target: { column: 'w', dtype: 'uint8', chunk: [32, 32, 2] },
          extent: { x: [0, 32], y: [0, 16], z: [0, 2] },
          tile: [32, 16],
          plugin: { name: 'npy-slices', params: { root: 'npy' } },
        }),
      ),
    );
    mkdirSync(join(t.root, 'npy'));
    for (let z = 0; z < 2; z++)
      writeFileSync(
        join(t.root, 'npy', `${String(z).padStart(4, '0')}.npy`),
        Buffer.concat([encodeNpyHeader('float32', [16, 32]), Buffer.alloc(16 * 32 * 4)]),
      );
    const ws = await runIngestWorker(t.repo, queue, wrong.id);
    assert.equal(ws.state, 'failed');
    assert.match(ws.errors[0]!.message, /float32, expected 32 x 16 x 1 uint8/);

    const path = writeConfig(t.root, base({ extent: { x: [0, 64], y: [0, 48], z: [0, 2] } }));
    const a = await createIngestJob(t.repo, queue, path);
    const b = await createIngestJob(t.repo, queue, path);
    assert.notEqual(a.id, b.id);
    const cancelled = await cancelIngestJob(t.repo, queue, a.id);
    assert.equal(cancelled.state, 'cancelled');
    await assert.rejects(checkJoinable(t.repo, queue, a.id), { code: 'E_INVALID_ARGUMENT' });
    await assert.rejects(cancelIngestJob(t.repo, queue, a.id), { code: 'E_INVALID_ARGUMENT' });
    assert.equal((await runIngestWorker(t.repo, queue, b.id)).state, 'completed');
    assert.equal((await ingestStatus(t.repo, queue, a.id)).state, 'cancelled');
  });
});

test('ingest: a job whose branch changed the same chunks meanwhile fails with a clear message; other changes are kept', async () => {
  await withIngest(async (t, queue) => {
    await writePngStack(join(t.root, 'slices'), 64, 48, 2);
    await createVolume(t.repo, { name: 'em', dtype: 'uint8', size: [64, 48, 2], chunk: [32, 32, 2] });
    const cfg = base({ extent: { x: [0, 32], y: [0, 32], z: [0, 2] } });
    const job = await createIngestJob(t.repo, queue, writeConfig(t.root, cfg));
    await writeVolumeRegion(t.repo, 'em', {
      origin: { x: 40, y: 0, z: 0 },
      shape: [1, 1, 1],
      data: Uint8Array.of(9),
    });
    assert.equal(
      (await runIngestWorker(t.repo, queue, job.id)).state,
      'completed',
      'another chunk changed: applied on the tip',
    );
    const cut = await readCutout(t.repo, 'em', { x: [0, 64], y: [0, 1], z: [0, 1] });
    assert.equal(cut.bytes[40], 9);
    assert.equal(cut.bytes[3], voxel(3, 0, 0));
    const job2 = await createIngestJob(t.repo, queue, writeConfig(t.root, cfg));
    await writeVolumeRegion(t.repo, 'em', {
      origin: { x: 1, y: 1, z: 0 },
      shape: [1, 1, 1],
      data: Uint8Array.of(200),
    });
    const failed = await runIngestWorker(t.repo, queue, job2.id);
    assert.equal(failed.state, 'failed');
    assert.match(failed.error!, /column 'em' on branch 'main' changed 1 of the same chunks/);
    const after = await readCutout(t.repo, 'em', { x: [0, 2], y: [1, 2], z: [0, 1] });
    assert.equal(after.bytes[1], 200, 'nothing overwritten');
  });
});

test('ingest: gc while a job runs keeps the chunks its finished tasks wrote; after cancel they go', async () => {
  await withIngest(async (t, queue) => {
    await writePngStack(join(t.root, 'slices'), 64, 48, 4);
    const job = await createIngestJob(
      t.repo,
      queue,
      writeConfig(t.root, base({ extent: { x: [0, 64], y: [0, 48], z: [0, 4] } })),
    );
    // One task done by a worker that then stops (its process went away): the job is still running.
    const lease = await queue.lease({ workerId: 'w1', jobId: job.id });
    assert.ok(lease);
    const config = (await queue.getJob(job.id))!.config as unknown as IngestJobConfig;
    await runSlab(
      t.repo,
      job.id,
      config,
      await pluginFor(config),
      lease.payload as unknown as SlabPayload,
      undefined,
      'test-worker',
    );
    await queue.complete(lease);
    const before = await gc(t.repo, { dryRun: true });
    await gc(t.repo);
    assert.equal((await fsck(t.repo)).ok, true, 'the finished task keeps its chunks through gc');
    const status = await runIngestWorker(t.repo, queue, job.id);
    assert.equal(status.state, 'completed');
    const cut = await readCutout(t.repo, 'em', { x: [0, 64], y: [0, 48], z: [0, 4] });
    for (let z = 0; z < 4; z++)
      assert.deepEqual(cut.bytes.subarray(z * 64 * 48, (z + 1) * 64 * 48), slice(64, 48, z));
    assert.ok(before.reachable > 0);

    // A cancelled job's chunks lose their references: the next gc removes them. Its chunk is a
    // whole 512 x 512 x 16 of noise (4 MiB that does not compress: above the store's size for a
    // loose object), so the task's pack holds a big chunk too.
    mkdirSync(join(t.root, 'other'), { recursive: true });
    for (let z = 0; z < 16; z++)
      await writeGreyImage(
        join(t.root, 'other', `${String(z).padStart(4, '0')}.png`),
        512,
        512,
        randomBytes(512 * 512),
      );
    const other = await createIngestJob(
      t.repo,
      queue,
      writeConfig(
        t.root,
        base({
          target: { column: 'o', dtype: 'uint8', chunk: [512, 512, 16] },
          extent: { x: [0, 512], y: [0, 512], z: [0, 16] },
          tile: [512, 512],
          plugin: { name: 'image-stack', params: { root: 'other' } },
        }),
      ),
    );
    const l2 = (await queue.lease({ workerId: 'w2', jobId: other.id }))!;
    const packsDir = join(t.repo.root, '.strata', 'objects', 'packs');
    const packsBefore = new Set(readdirSync(packsDir));
    const c2 = (await queue.getJob(other.id))!.config as unknown as IngestJobConfig;
    await runSlab(
      t.repo,
      other.id,
      c2,
      await pluginFor(c2),
      l2.payload as unknown as SlabPayload,
      undefined,
      'test-worker',
    );
    assert.equal((await t.repo.catalog.listRefs(`${INGEST_REF_PREFIX}${other.id}/tasks/`)).length, 1);
    // The task's chunks and its record went into one pack: one file, one fsync.
    const taskPacks = readdirSync(packsDir).filter((name) => !packsBefore.has(name));
    assert.equal(taskPacks.length, 1, 'one pack per task');
    assert.deepEqual(readdirSync(join(t.repo.root, '.strata', 'objects', 'loose')), [], 'no loose chunk');
    await cancelIngestJob(t.repo, queue, other.id);
    assert.deepEqual(await t.repo.catalog.listRefs(`${INGEST_REF_PREFIX}${other.id}/tasks/`), []);
    const removed = await gc(t.repo);
    assert.ok(removed.removed > 0, 'the cancelled job left garbage for gc');
    assert.equal(existsSync(join(packsDir, taskPacks[0]!)), false, 'gc deleted the task pack');
    assert.equal((await fsck(t.repo)).ok, true);
  });
});
