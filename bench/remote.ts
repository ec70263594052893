/**
 * `npm run bench -- remote`: moving a repository between machines, over a path remote on this
 * disk, side by side with git in the same run.
 *
 *   push_10k          10,000 new 4 KiB files in 100 folders: `strata push` to a new path remote vs
 *                     `git push` of the same tree to a local bare repository (whole processes)
 *   incremental_push  10 files rewritten and committed, then pushed: the whole `strata push`
 *                     process and the transfer alone (in process, without node's start-up)
 *   column_push       100,000 MNIST-like samples (uint8 784 + int64 label) pushed: samples/s
 *   big_file          a BENCH_REMOTE_BIG_MB MiB (default 2048) random file pushed to a path remote,
 *                     then cloned: MB/s and peak RSS of each process; `wire`: the same pushed to
 *                     `strata serve` and cloned through it, with the server's peak RSS too
 *                     (remote-big-wire.ts; the clone is the 1 GB clone through a server)
 *   push_10k_wire     the same 10,000 files pushed to `strata serve` and to S3 (s3rver), and
 *                     cloned back from each (remote-wire.ts); the HTTP push against git's
 *
 * Every transfer is checked: heads equal on both sides, fsck clean, the big file's bytes identical.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { initRepository, openCheckout, openRepository, pushRemote } from '../src/api/index.js';
import { BenchCheckError, check, log } from './lib/check.js';
import { sha256File, treePaths, writeFiles, writeRandomFile } from './lib/files.js';
import { git, strata, syncDisks } from './lib/proc.js';
import { round } from './lib/stats.js';
import { parseJson } from './lib/strata-checks.js';
import { allMet, atLeast, atMost } from './lib/targets.js';
import { withTempRoot } from './lib/temp-root.js';
import { benchBigWire } from './remote-big-wire.js';
import { benchWire } from './remote-wire.js';

const FOLDERS = 100;
const FILES_PER_FOLDER = 100;
const FILE_SIZE = 4096;
const CHANGED = 10;
const SAMPLES = 100_000;

/**
 * `BENCH_REMOTE_SECTIONS=wire,column,big` runs the 10k-file push and the sections named; unset,
 * every section runs (`wire`: the same push over HTTP and S3, see remote-wire.ts).
 * `BENCH_REMOTE_SKIP_SMALL=1` leaves out the 10k-file push (to iterate on the big file alone).
 */
function section(name: 'wire' | 'column' | 'big'): boolean {
  const chosen = process.env.BENCH_REMOTE_SECTIONS;
  return chosen === undefined || chosen.split(',').includes(name);
}

function bigMib(): number {
  const mib = Number(process.env.BENCH_REMOTE_BIG_MB ?? '2048');
  if (!Number.isInteger(mib) || mib <= 0)
    throw new BenchCheckError('BENCH_REMOTE_BIG_MB must be a positive integer');
  return mib;
}

async function headOf(dir: string): Promise<string> {
  return parseJson<{ id: string }[]>(await strata(dir, ['log', '--json', 'main']), `log in ${dir}`)[0]!.id;
}

async function fsckClean(dir: string): Promise<void> {
  const report = parseJson<{ ok: boolean }>(await strata(dir, ['fsck', '--json']), `fsck in ${dir}`);
  check(report.ok, `fsck of ${dir} found problems`);
}

async function benchSmallFiles(root: string): Promise<Record<string, unknown>> {
  const sRepo = join(root, 'strata');
  const gRepo = join(root, 'git');
  mkdirSync(join(sRepo, 'data'), { recursive: true });
  mkdirSync(join(gRepo, 'data'), { recursive: true });
  await strata(sRepo, ['init']);
  await strata(sRepo, ['resource', 'add', 'data', '--role', 'source-data']);
  await git(gRepo, ['init', '-q', '-b', 'main']);
  const paths = treePaths(FOLDERS, FILES_PER_FOLDER);
  writeFiles([join(sRepo, 'data'), join(gRepo, 'data')], paths, FILE_SIZE);
  await strata(sRepo, ['commit', '-m', 'files']);
  await git(gRepo, ['add', '-A']);
  await git(gRepo, ['commit', '-q', '-m', 'files']);
  await strata(sRepo, ['remote', 'add', 'origin', join(root, 'strata-hub')]);
  await git(root, ['init', '-q', '--bare', 'git-hub.git']);
  await syncDisks();

  log('remote: strata push of 10,000 files');
  const sPush = await strata(sRepo, ['push', '--json']);
  log('remote: git push of the same tree');
  const gPush = await git(gRepo, ['push', '-q', join(root, 'git-hub.git'), 'main']);
  check((await headOf(join(root, 'strata-hub'))) === (await headOf(sRepo)), 'hub head after push');
  await fsckClean(join(root, 'strata-hub'));
  const wire = section('wire') ? await benchWire(root, sRepo, gPush.seconds) : undefined;

  log('remote: incremental push after 10 changed files');
  writeFiles([join(sRepo, 'data'), join(gRepo, 'data')], paths.slice(0, CHANGED), FILE_SIZE);
  await strata(sRepo, ['commit', '-m', 'ten']);
  await git(gRepo, ['commit', '-q', '-am', 'ten']);
  const sIncremental = await strata(sRepo, ['push', '--json']);
  const sent = parseJson<{ objects: number }>(sIncremental, 'incremental push');
  const gIncremental = await git(gRepo, ['push', '-q', join(root, 'git-hub.git'), 'main']);
  const version = await strata(sRepo, ['--version']);

  // The transfer alone, in process: another 10 files, then pushRemote through the library.
  writeFiles([join(sRepo, 'data')], paths.slice(CHANGED, 2 * CHANGED), FILE_SIZE);
  await strata(sRepo, ['commit', '-m', 'ten more']);
  const repo = await openRepository(sRepo);
  let inProcessS: number;
  try {
    const t = process.hrtime.bigint();
    await pushRemote(repo, 'origin');
    inProcessS = Number(process.hrtime.bigint() - t) / 1e9;
  } finally {
    await repo.close();
  }
  check((await headOf(join(root, 'strata-hub'))) === (await headOf(sRepo)), 'hub head after incremental');
  await fsckClean(join(root, 'strata-hub'));
  return {
    ...(wire ? { push_10k_wire: wire } : {}),
    push_10k: {
      strata_s: round(sPush.seconds),
      git_s: round(gPush.seconds),
      ratio_to_git: round(sPush.seconds / gPush.seconds),
      targets: { ratio_to_git: atMost(round(sPush.seconds / gPush.seconds), 0.5) },
    },
    incremental_push: {
      objects_sent: sent.objects,
      strata_process_s: round(sIncremental.seconds),
      strata_version_s: round(version.seconds),
      strata_transfer_in_process_s: round(inProcessS),
      git_s: round(gIncremental.seconds),
      targets: { strata_process_s: atMost(round(sIncremental.seconds), 0.2) },
    },
  };
}

async function benchColumn(root: string): Promise<Record<string, unknown>> {
  const dir = join(root, 'columns');
  const images = Buffer.alloc(SAMPLES * 784);
  const noise = randomBytes(SAMPLES * 784);
  for (let i = 0; i < SAMPLES * 784; i++)
    if (i % 28 > 5 && i % 28 < 22 && noise[i]! > 120) images[i] = noise[i]!;
  const labels = new BigInt64Array(SAMPLES);
  for (let i = 0; i < SAMPLES; i++) labels[i] = BigInt(noise[i]! % 10);
  const repo = await initRepository(dir);
  try {
    const w = await openCheckout(repo, { write: true });
    await w.bulk(async () => {
      const img = await w.createColumn({ name: 'images', dtype: 'uint8', shape: [784] });
      const lab = await w.createColumn({ name: 'labels', dtype: 'int64', shape: [1] });
      await img.setBatch({ start: 0 }, { dtype: 'uint8', shape: [784], count: SAMPLES, data: images });
      await lab.setBatch(
        { start: 0 },
        { dtype: 'int64', shape: [1], count: SAMPLES, data: new Uint8Array(labels.buffer) },
      );
    });
    await w.commitChanges('mnist-like');
    await w.close();
  } finally {
    await repo.close();
  }
  await strata(dir, ['remote', 'add', 'origin', join(root, 'columns-hub')]);
  await syncDisks();
  log('remote: push of a 100,000-sample column');
  const push = await strata(dir, ['push', '--json']);
  const sent = parseJson<{ bytes: number; objects: number }>(push, 'column push');
  check((await headOf(join(root, 'columns-hub'))) === (await headOf(dir)), 'column hub head');
  await fsckClean(join(root, 'columns-hub'));
  const rate = SAMPLES / push.seconds;
  return {
    samples: SAMPLES,
    objects: sent.objects,
    mb: round(sent.bytes / 1e6, 1),
    push_s: round(push.seconds),
    samples_per_s: Math.round(rate),
    hangar_samples_per_s: round(20_000 / 48, 0),
    targets: { samples_per_s: atLeast(Math.round(rate), 100_000) },
  };
}

async function benchBigFile(root: string): Promise<Record<string, unknown>> {
  const mib = bigMib();
  const dir = join(root, 'big');
  mkdirSync(join(dir, 'data'), { recursive: true });
  await strata(dir, ['init']);
  await strata(dir, ['resource', 'add', 'data', '--role', 'source-data']);
  log(`remote: writing a ${mib} MiB file`);
  const sha = writeRandomFile(join(dir, 'data', 'big.bin'), mib);
  await strata(dir, ['commit', '-m', 'big']);
  await strata(dir, ['remote', 'add', 'origin', join(root, 'big-hub')]);
  await syncDisks();
  log('remote: big file push');
  const push = await strata(dir, ['push', '--json'], { rss: true });
  rmSync(join(dir, 'data', 'big.bin'));
  await syncDisks();
  log('remote: big file clone');
  const clone = await strata(root, ['clone', join(root, 'big-hub'), 'big-clone', '--json'], { rss: true });
  const back = sha256File(join(root, 'big-clone', 'data', 'big.bin'));
  check(back.sha256 === sha, 'the cloned big file has other bytes');
  rmSync(join(root, 'big-clone'), { recursive: true, force: true });
  const mb = (mib * 1024 * 1024) / 1e6;
  const pushRate = round(mb / push.seconds, 0);
  const cloneRate = round(mb / clone.seconds, 0);
  const wire = section('wire') ? await benchBigWire(root, dir, sha, mb) : undefined;
  return {
    ...(wire ? { http: wire } : {}),
    mib,
    push_s: round(push.seconds),
    push_mb_per_s: pushRate,
    push_peak_rss_mb: round(push.peakRssMb ?? 0, 0),
    clone_s: round(clone.seconds),
    clone_mb_per_s: cloneRate,
    clone_peak_rss_mb: round(clone.peakRssMb ?? 0, 0),
    targets: {
      push_mb_per_s: atLeast(pushRate, 300),
      clone_mb_per_s: atLeast(cloneRate, 300),
      push_peak_rss_mb: atMost(round(push.peakRssMb ?? 0, 0), 200),
      clone_peak_rss_mb: atMost(round(clone.peakRssMb ?? 0, 0), 200),
      ...((wire?.targets as object | undefined) ?? {}),
    },
  };
}

export async function run(): Promise<Record<string, unknown>> {
  return withTempRoot('strata-bench-remote-', async (root) => {
    const small = process.env.BENCH_REMOTE_SKIP_SMALL === '1' ? undefined : await benchSmallFiles(root);
    const column = section('column') ? await benchColumn(root) : undefined;
    const big = section('big') ? await benchBigFile(root) : undefined;
    const targets = {
      ...((small?.push_10k as { targets?: object } | undefined)?.targets ?? {}),
      ...((small?.push_10k_wire as { targets?: object } | undefined)?.targets ?? {}),
      ...((small?.incremental_push as { targets?: object } | undefined)?.targets ?? {}),
      ...((column as { targets?: object } | undefined)?.targets ?? {}),
      ...((big as { targets?: object } | undefined)?.targets ?? {}),
    } as Parameters<typeof allMet>[0];
    return {
      ...(small ?? { small_files: 'skipped (BENCH_REMOTE_SKIP_SMALL=1)' }),
      ...(column ? { column_push: column } : {}),
      ...(big ? { big_file: big } : {}),
      ...(process.env.BENCH_REMOTE_SECTIONS ? { sections: process.env.BENCH_REMOTE_SECTIONS } : {}),
      all_targets_met: allMet(targets),
    };
  });
}
