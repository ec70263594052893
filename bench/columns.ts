/**
 * `npm run bench -- columns`: 100,000 MNIST-like uint8 samples of shape (784,) plus int64 labels,
 * the same .npy files given to Strata (library and CLI), Lance (@lancedb/lancedb), Zarr, h5py and
 * numpy (Debian's /usr/bin/python3) in the same run. Each Strata and Lance phase runs in its own
 * process (bench/lib/columns-child.ts) so that its peak RSS is its own. Prints every figure, the
 * ratios to the peers and the targets of issue 13.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeNpyHeader } from '../src/arrays/formats/npy.js';
import { openRepository, openCheckout, repositoryDiskUsage } from '../src/api/index.js';
import { log } from './lib/check.js';
import { runProcess, strata, type ProcessRun } from './lib/proc.js';
import { STRATA_BIN } from './lib/paths.js';
import { round, roundOrNull } from './lib/stats.js';
import { atMost, allMet } from './lib/targets.js';
import { withTempRoot } from './lib/temp-root.js';

const N = Number(process.env.BENCH_COLUMNS_N ?? 100_000);
const GETS = 10_000;
const WIDTH = 784;
const PYTHON = '/usr/bin/python3';
const CHILD = fileURLToPath(new URL('./lib/columns-child.js', import.meta.url));
const PEERS = fileURLToPath(new URL('../../bench/peers/columns_peers.py', import.meta.url));

/** MNIST-like data (mostly-zero borders, random strokes: what lz4 meets in practice) as .npy files. */
function writeData(folder: string): number {
  const images = Buffer.alloc(N * WIDTH);
  const noise = randomBytes(N * WIDTH);
  for (let i = 0; i < N * WIDTH; i++) if (i % 28 > 5 && i % 28 < 22 && noise[i]! > 120) images[i] = noise[i]!;
  const labels = new BigInt64Array(N);
  for (let i = 0; i < N; i++) labels[i] = BigInt(noise[i]! % 10);
  writeFileSync(join(folder, 'images.npy'), Buffer.concat([encodeNpyHeader('uint8', [N, WIDTH]), images]));
  writeFileSync(
    join(folder, 'labels.npy'),
    Buffer.concat([encodeNpyHeader('int64', [N]), Buffer.from(labels.buffer)]),
  );
  return images.byteLength + labels.byteLength;
}

async function child(
  mode: string,
  data: string,
  folder: string,
): Promise<{ run: ProcessRun; out: Record<string, number> }> {
  const run = await runProcess(process.execPath, [CHILD, mode, data, folder, String(GETS)], {
    cwd: data,
    rss: true,
    label: `columns ${mode}`,
  });
  return { run, out: JSON.parse(run.stdout) as Record<string, number> };
}

/** The CLI path: import both .npy files, then commit, as whole processes. */
async function cliImport(data: string, root: string): Promise<{ seconds: number; peakRssMb: number }> {
  let seconds = 0;
  let peak = 0;
  mkdirSync(root);
  const steps = [
    ['init'],
    ['column', 'import', 'images', join(data, 'images.npy'), '--create'],
    ['column', 'import', 'labels', join(data, 'labels.npy'), '--create'],
    ['commit', '-m', 'import'],
  ];
  for (const args of steps) {
    const run = await strata(root, args, { rss: true });
    seconds += run.seconds;
    peak = Math.max(peak, run.peakRssMb!);
  }
  return { seconds, peakRssMb: peak };
}

/** Seconds to commit 100 changed samples of the 100,000 (the O(changes) path). */
async function commit100(root: string): Promise<number> {
  const repo = await openRepository(root);
  const w = await openCheckout(repo, { write: true });
  const t = process.hrtime.bigint();
  const images = w.column('images');
  for (let i = 0; i < 100; i++) await images.set((i * 997) % N, new Uint8Array(WIDTH).fill(i));
  await w.commitChanges('100 changes');
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  await w.close();
  await repo.close();
  return s;
}

const ratio = (a: number | null | undefined, b: number | null | undefined) =>
  a == null || b == null || b === 0 ? null : round(a / b, 2);

export async function run(): Promise<Record<string, unknown>> {
  return withTempRoot('strata-bench-columns-', async (root) => {
    const rawBytes = writeData(root);
    const rawMb = rawBytes / 1e6;

    log(`columns: peers (numpy, Zarr, h5py) on ${N} samples`);
    const peersRun = existsSync(PYTHON)
      ? await runProcess(PYTHON, [PEERS, root, String(GETS)], { cwd: root, label: 'columns peers (python)' })
      : undefined;
    const py = peersRun ? (JSON.parse(peersRun.stdout) as Record<string, number>) : undefined;

    log('columns: Lance');
    const lanceWrite = await child('lance-write', root, join(root, 'lance'));
    const lanceRead = await child('lance-read', root, join(root, 'lance'));

    log('columns: Strata (library)');
    const repoRoot = join(root, 'repo');
    const sWrite = await child('strata-write', root, repoRoot);
    const sRead = await child('strata-read', root, repoRoot);
    const repo = await openRepository(repoRoot);
    const disk = repositoryDiskUsage(repo);
    await repo.close();
    const smallCommitS = await commit100(repoRoot);

    let cli: { seconds: number; peakRssMb: number } | undefined;
    if (existsSync(STRATA_BIN)) {
      log('columns: Strata (CLI import from .npy + commit)');
      cli = await cliImport(root, join(root, 'cli-repo'));
    } else log(`columns: ${STRATA_BIN} is not built: the CLI figure is left out`);

    const strataFigures = {
      write_commit_s: round(sWrite.out.write_commit_s!),
      write_peak_rss_mb: round(sWrite.run.peakRssMb!, 1),
      read_all_s: round(sRead.out.read_all_s!),
      gets_10k_warm_s: round(sRead.out.gets_s!, 4),
      get_many_10k_s: round(sRead.out.get_many_s!, 4),
      read_peak_rss_mb: round(sRead.run.peakRssMb!, 1),
      cli_import_commit_s: cli ? round(cli.seconds) : null,
      cli_peak_rss_mb: cli ? round(cli.peakRssMb, 1) : null,
      disk_mb: round(disk / 1e6, 1),
      commit_100_changes_s: round(smallCommitS, 4),
    };
    const peers = {
      lance: {
        write_s: round(lanceWrite.out.write_s!),
        read_all_s: round(lanceRead.out.read_all_s!),
        take_10k_s: round(lanceRead.out.take_s!, 4),
        write_peak_rss_mb: round(lanceWrite.run.peakRssMb!, 1),
      },
      python: py
        ? Object.fromEntries(Object.entries(py).map(([k, v]) => [k, typeof v === 'number' ? round(v, 4) : v]))
        : 'not run: /usr/bin/python3 is missing',
    };
    const zarrWrite = py?.zarr_write_s;
    const ratios = {
      write_vs_lance: ratio(strataFigures.write_commit_s, peers.lance.write_s),
      write_vs_zarr: ratio(strataFigures.write_commit_s, zarrWrite),
      cli_vs_np_load_plus_zarr_write: ratio(
        strataFigures.cli_import_commit_s,
        py ? py.np_load_s! + py.zarr_write_s! : null,
      ),
      read_all_vs_zarr: ratio(strataFigures.read_all_s, py?.zarr_read_all_s),
      gets_vs_numpy_memmap: ratio(strataFigures.gets_10k_warm_s, py?.numpy_memmap_gets_s),
      get_many_vs_lance_take: ratio(strataFigures.get_many_10k_s, peers.lance.take_10k_s),
      peak_rss_vs_raw: ratio(
        Math.max(strataFigures.write_peak_rss_mb, strataFigures.read_peak_rss_mb),
        rawMb,
      ),
    };
    const targets = {
      write_vs_lance: atMost(ratios.write_vs_lance, 1),
      write_vs_zarr: atMost(ratios.write_vs_zarr, 2),
      cli_vs_np_load_plus_zarr_write: atMost(ratios.cli_vs_np_load_plus_zarr_write, 3),
      read_all_vs_zarr: atMost(ratios.read_all_vs_zarr, 2),
      gets_vs_numpy_memmap: atMost(ratios.gets_vs_numpy_memmap, 3),
      get_many_vs_lance_take: atMost(ratios.get_many_vs_lance_take, 1),
      peak_rss_vs_raw: atMost(roundOrNull(ratios.peak_rss_vs_raw, 2), 2),
    };
    return {
      samples: N,
      raw_mb: round(rawMb, 1),
      strata: strataFigures,
      peers,
      ratios,
      targets,
      all_met: allMet(targets),
    };
  });
}
