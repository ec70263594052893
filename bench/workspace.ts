/**
 * The `workspace` benchmark: snapshots with results and external folders, and the history
 * report, through the library in fresh repositories under os.tmpdir() (removed at the end),
 * beside Data Workspaces 1.6.0's figures measured on this machine (issue 5).
 *
 *   results_10k        snapshot of 10,000 new 1 KiB files in a results resource: every file moved
 *                      into the snapshot's folder, hashed, stored and committed (3 rounds), and
 *                      once as a whole `strata snapshot` process
 *   local_10k_hashed   snapshot of a local folder elsewhere on disk with 10,000 1 KiB files, every
 *                      file hashed (fresh repository each round, so no stat cache helps; 3 rounds)
 *   history_1000       `report history` over 1,000 snapshots with 5 metrics each: in the library
 *                      (3 rounds) and as a whole `strata report history --json` process
 *
 * Every step is checked (files moved, files recorded, rows and metrics); a failed check makes
 * the run exit non-zero.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check, log } from './lib/check.js';
import { strata } from './lib/proc.js';
import { median, round } from './lib/stats.js';
import { allMet, atMost } from './lib/targets.js';

const N = 10_000;
const FILE_BYTES = 1024;
const ROUNDS = 3;
const SNAPSHOTS = 1_000;
const METRICS = ['accuracy', 'loss', 'f1', 'precision', 'recall'];

const API_URL = new URL('../src/api/index.js', import.meta.url).href;
type Api = typeof import('../src/api/index.js');

/** Data Workspaces 1.6.0 on this machine, 10,000 small files (issue 5). */
const DWS = {
  results_10k_s: 342,
  local_10k_hashed_s: '0.87-1.11',
  local_10k_size_only_s: '0.52-0.67',
  history_1000_s: null,
};

/** Writes `n` files of random bytes into `dir`, 100 per subfolder. */
function writeTree(dir: string, n: number): void {
  for (let i = 0; i < n; i++) {
    const sub = join(dir, `d${String(Math.floor(i / 100)).padStart(3, '0')}`);
    if (i % 100 === 0) mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `f${String(i).padStart(5, '0')}.bin`), randomBytes(FILE_BYTES));
  }
}

async function resultsRound(api: Api, base: string, r: number): Promise<number> {
  const root = join(base, `results-${r}`);
  const repo = await api.initRepository(root);
  try {
    await api.addResource(repo, { path: 'results', role: 'results', cwd: root, create: true });
    await api.setParam(repo, 'hostname', 'bench');
    writeTree(join(root, 'results'), N);
    writeFileSync(join(root, 'results/results.json'), JSON.stringify({ metrics: { accuracy: 0.9 } }));
    const started = performance.now();
    const s = await api.snapshot(repo, { message: 'results', tags: [`run-${r}`] });
    const seconds = (performance.now() - started) / 1000;
    check(s.resultsMoved === N + 1, `results_10k round ${r}: moved ${s.resultsMoved}`);
    check(s.changes === N + 1, `results_10k round ${r}: ${s.changes} changes`);
    check(
      readdirSync(join(root, 'results')).join() === 'snapshots',
      `results_10k round ${r}: files left behind`,
    );
    const tree = await api.readCommitTree(repo, s.id);
    check(tree.resources.results!.files === N + 1, `results_10k round ${r}: commit lacks files`);
    return seconds;
  } finally {
    await repo.close();
  }
}

/** The same snapshot as a whole `strata snapshot` process (node startup included). */
async function resultsCli(api: Api, base: string): Promise<number> {
  const root = join(base, 'results-cli');
  const repo = await api.initRepository(root);
  try {
    await api.addResource(repo, { path: 'results', role: 'results', cwd: root, create: true });
  } finally {
    await repo.close();
  }
  writeTree(join(root, 'results'), N);
  const run = await strata(root, ['snapshot', '-m', 'cli', '-t', 'cli', '--json']);
  const out = JSON.parse(run.stdout) as { results_moved: number };
  check(out.results_moved === N, `results_10k CLI: moved ${out.results_moved}`);
  return run.seconds;
}

async function localRound(api: Api, base: string, external: string, r: number): Promise<number> {
  const root = join(base, `local-${r}`);
  const repo = await api.initRepository(root);
  try {
    await api.addResource(repo, { type: 'local', path: external, role: 'source-data', name: 'ext' });
    const started = performance.now();
    const s = await api.snapshot(repo, { message: 'local' });
    const seconds = (performance.now() - started) / 1000;
    check(s.hashed === N, `local_10k_hashed round ${r}: hashed ${s.hashed}`);
    const tree = await api.readCommitTree(repo, s.id);
    check(tree.resources.ext!.files === N && tree.resources.ext!.content === 'hashed', `local round ${r}`);
    return seconds;
  } finally {
    await repo.close();
  }
}

async function history(api: Api, base: string) {
  const root = join(base, 'history');
  const repo = await api.initRepository(root);
  try {
    await api.addResource(repo, { path: 'results', role: 'results', cwd: root, create: true });
    const made = performance.now();
    for (let i = 0; i < SNAPSHOTS; i++) {
      const metrics = Object.fromEntries(METRICS.map((m, k) => [m, round(Math.sin(i + k) ** 2, 4)]));
      writeFileSync(join(root, 'results/results.json'), JSON.stringify({ metrics }));
      await api.snapshot(repo, { message: `run ${i}`, tags: [`run-${i}`] });
    }
    log(`history_1000: ${SNAPSHOTS} snapshots made in ${round((performance.now() - made) / 1000, 1)} s`);
    const times: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const started = performance.now();
      const report = await api.historyReport(repo, { baseline: 'run-0' });
      times.push((performance.now() - started) / 1000);
      check(report.rows.length === SNAPSHOTS, `history_1000: ${report.rows.length} rows`);
      check(report.columns.length === METRICS.length, `history_1000: columns ${report.columns.join()}`);
    }
    const cli = await strata(root, ['report', 'history', '--json']);
    const rows = JSON.parse(cli.stdout) as { metrics: Record<string, number> }[];
    check(rows.length === SNAPSHOTS && Object.keys(rows[0]!.metrics).length === 5, 'history_1000: CLI rows');
    return { library: median(times), runs: times, cli: cli.seconds };
  } finally {
    await repo.close();
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const api = (await import(API_URL)) as Api;
  const base = mkdtempSync(join(tmpdir(), 'strata-bench-workspace-'));
  try {
    const resultsRuns: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      resultsRuns.push(await resultsRound(api, base, r));
      log(`results_10k round ${r}: ${round(resultsRuns[r]!)} s`);
    }
    const resultsCliS = await resultsCli(api, base);
    log(`results_10k as a CLI process: ${round(resultsCliS)} s`);
    const external = join(base, 'external');
    writeTree(external, N);
    const localRuns: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      localRuns.push(await localRound(api, base, external, r));
      log(`local_10k_hashed round ${r}: ${round(localRuns[r]!)} s`);
    }
    const h = await history(api, base);
    log(`history_1000: ${round(h.library)} s in the library, ${round(h.cli)} s as a CLI process`);
    const targets = {
      results_10k: atMost(round(median(resultsRuns)), 1),
      local_10k_hashed: atMost(round(median(localRuns)), 0.5),
      history_1000: atMost(round(h.library), 0.3),
    };
    return {
      files: N,
      file_bytes: FILE_BYTES,
      measured: 'in the library (one process); median of 3 rounds',
      results_10k: {
        strata_s: targets.results_10k.value,
        runs_s: resultsRuns.map((v) => round(v)),
        cli_process_s: round(resultsCliS),
        dws_s: DWS.results_10k_s,
        target: targets.results_10k.target,
        met: targets.results_10k.met,
      },
      local_10k_hashed: {
        strata_s: targets.local_10k_hashed.value,
        runs_s: localRuns.map((v) => round(v)),
        dws_s: DWS.local_10k_hashed_s,
        dws_size_only_s: DWS.local_10k_size_only_s,
        target: targets.local_10k_hashed.target,
        met: targets.local_10k_hashed.met,
      },
      history_1000: {
        snapshots: SNAPSHOTS,
        metrics: METRICS.length,
        strata_s: targets.history_1000.value,
        runs_s: h.runs.map((v) => round(v)),
        cli_process_s: round(h.cli),
        dws_s: DWS.history_1000_s,
        target: targets.history_1000.target,
        met: targets.history_1000.met,
      },
      all_met: allMet(targets),
    };
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
