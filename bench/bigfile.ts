/**
 * The `bigfile` benchmark: one big random file (BENCH_BIGFILE_MB MiB, default 2048) versioned by
 * Strata, restic and borg in the same run, in a fresh folder under os.tmpdir() removed at the end.
 *
 *   first commit     `strata commit` of the file, against a `cp` + fsync floor (dd conv=fsync)
 *   edit             1 MiB of new random bytes written over the middle of the file
 *   second commit    time and bytes the store grew by (content-defined chunks: only those near
 *                    the edit are new)
 *   restore          the file deleted and `strata restore`d (bytes checked), against the floor
 *   restic, borg     `restic backup` and `borg create` (-e none) of the same two versions: time and
 *                    bytes their repositories grew by
 *
 * Every step is checked (commit counts, identical bytes after restore); peak RSS of each Strata
 * process is measured with GNU time.
 */
import { mkdirSync, openSync, closeSync, readdirSync, lstatSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { BenchCheckError, check, log } from './lib/check.js';
import { sha256File, writeRandomFile } from './lib/files.js';
import { runProcess, strata, syncDisks, type ProcessRun } from './lib/proc.js';
import { round } from './lib/stats.js';
import { expectCommitted, parseJson } from './lib/strata-checks.js';
import { allMet, atLeast, atMost } from './lib/targets.js';
import { withTempRoot } from './lib/temp-root.js';

const MIB = 1024 * 1024;

function fileMib(): number {
  const raw = process.env.BENCH_BIGFILE_MB ?? '2048';
  const mib = Number(raw);
  if (!Number.isInteger(mib) || mib < 8)
    throw new BenchCheckError(`BENCH_BIGFILE_MB must be an integer of at least 8, got '${raw}'`);
  return mib;
}

/** Bytes of every regular file under `dir` (what a repository occupies, before block rounding). */
function treeBytes(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const st = lstatSync(join(dir, name));
    total += st.isDirectory() ? treeBytes(join(dir, name)) : st.isFile() ? st.size : 0;
  }
  return total;
}

/** Overwrites 1 MiB in the middle of `path` with new random bytes. */
function editMiddle(path: string, size: number): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, randomBytes(MIB), 0, MIB, Math.floor(size / 2));
  } finally {
    closeSync(fd);
  }
}

const PEER_ENV = {
  ...process.env,
  RESTIC_PASSWORD: 'bench',
  BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK: 'yes',
  BORG_RELOCATED_REPO_ACCESS_IS_OK: 'yes',
};

/** A peer tool's backup of `data/` into its repository: time and bytes the repository grew by. */
async function peerBackup(
  repoDir: string,
  command: string,
  args: readonly string[],
  cwd: string,
): Promise<{ seconds: number; added_bytes: number }> {
  const before = treeBytes(repoDir);
  const run = await runProcess(command, args, { cwd, env: PEER_ENV });
  return { seconds: round(run.seconds), added_bytes: treeBytes(repoDir) - before };
}

export async function run(): Promise<Record<string, unknown>> {
  const mib = fileMib();
  const size = mib * MIB;
  return withTempRoot('strata-bench-bigfile-', async (root) => {
    const dir = join(root, 'repo');
    mkdirSync(join(dir, 'data'), { recursive: true });
    await strata(dir, ['init']);
    await strata(dir, ['resource', 'add', 'data', '--role', 'source-data']);
    const big = join(dir, 'data', 'big.bin');
    const objects = join(dir, '.strata', 'objects');
    log(`bigfile: writing ${mib} MiB of random bytes`);
    writeRandomFile(big, mib);
    await syncDisks();

    log('bigfile: strata commit (first)');
    let before = treeBytes(objects);
    const first = await strata(dir, ['commit', '-m', 'v1', '--json'], { rss: true, profileName: 'commit-1' });
    expectCommitted(first, 1, 'bigfile first commit');
    const firstBytes = treeBytes(objects) - before;

    // The floor for what a commit must do at least (read the file, write a copy, fsync it), taken
    // under the same conditions, right after the commit.
    log('bigfile: reference copy (dd conv=fsync)');
    const copyPath = join(root, 'copy.bin');
    const floor = await runProcess('dd', [`if=${big}`, `of=${copyPath}`, 'bs=4M', 'conv=fsync'], {
      cwd: root,
    });
    rmSync(copyPath);
    await syncDisks();

    const peers = join(root, 'peers');
    mkdirSync(peers);
    const resticRepo = join(peers, 'restic');
    const borgRepo = join(peers, 'borg');
    await runProcess('restic', ['init', '--repo', resticRepo], { cwd: dir, env: PEER_ENV });
    await runProcess('borg', ['init', '-e', 'none', borgRepo], { cwd: dir, env: PEER_ENV });
    log('bigfile: restic backup, borg create (first)');
    const resticFirst = await peerBackup(
      resticRepo,
      'restic',
      ['--repo', resticRepo, 'backup', '-q', 'data'],
      dir,
    );
    await syncDisks();
    const borgFirst = await peerBackup(borgRepo, 'borg', ['create', `${borgRepo}::v1`, 'data'], dir);
    await syncDisks();

    log('bigfile: 1 MiB edited in the middle; strata commit (second)');
    editMiddle(big, size);
    const edited = sha256File(big);
    await syncDisks();
    before = treeBytes(objects);
    const second = await strata(dir, ['commit', '-m', 'v2', '--json'], {
      rss: true,
      profileName: 'commit-2',
    });
    expectCommitted(second, 1, 'bigfile second commit');
    const secondBytes = treeBytes(objects) - before;
    log('bigfile: restic backup, borg create (second)');
    const resticSecond = await peerBackup(
      resticRepo,
      'restic',
      ['--repo', resticRepo, 'backup', '-q', 'data'],
      dir,
    );
    const borgSecond = await peerBackup(borgRepo, 'borg', ['create', `${borgRepo}::v2`, 'data'], dir);

    log('bigfile: strata restore');
    rmSync(big);
    await syncDisks();
    const restore = await strata(dir, ['restore', 'data/big.bin', '--json'], {
      rss: true,
      profileName: 'restore',
    });
    const restored = parseJson<{ updated?: number }>(restore, 'strata restore');
    check(restored.updated === 1, `bigfile restore: ${restored.updated} files restored, expected 1`);
    const back = sha256File(big);
    check(
      back.size === size && back.sha256 === edited.sha256,
      `bigfile restore: data/big.bin came back as ${back.size} bytes, sha256 ${back.sha256}; expected ${size}, ${edited.sha256}`,
    );

    const runs: ProcessRun[] = [first, second, restore];
    const peakRss = Math.max(...runs.map((r) => r.peakRssMb!));
    const commitVsFloor = first.seconds / floor.seconds;
    const restoreSpeedVsFloor = floor.seconds / restore.seconds;
    const targets = {
      first_commit_vs_floor: atMost(round(commitVsFloor, 2), 1.5),
      second_commit_new_mib: atMost(round(secondBytes / MIB, 2), 4),
      restore_speed_vs_floor: atLeast(round(restoreSpeedVsFloor, 2), 0.7),
      peak_rss_mb: atMost(round(peakRss, 1), 150),
    };
    return {
      size_mb: mib,
      copy_floor_s: round(floor.seconds),
      strata: {
        first_commit_s: round(first.seconds),
        first_commit_stored_mib: round(firstBytes / MIB, 1),
        second_commit_s: round(second.seconds),
        second_commit_new_bytes: secondBytes,
        restore_s: round(restore.seconds),
        peak_rss_mb: {
          first_commit: first.peakRssMb,
          second_commit: second.peakRssMb,
          restore: restore.peakRssMb,
        },
      },
      restic: { first: resticFirst, second: resticSecond },
      borg: { first: borgFirst, second: borgSecond },
      ratios: {
        first_commit_vs_floor: round(commitVsFloor, 2),
        restore_speed_vs_floor: round(restoreSpeedVsFloor, 2),
        first_commit_vs_restic: round(first.seconds / resticFirst.seconds, 2),
        first_commit_vs_borg: round(first.seconds / borgFirst.seconds, 2),
        second_new_bytes_vs_restic: round(secondBytes / resticSecond.added_bytes, 2),
        second_new_bytes_vs_borg: round(secondBytes / borgSecond.added_bytes, 2),
      },
      target:
        'first_commit_vs_floor <= 1.5 && second_commit_new_mib <= 4 && restore_speed_vs_floor >= 0.7 && peak_rss_mb <= 150',
      met: allMet(targets),
      targets,
    };
  });
}
