import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeImages } from '../../api/index.js';
import { CLI_BIN, runCli } from '../test-support/run-cli.js';

const W = 64;
const H = 48;
const D = 6;
const voxel = (x: number, y: number, z: number) => (x * 7 + y * 13 + z * 29 + ((x * y) >> 3)) & 0xff;

function sliceBytes(z: number): Uint8Array {
  const out = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) out[y * W + x] = voxel(x, y, z);
  return out;
}

async function project(): Promise<{ root: string; done(): void }> {
  const root = mkdtempSync(join(tmpdir(), 'strata-ingest-cli-'));
  assert.equal(runCli(root, ['init']).code, 0);
  await writeImages(
    join(root, 'slices'),
    (async function* () {
      for (let z = 0; z < D; z++)
        yield { name: String(z).padStart(4, '0'), shape: [H, W], data: sliceBytes(z) };
    })(),
  );
  writeFileSync(
    join(root, 'ingest.yaml'),
    [
      'target: { column: em, dtype: uint8, chunk: [32, 32, 2], branch: main }',
      `extent: { x: [0, ${W}], y: [0, ${H}], z: [0, ${D}], t: [0, 1] }`,
      'tile: [32, 16]',
      'plugin: { name: image-stack, params: { root: slices, pattern: "{z:04d}.png" } }',
      'retries: 3',
      'message: ingest em slices',
      '',
    ].join('\n'),
  );
  return { root, done: () => rmSync(root, { recursive: true, force: true }) };
}

/** The voxels of a .npy file written by `column cutout --out`. */
function npyData(path: string): { shape: number[]; data: Buffer } {
  const bytes = readFileSync(path);
  const headerLength = bytes.readUInt16LE(8);
  const header = bytes.subarray(10, 10 + headerLength).toString('latin1');
  const shape = /'shape': \(([^)]*)\)/
    .exec(header)![1]!
    .split(',')
    .filter((s) => s.trim() !== '')
    .map(Number);
  return { shape, data: bytes.subarray(10 + headerLength) };
}

test('cli ingest: create with two workers, status, cutouts to .npy and PNGs; join of a finished job is refused', async () => {
  const p = await project();
  try {
    const created = runCli(p.root, ['ingest', 'create', 'ingest.yaml', '-p', '2', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const job = created.json<{
      id: string;
      state: string;
      tasks: { total: number; done: number };
      commit: string;
    }>();
    assert.equal(job.state, 'completed');
    assert.deepEqual([job.tasks.total, job.tasks.done], [3, 3]);
    const status = runCli(p.root, ['ingest', 'status', job.id, '--json']);
    assert.equal(status.json<{ state: string }>().state, 'completed');

    const cut = runCli(p.root, [
      'column',
      'cutout',
      'em',
      '--x',
      '8:40',
      '--y',
      '0:48',
      '--z',
      '1:4',
      '--out',
      'c.npy',
    ]);
    assert.equal(cut.code, 0, cut.stderr);
    const npy = npyData(join(p.root, 'c.npy'));
    assert.deepEqual(npy.shape, [3, 48, 32]);
    for (let z = 1; z < 4; z++)
      for (let y = 0; y < H; y++)
        for (let x = 8; x < 40; x++)
          assert.equal(npy.data[((z - 1) * 48 + y) * 32 + (x - 8)], voxel(x, y, z));
    const pngs = runCli(p.root, [
      'column',
      'cutout',
      'em',
      '--x',
      '0:64',
      '--y',
      '0:48',
      '--z',
      '2:4',
      '--out',
      'png/',
    ]);
    assert.equal(pngs.code, 0, pngs.stderr);
    assert.deepEqual(readdirSync(join(p.root, 'png')).sort(), ['z000002.png', 'z000003.png']);

    const join2 = runCli(p.root, ['ingest', 'join', job.id]);
    assert.equal(join2.code, 1);
    assert.match(join2.stderr, /has ended \(completed\); nothing to join/);
    assert.equal(join2.stderr.trim().split('\n').length, 1);
    const outside = runCli(p.root, ['column', 'cutout', 'em', '--x', '0:65', '--y', '0:1', '--z', '0:1']);
    assert.equal(outside.code, 1);
    assert.match(outside.stderr, /x range 0:65 is not inside the volume's 0:64/);
    assert.equal(runCli(p.root, ['fsck']).code, 0);
  } finally {
    p.done();
  }
});

test('cli ingest: a bad config is one line naming the key (exit 1); two creates are two jobs; cancel, then join is refused', async () => {
  const p = await project();
  try {
    writeFileSync(
      join(p.root, 'bad.json'),
      JSON.stringify({
        target: { column: 'em', dtype: 'uint8', chunk: [32, 32, 2] },
        extent: { x: [0, 64], y: [0, 48], z: [0, 2] },
        tile: [32, 'x'],
        plugin: { name: 'image-stack' },
      }),
    );
    const bad = runCli(p.root, ['ingest', 'create', 'bad.json']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /key 'tile\.1'/);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
    assert.doesNotMatch(bad.stderr, /at .*\.js/);

    const a = runCli(p.root, ['ingest', 'create', 'ingest.yaml', '-p', '0', '--detach', '--json']).json<{
      id: string;
    }>();
    const b = runCli(p.root, ['ingest', 'create', 'ingest.yaml', '-p', '0', '--detach', '--json']).json<{
      id: string;
    }>();
    assert.notEqual(a.id, b.id);
    assert.equal(runCli(p.root, ['ingest', 'cancel', a.id]).code, 0);
    assert.equal(
      runCli(p.root, ['ingest', 'status', a.id, '--json']).json<{ state: string }>().state,
      'cancelled',
    );
    const joined = runCli(p.root, ['ingest', 'join', a.id]);
    assert.equal(joined.code, 1);
    assert.match(joined.stderr, /has ended \(cancelled\)/);
    const again = runCli(p.root, ['ingest', 'cancel', a.id]);
    assert.equal(again.code, 1);
    assert.equal(runCli(p.root, ['ingest', 'join', b.id]).code, 0);
  } finally {
    p.done();
  }
});

test('cli ingest: kill -9 of a worker mid-job, then a join completes it; the volume equals the source', async () => {
  const p = await project();
  try {
    const { id } = runCli(p.root, ['ingest', 'create', 'ingest.yaml', '-p', '0', '--detach', '--json']).json<{
      id: string;
    }>();
    const env = { ...process.env, NO_COLOR: '1', STRATA_PROGRESS: 'lines', STRATA_INGEST_LEASE_MS: '1000' };
    const worker = spawn(process.execPath, [CLI_BIN, 'ingest', 'join', id], {
      cwd: p.root,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise((resolve) => worker.on('exit', resolve));
    // Killed once it has finished one of its three tasks: in the middle of the job, whatever the load.
    await new Promise<void>((resolve, reject) => {
      let text = '';
      worker.stderr!.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (/progress ingest 1\/3/.test(text)) resolve();
      });
      worker.on('exit', () => reject(new Error(`worker ended before the kill: ${text}`)));
    });
    worker.kill('SIGKILL');
    await exited;
    const mid = runCli(p.root, ['ingest', 'status', id, '--json']).json<{
      state: string;
      tasks: { done: number };
    }>();
    assert.equal(mid.state, 'running');
    assert.ok(mid.tasks.done >= 1 && mid.tasks.done < 3);
    const joined = runCli(p.root, ['ingest', 'join', id, '--json'], { STRATA_INGEST_LEASE_MS: '1000' });
    assert.equal(joined.code, 0, joined.stderr);
    assert.equal(joined.json<{ state: string }>().state, 'completed');
    runCli(p.root, [
      'column',
      'cutout',
      'em',
      '--x',
      '0:64',
      '--y',
      '0:48',
      '--z',
      '0:6',
      '--out',
      'all.npy',
    ]);
    const all = npyData(join(p.root, 'all.npy'));
    for (let z = 0; z < D; z++)
      assert.deepEqual(
        new Uint8Array(all.data.subarray(z * W * H, (z + 1) * W * H)),
        sliceBytes(z),
        `slice ${z}`,
      );
    assert.equal(runCli(p.root, ['fsck']).code, 0);
  } finally {
    p.done();
  }
});
