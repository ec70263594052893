/**
 * Where a strata command's time goes, without touching src/: `node dist/bench/phases.js`.
 *
 * Builds a repository of 10,000 4 KiB files (as the `repo` benchmark does), then runs probe
 * processes that do what the CLI does (import the library, open the repository, run `status` or
 * `commit` of 10 changed files) with the repository's catalog, pack index, object store and object
 * writer methods wrapped in timers. Each probe prints its phases; this prints their medians over
 * the runs (BENCH_PHASE_RUNS, default 5) next to whole-process times of `node -e 0` and
 * `strata --version`. Times are inclusive: store.hasMany contains the index lookup it makes.
 *
 *   node dist/bench/phases.js            probe the first commit, then status and commit of 10
 *   node dist/bench/phases.js big [MiB]  probe the commit and the restore of one big file
 *   node dist/bench/phases.js --probe status|commit|restore DIR   one probe (internal)
 *
 * The probes import the unbundled library (dist/src/api), so their import_api_ms is not what the
 * bundled CLI pays; `strata_version_ms` (a whole `strata --version`) is the CLI's start-up floor.
 * Synchronous work (folder scan, map building) shows as the part of a verb's time outside the
 * wrapped calls; see it by function with BENCH_CPU_PROF and profile.js.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { check, log } from './lib/check.js';
import { newestMtimeMs, sha256File, sleep, treePaths, writeFiles, writeRandomFile } from './lib/files.js';
import { runProcess, strata, syncDisks } from './lib/proc.js';
import { median, round } from './lib/stats.js';
import { checkStrataClean } from './lib/strata-checks.js';

type Timings = Record<string, { ms: number; calls: number }>;

/** Replaces each named async method of `target` by one that adds its duration to `timings`. */
function instrument(target: object, label: string, methods: readonly string[], timings: Timings): void {
  const record = target as Record<string, unknown>;
  for (const method of methods) {
    const original = record[method];
    if (typeof original !== 'function') continue;
    record[method] = function (this: unknown, ...args: unknown[]) {
      const started = performance.now();
      const add = () => {
        const t = (timings[`${label}.${method}`] ??= { ms: 0, calls: 0 });
        t.ms += performance.now() - started;
        t.calls++;
      };
      const result = (original as (...a: unknown[]) => unknown).apply(this, args);
      if (result instanceof Promise) return result.finally(add);
      add();
      return result;
    };
  }
}

async function probe(kind: string, dir: string): Promise<void> {
  const phases: Record<string, number> = { bootstrap_ms: performance.now() };
  let gcMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMs += e.duration;
  });
  gc.observe({ entryTypes: ['gc'] });
  let t = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    phases[name] = now - t;
    t = now;
  };
  const api = await import('../src/api/index.js');
  lap('import_api_ms');
  const repo = await api.openRepository(dir);
  lap('open_repository_ms');
  const timings: Timings = {};
  instrument(
    repo.catalog,
    'catalog',
    [
      'getRef',
      'listResources',
      'loadScanStates',
      'saveScanStates',
      'loadStatCache',
      'updateStatCache',
      'acquireLocks',
      'releaseLocks',
      'updateRef',
      'setSymbolicRef',
    ],
    timings,
  );
  instrument(repo.catalog.packIndex, 'packIndex', ['lookup', 'add'], timings);
  instrument(repo.store, 'store', ['get', 'hasMany', 'readToFile'], timings);
  const createWriter = repo.store.createWriter.bind(repo.store);
  repo.store.createWriter = () => {
    const writer = createWriter();
    instrument(writer, 'writer', ['addFile', 'add', 'commit'], timings);
    return writer;
  };
  let extra: Record<string, unknown> = {};
  if (kind === 'restore') {
    extra = { changes: await api.restorePaths(repo, ['data/big.bin'], { cwd: dir }), hashed: 0 };
  } else if (kind === 'status') {
    let hashed = 0;
    const report = await api.status(repo, { onHashed: (done) => (hashed = done) });
    extra = { changes: report.changes.length, hashed };
  } else {
    const result = await api.commit(repo, { message: 'probe' });
    extra = { changes: result.changes, hashed: result.hashed };
  }
  lap(`${kind}_ms`);
  await repo.close();
  lap('close_ms');
  gc.disconnect();
  const io = Object.fromEntries(
    Object.entries(timings).map(([k, v]) => [k, { ms: round(v.ms, 1), calls: v.calls }]),
  );
  process.stdout.write(
    JSON.stringify({ phases, io, gc_ms: round(gcMs, 1), ...extra, end_ms: performance.now() }),
  );
}

interface ProbeOutput {
  phases: Record<string, number>;
  io: Timings;
  gc_ms: number;
  changes: number;
  hashed: number;
  end_ms: number;
}

async function runProbe(kind: string, dir: string): Promise<ProbeOutput & { process_ms: number }> {
  const self = fileURLToPath(import.meta.url);
  const run = await runProcess(process.execPath, [self, '--probe', kind, dir], { cwd: dir });
  const out = JSON.parse(run.stdout) as ProbeOutput;
  return { ...out, process_ms: run.seconds * 1000 };
}

/** Medians of every number across the probes, keyed like the probes' output. */
function summarize(runs: readonly (ProbeOutput & { process_ms: number })[]): Record<string, unknown> {
  const med = (pick: (r: ProbeOutput & { process_ms: number }) => number | undefined) =>
    round(median(runs.map((r) => pick(r) ?? 0)), 1);
  const phases = Object.fromEntries(Object.keys(runs[0]!.phases).map((k) => [k, med((r) => r.phases[k])]));
  const ioKeys = [...new Set(runs.flatMap((r) => Object.keys(r.io)))];
  const io = Object.fromEntries(
    ioKeys.map((k) => [k, { ms: med((r) => r.io[k]?.ms), calls: runs[0]!.io[k]?.calls ?? 0 }]),
  );
  return {
    process_ms: med((r) => r.process_ms),
    in_script_ms: med((r) => r.end_ms),
    exit_ms: med((r) => r.process_ms - r.end_ms),
    gc_ms: med((r) => r.gc_ms),
    phases,
    io_inclusive: io,
    hashed: runs.map((r) => r.hashed),
    changes: runs.map((r) => r.changes),
  };
}

/** `big [MiB]`: the commit of one big random file, then its restore, as instrumented probes. */
async function mainBig(mib: number): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'strata-bench-phases-'));
  try {
    mkdirSync(join(root, 'data'));
    await strata(root, ['init']);
    await strata(root, ['resource', 'add', 'data', '--role', 'source-data']);
    const big = join(root, 'data', 'big.bin');
    const sha256 = writeRandomFile(big, mib);
    await syncDisks();
    log(`probing the commit of a ${mib} MiB file`);
    const commit = await runProbe('commit', root);
    check(commit.changes === 1, `big commit recorded ${commit.changes} changes`);
    rmSync(big);
    await syncDisks();
    log('probing its restore');
    const restore = await runProbe('restore', root);
    check(sha256File(big).sha256 === sha256, 'the restored big file differs from the original');
    process.stdout.write(
      JSON.stringify({ size_mib: mib, commit: summarize([commit]), restore: summarize([restore]) }, null, 2) +
        '\n',
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const runs = Number(process.env.BENCH_PHASE_RUNS ?? 5);
  const root = mkdtempSync(join(tmpdir(), 'strata-bench-phases-'));
  try {
    const data = join(root, 'data');
    mkdirSync(data);
    await strata(root, ['init']);
    await strata(root, ['resource', 'add', 'data', '--role', 'source-data']);
    const paths = treePaths(100, 100);
    writeFiles([data], paths, 4096);
    await syncDisks();
    log('probing the first commit of 10,000 files');
    const first = await runProbe('commit', root);
    check(
      first.changes === paths.length,
      `first commit recorded ${first.changes} changes, not ${paths.length}`,
    );
    await sleep(newestMtimeMs(data, paths) + 1100 - Date.now());
    await checkStrataClean(root, 'phases warm-up');

    const nodeFloor: number[] = [];
    const version: number[] = [];
    for (let i = 0; i < runs; i++) {
      nodeFloor.push((await runProcess(process.execPath, ['-e', '0'], { cwd: root })).seconds * 1000);
      version.push((await strata(root, ['--version'])).seconds * 1000);
    }
    log('probing status');
    const status = [];
    for (let i = 0; i < runs; i++) status.push(await runProbe('status', root));
    check(
      status.every((s) => s.changes === 0 && s.hashed === 0),
      'status probes saw changes or hashed files',
    );
    log('probing commit of 10 changed files');
    const commits = [];
    for (let i = 0; i < runs; i++) {
      await sleep(1100);
      writeFiles(
        [data],
        Array.from({ length: 10 }, (_, k) => paths[k * 1000 + i + 1]!),
        4096,
      );
      commits.push(await runProbe('commit', root));
      check(
        commits[i]!.changes === 10,
        `commit probe ${i + 1} recorded ${commits[i]!.changes} changes, not 10`,
      );
    }
    process.stdout.write(
      JSON.stringify(
        {
          node_e_0_ms: round(median(nodeFloor), 1),
          strata_version_ms: round(median(version), 1),
          commit_10k: summarize([first]),
          status: summarize(status),
          commit_10_changed: summarize(commits),
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--probe') await probe(process.argv[3]!, process.argv[4]!);
else if (process.argv[2] === 'big') await mainBig(Number(process.argv[3] ?? 2048));
else await main();
