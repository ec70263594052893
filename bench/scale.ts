/**
 * The `scale` benchmark: folder versioning at 10^4 and 10^5 files (and 10^6 with
 * STRATA_BENCH_MILLION=1; it takes a long while), Strata beside git on the same tree in the same
 * run, plus `node -e 0` as the floor of any Node.js process. Files are 1 KiB, 100 per folder.
 *
 *   first_commit        every file new: strata commit vs git add -A + git commit
 *   status_clean        nothing changed (caches warm): median of 3
 *   commit_10_changed   10 files in 10 folders rewritten, then commit: median of 3 rounds
 *   checkout_1000       switch to a branch differing in 1,000 files (100 per folder): median of 2
 *                       switches each way, vs git checkout
 *
 * Every Strata and git command runs under GNU time for its peak RSS. Targets (issue 13):
 * 10^4: status <= 2 x node, commit after 10 <= 3 x node, checkout <= 1 x git; 10^6: commit after
 * 10 <= 0.75 x git, status <= 1 x git, first commit <= 1 x git, peak RSS <= 300 MB. 10^5 is
 * measured to show how each command grows with the tree (no target of its own).
 * BENCH_SCALE_SIZES=N,N,... replaces the list of sizes (e.g. for a quick look).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { check, log } from './lib/check.js';
import { newestMtimeMs, sleep, treePaths, writeFiles } from './lib/files.js';
import { git, runProcess, strata, syncDisks, type ProcessRun } from './lib/proc.js';
import { median, round } from './lib/stats.js';
import {
  checkGitClean,
  checkStrataClean,
  expectCommitted,
  expectGitClean,
  expectStrataClean,
} from './lib/strata-checks.js';
import { allMet, atMost, type Target } from './lib/targets.js';
import { withTempRoot } from './lib/temp-root.js';

const FILE_SIZE = 1024;
const PER_FOLDER = 100;
const STATUS_RUNS = 3;
const CHANGED_ROUNDS = 3;
const CHANGED_FILES = 10;
const CHECKOUT_FILES = 1000;
const FLOOR_RUNS = 5;
/** The stat cache distrusts entries whose mtime is within 1 s of hashing; stay clear of it. */
const RACY_WAIT_MS = 1100;

function sizes(): number[] {
  const listed = process.env.BENCH_SCALE_SIZES;
  if (listed) {
    const parsed = listed.split(',').map((s) => Number(s.trim()));
    check(
      parsed.every((n) => Number.isInteger(n) && n >= CHECKOUT_FILES && n % PER_FOLDER === 0),
      `BENCH_SCALE_SIZES must list multiples of ${PER_FOLDER} of at least ${CHECKOUT_FILES}: '${listed}'`,
    );
    return parsed;
  }
  return process.env.STRATA_BENCH_MILLION === '1' ? [10_000, 100_000, 1_000_000] : [10_000, 100_000];
}

/** Seconds and peak RSS of a median run (the run with the median time). */
interface Figure {
  readonly s: number;
  readonly rss_mb: number | null;
  readonly runs_s: number[];
}

function figure(runs: readonly { seconds: number; rss: number | null }[]): Figure {
  const s = median(runs.map((r) => r.seconds));
  const rss = runs.map((r) => r.rss).filter((r): r is number => r !== null);
  return {
    s: round(s),
    rss_mb: rss.length > 0 ? round(Math.max(...rss), 1) : null,
    runs_s: runs.map((r) => round(r.seconds)),
  };
}

const one = (run: ProcessRun) => ({ seconds: run.seconds, rss: run.peakRssMb });
const sum = (runs: readonly ProcessRun[]) => ({
  seconds: runs.reduce((t, r) => t + r.seconds, 0),
  rss: Math.max(...runs.map((r) => r.peakRssMb ?? 0)),
});

async function nodeFloor(cwd: string): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < FLOOR_RUNS; i++)
    runs.push((await runProcess(process.execPath, ['-e', '0'], { cwd })).seconds);
  return median(runs);
}

async function waitPastRacyWindow(root: string, paths: readonly string[]): Promise<void> {
  await sleep(newestMtimeMs(root, paths) + RACY_WAIT_MS - Date.now());
}

async function benchSize(root: string, n: number): Promise<Record<string, unknown>> {
  const sRepo = join(root, 'strata');
  const gRepo = join(root, 'git');
  const sData = join(sRepo, 'data');
  const gData = join(gRepo, 'data');
  mkdirSync(sData, { recursive: true });
  mkdirSync(gData, { recursive: true });
  await strata(sRepo, ['init']);
  await strata(sRepo, ['resource', 'add', 'data', '--role', 'source-data']);
  await git(gRepo, ['init', '-q', '-b', 'main']);
  // No background gc or maintenance: it would run outside the timed commands and race the cleanup.
  await git(gRepo, ['config', 'gc.auto', '0']);
  await git(gRepo, ['config', 'maintenance.auto', 'false']);
  const paths = treePaths(n / PER_FOLDER, PER_FOLDER);
  log(`scale ${n}: writing ${n} files of ${FILE_SIZE} B into both repositories`);
  writeFiles([sData, gData], paths, FILE_SIZE);
  await syncDisks();

  log(`scale ${n}: first commit`);
  const gFirst = sum([
    await git(gRepo, ['add', '-A'], { rss: true }),
    await git(gRepo, ['commit', '-q', '-m', 'x'], { rss: true }),
  ]);
  const sFirstRun = await strata(sRepo, ['commit', '-m', 'x', '--json'], { rss: true, profileName: 'first' });
  let head = expectCommitted(sFirstRun, n, `scale ${n} first commit`);

  log(`scale ${n}: status with nothing changed`);
  await waitPastRacyWindow(sData, paths.slice(-PER_FOLDER));
  expectStrataClean(await strata(sRepo, ['status', '--json']), `scale ${n} status warm-up`, head);
  expectGitClean(await git(gRepo, ['status', '--porcelain']), `scale ${n} git status warm-up`);
  const sStatus: ProcessRun[] = [];
  const gStatus: ProcessRun[] = [];
  for (let i = 0; i < STATUS_RUNS; i++) {
    const s = await strata(sRepo, ['status', '--json'], { rss: true, profileName: 'status-clean' });
    expectStrataClean(s, `scale ${n} status run ${i + 1}`, head);
    sStatus.push(s);
    const g = await git(gRepo, ['status', '--porcelain'], { rss: true });
    expectGitClean(g, `scale ${n} git status run ${i + 1}`);
    gStatus.push(g);
  }

  const sChanged: ProcessRun[] = [];
  const gChanged: { seconds: number; rss: number }[] = [];
  const stride = Math.floor(n / CHANGED_FILES);
  for (let r = 0; r < CHANGED_ROUNDS; r++) {
    await sleep(RACY_WAIT_MS);
    const changed = Array.from({ length: CHANGED_FILES }, (_, i) => paths[i * stride + r + 1]!);
    log(`scale ${n}: commit after ${CHANGED_FILES} changes, round ${r + 1}`);
    writeFiles([sData, gData], changed, FILE_SIZE);
    await syncDisks();
    const s = await strata(sRepo, ['commit', '-m', `round ${r + 1}`, '--json'], {
      rss: true,
      profileName: 'commit-10',
    });
    head = expectCommitted(s, CHANGED_FILES, `scale ${n} commit after 10, round ${r + 1}`);
    sChanged.push(s);
    gChanged.push(
      sum([
        await git(gRepo, ['add', '-A'], { rss: true }),
        await git(gRepo, ['commit', '-q', '-m', `round ${r + 1}`], { rss: true }),
      ]),
    );
  }
  await checkStrataClean(sRepo, `scale ${n} after commits`, head);
  await checkGitClean(gRepo, `scale ${n} after commits`);

  // A branch differing in 1,000 files: the first 1,000 paths (ten folders) rewritten.
  log(`scale ${n}: branch differing in ${CHECKOUT_FILES} files`);
  await strata(sRepo, ['branch', 'other']);
  await strata(sRepo, ['checkout', 'other']);
  await git(gRepo, ['checkout', '-q', '-b', 'other']);
  const differing = paths.slice(0, CHECKOUT_FILES);
  await sleep(RACY_WAIT_MS);
  writeFiles([sData, gData], differing, FILE_SIZE);
  expectCommitted(await strata(sRepo, ['commit', '-m', 'other', '--json']), CHECKOUT_FILES, 'other branch');
  await git(gRepo, ['add', '-A']);
  await git(gRepo, ['commit', '-q', '-m', 'other']);
  await syncDisks();
  const sCheckout: ProcessRun[] = [];
  const gCheckout: ProcessRun[] = [];
  for (const target of ['main', 'other', 'main', 'other']) {
    sCheckout.push(await strata(sRepo, ['checkout', target], { rss: true, profileName: 'checkout' }));
    gCheckout.push(await git(gRepo, ['checkout', '-q', target], { rss: true }));
  }
  await checkStrataClean(sRepo, `scale ${n} after checkouts`);
  await checkGitClean(gRepo, `scale ${n} after checkouts`);

  const node = await nodeFloor(root);
  const version: number[] = [];
  for (let i = 0; i < FLOOR_RUNS; i++) version.push((await strata(sRepo, ['--version'])).seconds);

  const first = { strata: figure([one(sFirstRun)]), git: figure([gFirst]) };
  const status = { strata: figure(sStatus.map(one)), git: figure(gStatus.map(one)) };
  const commit10 = { strata: figure(sChanged.map(one)), git: figure(gChanged) };
  const checkout = { strata: figure(sCheckout.map(one)), git: figure(gCheckout.map(one)) };
  const peakRss = Math.max(...[first, status, commit10, checkout].map((f) => f.strata.rss_mb ?? 0));
  const targets: Record<string, Target> = {};
  if (n === 10_000) {
    targets.status_vs_node = atMost(round(status.strata.s / node), 2);
    targets.commit_10_vs_node = atMost(round(commit10.strata.s / node), 3);
    targets.checkout_vs_git = atMost(round(checkout.strata.s / checkout.git.s), 1);
  }
  if (n === 1_000_000) {
    targets.commit_10_vs_git = atMost(round(commit10.strata.s / commit10.git.s), 0.75);
    targets.status_vs_git = atMost(round(status.strata.s / status.git.s), 1);
    targets.first_commit_vs_git = atMost(round(first.strata.s / first.git.s), 1);
    targets.peak_rss_mb = atMost(round(peakRss, 1), 300);
  }
  return {
    files: n,
    node_e0_s: round(node),
    strata_version_s: round(median(version)),
    first_commit: { ...first, ratio_git: round(first.strata.s / first.git.s) },
    status_clean: {
      ...status,
      ratio_git: round(status.strata.s / status.git.s),
      ratio_node: round(status.strata.s / node),
    },
    commit_10_changed: {
      ...commit10,
      ratio_git: round(commit10.strata.s / commit10.git.s),
      ratio_node: round(commit10.strata.s / node),
    },
    checkout_1000: { ...checkout, ratio_git: round(checkout.strata.s / checkout.git.s) },
    strata_peak_rss_mb: round(peakRss, 1),
    targets,
    met: Object.keys(targets).length > 0 ? allMet(targets) : null,
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const list = sizes();
  const results: Record<string, unknown> = {};
  for (const n of list) {
    results[`files_${n}`] = await withTempRoot(`strata-bench-scale-${n}-`, (root) => benchSize(root, n));
    // Each size's figures as soon as they are known: a later size can take a long while.
    log(`scale ${n}: ${JSON.stringify(results[`files_${n}`])}`);
  }
  return results;
}
