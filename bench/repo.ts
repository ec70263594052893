/**
 * The `repo` benchmark: Strata's core verbs as whole processes (`node <package.json bin>`), side
 * by side with git on the same data, in a fresh folder under os.tmpdir() removed at the end.
 *
 *   commit_10k         10,000 new 4 KiB files in 100 folders: strata commit vs git add -A + commit
 *   status_clean       status with nothing changed (stat cache warm), median of 5
 *   commit_10_changed  10 files rewritten, then commit; median of 3 rounds
 *   big_file           BENCH_BIG_MB MiB (default 2048) file: commit time and peak RSS, restore
 *                      speed, and git add (skipped with BENCH_SKIP_GIT_BIG=1)
 *
 * `strata_version_s` (start-up floor) and `strata_tiny_repo_s` (the same verb on a one-file
 * repository) split each small-file time into fixed cost and the part that grows with the tree.
 *
 * Every step is checked (commit counts, clean status after commits, bytes identical after
 * restore); a failed check throws and makes the run exit non-zero.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { benchBigFile, bigFileMib } from './lib/big-file.js';
import { withTempRoot } from './lib/temp-root.js';
import { check, log } from './lib/check.js';
import { newestMtimeMs, sleep, treePaths, writeFiles } from './lib/files.js';
import { git, strata, syncDisks, type ProcessRun } from './lib/proc.js';
import { median, round } from './lib/stats.js';
import {
  checkGitClean,
  checkStrataClean,
  expectCommitted,
  expectGitClean,
  expectStrataClean,
} from './lib/strata-checks.js';

const FOLDERS = 100;
const FILES_PER_FOLDER = 100;
const FILE_SIZE = 4096;
const STATUS_RUNS = 5;
const CHANGED_ROUNDS = 3;
const CHANGED_FILES = 10;
/** The stat cache distrusts entries whose mtime is within 1 s of hashing; stay clear of it. */
const RACY_WAIT_MS = 1100;

const seconds = (runs: readonly ProcessRun[]) => runs.reduce((sum, r) => sum + r.seconds, 0);
const rounded = (values: readonly number[]) => values.map((v) => round(v));

/** Waits until every file written so far is more than RACY_WAIT_MS old. */
async function waitPastRacyWindow(root: string, paths: readonly string[]): Promise<void> {
  await sleep(newestMtimeMs(root, paths) + RACY_WAIT_MS - Date.now());
}

/** How many files an in-process `status` had to hash (0 when the stat cache vouches for all). */
async function filesHashedByStatus(repoDir: string): Promise<number> {
  const api = await import('../src/api/index.js');
  const repo = await api.openRepository(repoDir);
  try {
    let hashed = 0;
    await api.status(repo, { onHashed: (done) => (hashed = done) });
    return hashed;
  } finally {
    await repo.close();
  }
}

async function benchSmallFiles(root: string): Promise<Record<string, unknown>> {
  const sRepo = join(root, 'strata');
  const gRepo = join(root, 'git');
  const sData = join(sRepo, 'data');
  const gData = join(gRepo, 'data');
  mkdirSync(sData, { recursive: true });
  mkdirSync(gData, { recursive: true });
  await strata(sRepo, ['init']);
  await strata(sRepo, ['resource', 'add', 'data', '--role', 'source-data']);
  await git(gRepo, ['init', '-q']);
  // A one-file repository: its status and commit times are the fixed cost of a command, so that
  // the rest of the 10k-file times is what grows with the number of files.
  const tRepo = join(root, 'tiny');
  mkdirSync(join(tRepo, 'data'), { recursive: true });
  await strata(tRepo, ['init']);
  await strata(tRepo, ['resource', 'add', 'data', '--role', 'source-data']);
  writeFiles([join(tRepo, 'data')], ['one.bin'], FILE_SIZE);
  const tinyHead = expectCommitted(await strata(tRepo, ['commit', '-m', 'x', '--json']), 1, 'tiny repo');

  const paths = treePaths(FOLDERS, FILES_PER_FOLDER);
  log(`commit_10k: writing ${paths.length} files of ${FILE_SIZE} B into both repositories`);
  writeFiles([sData, gData], paths, FILE_SIZE);
  await syncDisks();

  // --- commit_10k
  log('commit_10k: git add -A && git commit');
  const gitFirst = [await git(gRepo, ['add', '-A']), await git(gRepo, ['commit', '-q', '-m', 'x'])];
  log('commit_10k: strata commit');
  const strataFirst = await strata(sRepo, ['commit', '-m', 'x', '--json'], { profileName: 'commit-10k' });
  let head = expectCommitted(strataFirst, paths.length, 'commit_10k');
  await checkStrataClean(sRepo, 'commit_10k', head);
  await checkGitClean(gRepo, 'commit_10k');
  const tracked = (await git(gRepo, ['ls-files'])).stdout.trim().split('\n').length;
  check(tracked === paths.length, `commit_10k: git tracks ${tracked} files, expected ${paths.length}`);
  const commit10kRatio = strataFirst.seconds / seconds(gitFirst);

  // --- status_clean
  log('status_clean: waiting out the racy window, then warming');
  await waitPastRacyWindow(sData, paths);
  expectStrataClean(
    await strata(sRepo, ['status', '--json'], { profileName: 'status-warm' }),
    'status warm-up',
  );
  expectGitClean(await git(gRepo, ['status', '--porcelain']), 'git status warm-up');
  expectStrataClean(await strata(tRepo, ['status', '--json']), 'tiny status warm-up');
  const floor: number[] = [];
  for (let i = 0; i < STATUS_RUNS; i++) floor.push((await strata(sRepo, ['--version'])).seconds);
  const sStatus: number[] = [];
  const gStatus: number[] = [];
  const tStatus: number[] = [];
  for (let i = 0; i < STATUS_RUNS; i++) {
    const t = await strata(tRepo, ['status', '--json'], { profileName: 'status-tiny' });
    expectStrataClean(t, `status_clean tiny repo run ${i + 1}`, tinyHead);
    tStatus.push(t.seconds);
    const s = await strata(sRepo, ['status', '--json'], { profileName: 'status-clean' });
    expectStrataClean(s, `status_clean run ${i + 1}`, head);
    sStatus.push(s.seconds);
    const g = await git(gRepo, ['status', '--porcelain']);
    expectGitClean(g, `status_clean git run ${i + 1}`);
    gStatus.push(g.seconds);
  }
  const rehashed = await filesHashedByStatus(sRepo);

  // --- commit_10_changed
  const sChanged: number[] = [];
  const gChanged: number[] = [];
  const tChanged: number[] = [];
  for (let r = 0; r < CHANGED_ROUNDS; r++) {
    await sleep(RACY_WAIT_MS);
    // Ten different files each round, spread over ten folders.
    const changed = Array.from({ length: CHANGED_FILES }, (_, i) => paths[i * 1000 + r + 1]!);
    log(`commit_10_changed: round ${r + 1}, rewriting ${changed.length} files`);
    writeFiles([sData, gData], changed, FILE_SIZE);
    writeFiles([join(tRepo, 'data')], ['one.bin'], FILE_SIZE);
    await syncDisks();
    const t = await strata(tRepo, ['commit', '-m', `round ${r + 1}`, '--json'], {
      profileName: 'commit-tiny',
    });
    expectCommitted(t, 1, `commit_10_changed tiny repo round ${r + 1}`);
    tChanged.push(t.seconds);
    const s = await strata(sRepo, ['commit', '-m', `round ${r + 1}`, '--json'], { profileName: 'commit-10' });
    head = expectCommitted(s, CHANGED_FILES, `commit_10_changed round ${r + 1}`);
    sChanged.push(s.seconds);
    const g = [await git(gRepo, ['add', '-A']), await git(gRepo, ['commit', '-q', '-m', `round ${r + 1}`])];
    gChanged.push(seconds(g));
    await checkStrataClean(sRepo, `commit_10_changed round ${r + 1}`, head);
    await checkGitClean(gRepo, `commit_10_changed round ${r + 1}`);
  }

  const statusMedian = median(sStatus);
  const changedMedian = median(sChanged);
  return {
    commit_10k: {
      files: paths.length,
      file_bytes: FILE_SIZE,
      strata_s: round(strataFirst.seconds),
      git_s: round(seconds(gitFirst)),
      git_add_s: round(gitFirst[0]!.seconds),
      git_commit_s: round(gitFirst[1]!.seconds),
      ratio: round(commit10kRatio),
      target: 'ratio <= 0.3',
      met: commit10kRatio <= 0.3,
    },
    status_clean: {
      strata_s: round(statusMedian),
      git_s: round(median(gStatus)),
      strata_runs_s: rounded(sStatus),
      git_runs_s: rounded(gStatus),
      strata_version_s: round(median(floor)),
      strata_tiny_repo_s: round(median(tStatus)),
      files_rehashed: rehashed,
      target: 'strata_s <= 0.15',
      met: statusMedian <= 0.15,
    },
    commit_10_changed: {
      strata_s: round(changedMedian),
      git_s: round(median(gChanged)),
      strata_runs_s: rounded(sChanged),
      git_runs_s: rounded(gChanged),
      strata_tiny_repo_s: round(median(tChanged)),
      target: 'strata_s <= 0.2',
      met: changedMedian <= 0.2,
    },
  };
}

export async function run(): Promise<Record<string, unknown>> {
  bigFileMib(); // a bad BENCH_BIG_MB fails now, not after the small-file part
  return withTempRoot('strata-bench-repo-', async (root) => {
    const small = await benchSmallFiles(join(root, 'small'));
    rmSync(join(root, 'small'), { recursive: true, force: true });
    const big = await benchBigFile(join(root, 'big'));
    return { ...small, big_file: big };
  });
}
