/**
 * `npm run bench -- ingest`: the Boss ingest workload. A 2048 × 2048 × 128 uint8 PNG stack
 * (512 MiB of voxels; BENCH_INGEST_DEPTH changes the depth) is ingested by `strata ingest create`
 * with the local queue, with `-p 1` and `-p 2`, against a floor measured in the same run: decoding
 * the same PNGs with sharp (one thread, as one worker does) and writing the raw bytes. The same
 * floor run by 2 processes (each decoding every other slice into its own file) shows what two
 * worker processes can gain on this machine at all, beside the `-p 2` / `-p 1` ratio. Then a warm
 * 512 × 512 × 16 cutout through the library.
 */
import { readFileSync } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import {
  createVolumeChunkCache,
  initRepository,
  openRepository,
  readCutout,
  writeImages,
} from '../src/api/index.js';
import { decodeRawImage, limitImageThreads } from '../src/arrays/image/decode-raw-image.js';
import { check, log } from './lib/check.js';
import { strata } from './lib/proc.js';
import { median, round } from './lib/stats.js';
import { allMet, atLeast, atMost } from './lib/targets.js';
import { withTempRoot } from './lib/temp-root.js';

const SIZE = 2048;
const DEPTH = Number(process.env.BENCH_INGEST_DEPTH ?? 128);
const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

/** A slice like EM data: smooth structure plus noise (PNG compresses it ~2:1, as real data). */
function slice(z: number): Uint8Array {
  const out = new Uint8Array(SIZE * SIZE);
  let seed = z * 2654435761;
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      out[y * SIZE + x] = (((x + z) >> 4) * 9 + ((y - z) >> 3) * 5 + ((seed >>> 24) & 0x1f)) & 0xff;
    }
  return out;
}

/**
 * CPU seconds (user + system) of this process's children that have ended, and of theirs (Linux
 * /proc: cutime + cstime, in clock ticks of 1/100 s): what a run costs whatever the machine's load.
 */
function childrenCpuS(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** CPU seconds of this process itself (every thread, libvips' too). */
const ownCpuS = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/** Decodes every `step`-th slice from `first` with sharp (one thread) and writes the raw bytes to `out`. */
async function decodeSlices(root: string, first: number, step: number, out: string): Promise<void> {
  await limitImageThreads(1);
  const file = await open(out, 'w');
  for (let z = first; z < DEPTH; z += step) {
    const image = await decodeRawImage(join(root, 'slices', `${String(z).padStart(4, '0')}.png`));
    await file.write(image.data);
  }
  await file.sync();
  await file.close();
}

/** The floor with `processes` processes at once (each a fresh Node running `decodeSlices`), in seconds. */
async function floorProcesses(root: string, processes: number): Promise<number> {
  const module = new URL('../src/arrays/image/decode-raw-image.js', import.meta.url).href;
  const code = `
    import { open } from 'node:fs/promises';
    import { decodeRawImage, limitImageThreads } from ${JSON.stringify(module)};
    const [root, first, step, depth, out] = process.argv.slice(1);
    await limitImageThreads(1);
    const file = await open(out, 'w');
    for (let z = Number(first); z < Number(depth); z += Number(step)) {
      const image = await decodeRawImage(root + '/slices/' + String(z).padStart(4, '0') + '.png');
      await file.write(image.data);
    }
    await file.sync();
    await file.close();`;
  const t = process.hrtime.bigint();
  const codes = await Promise.all(
    Array.from(
      { length: processes },
      (_, i) =>
        new Promise<number | null>((resolve) => {
          const args = ['--input-type=module', '-e', code, root, String(i), String(processes), String(DEPTH)];
          spawn(process.execPath, [...args, join(root, `floor-${processes}-${i}.raw`)], {
            stdio: 'inherit',
          }).on('exit', resolve);
        }),
    ),
  );
  check(
    codes.every((code) => code === 0),
    `floor processes exited with ${codes.join(', ')}`,
  );
  return seconds(t);
}

async function ingest(root: string, processes: number): Promise<{ s: number; mbps: number; cpu_s: number }> {
  const cpu = childrenCpuS();
  const t = process.hrtime.bigint();
  const run = await strata(root, [
    'ingest',
    'create',
    `ingest-p${processes}.json`,
    '-p',
    String(processes),
    '--json',
  ]);
  const s = seconds(t);
  const status = JSON.parse(run.stdout) as { state: string; bytesDone: number };
  check(status.state === 'completed', `ingest -p ${processes} ended ${status.state}`);
  return { s: round(s), mbps: round(status.bytesDone / 1e6 / s, 1), cpu_s: round(childrenCpuS() - cpu, 2) };
}

export async function run(): Promise<Record<string, unknown>> {
  return withTempRoot('strata-bench-ingest-', async (root) => {
    const bytes = SIZE * SIZE * DEPTH;
    log(`ingest: writing ${DEPTH} PNG slices of ${SIZE} x ${SIZE}`);
    await writeImages(
      join(root, 'slices'),
      (async function* () {
        for (let z = 0; z < DEPTH; z++)
          yield { name: String(z).padStart(4, '0'), shape: [SIZE, SIZE], data: slice(z) };
      })(),
    );

    log('ingest: floor (sharp decode, one thread, + raw write)');
    const floorCpu = ownCpuS();
    let t = process.hrtime.bigint();
    await decodeSlices(root, 0, 1, join(root, 'floor.raw'));
    const floorS = seconds(t);
    const floorCpuS = ownCpuS() - floorCpu;
    const floorMbps = round(bytes / 1e6 / floorS, 1);
    log('ingest: floor with 1 and 2 processes');
    const floorP1S = await floorProcesses(root, 1);
    const floorP2S = await floorProcesses(root, 2);

    const repo = await initRepository(join(root, 'repo'));
    await repo.close();
    for (const p of [1, 2]) {
      const config = {
        target: { column: `em${p}`, dtype: 'uint8', chunk: [512, 512, 16] },
        extent: { x: [0, SIZE], y: [0, SIZE], z: [0, DEPTH] },
        tile: [512, 512],
        plugin: { name: 'image-stack', params: { root: join(root, 'slices'), pattern: '{z:04d}.png' } },
        message: `bench -p ${p}`,
      };
      await writeFile(join(root, 'repo', `ingest-p${p}.json`), JSON.stringify(config));
    }
    log('ingest: -p 1');
    const p1 = await ingest(join(root, 'repo'), 1);
    log('ingest: -p 2');
    const p2 = await ingest(join(root, 'repo'), 2);

    log('ingest: cutouts');
    const reader = await openRepository(join(root, 'repo'));
    const times: number[] = [];
    // z 32:48 of the full stack; a shallower stack (BENCH_INGEST_DEPTH) cuts its first 16 slices.
    const cz0 = DEPTH >= 48 ? 32 : 0;
    const region = { x: [512, 1024], y: [1024, 1536], z: [cz0, cz0 + 16] } as const;
    // Warm: the process has read the region before and keeps decoded chunks (as a server would);
    // `uncached` reads and verifies every chunk from the store again each time.
    const cache = createVolumeChunkCache();
    const uncached: number[] = [];
    try {
      for (let i = 0; i < 4; i++) {
        t = process.hrtime.bigint();
        await readCutout(reader, 'em1', region);
        uncached.push(seconds(t) * 1000);
      }
      for (let i = 0; i < 6; i++) {
        t = process.hrtime.bigint();
        const cut = await readCutout(reader, 'em1', region, { cache });
        times.push(seconds(t) * 1000);
        if (i === 0) {
          const want = slice(cz0);
          check(cut.bytes[0] === want[1024 * SIZE + 512], 'cutout voxel differs from the source');
          check(cut.bytes.byteLength === 512 * 512 * 16, 'cutout size');
        }
      }
    } finally {
      await reader.close();
    }
    const cutoutWarmMs = round(median(times.slice(1)), 1);
    const targets = {
      p1_vs_floor: atLeast(round(p1.mbps / floorMbps, 2), 0.7),
      p2_vs_p1: atLeast(round(p2.mbps / p1.mbps, 2), 1.5),
      cutout_warm_ms: atMost(cutoutWarmMs, 50),
    };
    return {
      benchmark: 'ingest',
      volume: {
        x: SIZE,
        y: SIZE,
        z: DEPTH,
        dtype: 'uint8',
        mib: bytes / 2 ** 20,
        chunk: [512, 512, 16],
        tile: [512, 512],
      },
      floor: {
        s: round(floorS),
        mbps: floorMbps,
        cpu_s: round(floorCpuS, 2),
        what: 'sharp PNG decode (1 thread) + raw write, same run',
      },
      // CPU seconds do not depend on the load as wall time does: floor / ingest is the share of
      // the ingest's work that the floor does too (decode and write), the rest is its own.
      cpu_floor_vs_p1: round(floorCpuS / p1.cpu_s, 2),
      floor_processes: {
        p1_s: round(floorP1S),
        p2_s: round(floorP2S),
        p2_vs_p1: round(floorP1S / floorP2S, 2),
        what: 'the floor in 1 and in 2 fresh processes (each decodes every other slice): what 2 processes gain here',
      },
      ingest_p1: p1,
      ingest_p2: p2,
      cutout_512x512x16_ms: {
        first: round(uncached[0]!, 1),
        store_read_median: round(median(uncached.slice(1)), 1),
        warm_median: cutoutWarmMs,
      },
      targets,
      all_targets_met: allMet(targets),
    };
  });
}
