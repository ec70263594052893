/**
 * Benchmark runner: `npm run bench [-- NAME...]` runs the benchmarks whose name contains one of
 * the NAMEs (all without one), prints one JSON document to stdout (an array when several ran) and
 * writes each to bench/results/<name>.json. Progress goes to stderr.
 *
 * Exit codes: 0 ok (targets missed are reported in the JSON, not as failures), 1 a correctness
 * check failed or the arguments name no benchmark, 2 an unexpected error.
 *
 * Environment: BENCH_BIG_MB, BENCH_BIGFILE_MB (bigfile), BENCH_SKIP_GIT_BIG (repo), BENCH_CPU_PROF=DIR (profile every strata
 * process into DIR; summarise with `node dist/bench/profile.js DIR`), BENCH_STRATA_BIN (the CLI
 * entry to spawn; default package.json's bin, i.e. what users run).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { BenchCheckError, log } from './lib/check.js';
import { PROJECT_ROOT, RESULTS_DIR, STRATA_BIN_SHOWN, assertBuilt } from './lib/paths.js';
import { round } from './lib/stats.js';

interface Benchmark {
  readonly description: string;
  readonly run: () => Promise<Record<string, unknown>>;
}

const BENCHMARKS: Readonly<Record<string, Benchmark>> = {
  repo: {
    description: 'commit, status, restore as whole CLI processes, side by side with git',
    run: async () => (await import('./repo.js')).run(),
  },
  scale: {
    description:
      'folder versioning at 10^4 / 10^5 (10^6 with STRATA_BENCH_MILLION=1) x 1 KiB files: status, commit after 10, checkout of 1,000, beside git and node -e 0',
    run: async () => (await import('./scale.js')).run(),
  },
  bigfile: {
    description:
      'one 2 GiB file (BENCH_BIGFILE_MB): first commit vs cp+fsync, 1 MiB edit stored, restore; restic and borg',
    run: async () => (await import('./bigfile.js')).run(),
  },
  compute: {
    description: 'computed resources: first computes, cached fetches, 4 processes on one project',
    run: async () => (await import('./compute.js')).run(),
  },
  columns: {
    description:
      'tensor columns: 100,000 MNIST-like samples written, committed, read, randomly got, beside Lance, Zarr, h5py and numpy',
    run: async () => (await import('./columns.js')).run(),
  },
  'columns-status': {
    description: 'tensor columns: `column status` with 10^6 staged samples (BENCH_COLUMNS_STATUS_N)',
    run: async () => (await import('./columns-status.js')).run(),
  },
  workspace: {
    description:
      'workspaces: results moved and committed, an external folder hashed, history of 1,000 snapshots',
    run: async () => (await import('./workspace.js')).run(),
  },
  shared: {
    description:
      'shared deployment (PostgreSQL + S3 on loopback) beside the embedded one: commit 10,000 files, status, cached fetches',
    run: async () => (await import('./shared.js')).run(),
  },
  server: {
    description: 'strata serve: authenticated small GETs (autocannon, second process) and a 1 GiB download',
    run: async () => (await import('./server.js')).run(),
  },
  ingest: {
    description:
      'ingest jobs: 2048 x 2048 x 128 PNG stack, -p 1 and -p 2 against a sharp-decode floor; 512 x 512 x 16 cutout',
    run: async () => (await import('./ingest.js')).run(),
  },
  ui: {
    description:
      'web UI: Data tab in Chromium, navigation to first rows with 100,000 assets (BENCH_UI_ASSETS)',
    run: async () => (await import('./ui.js')).run(),
  },
  assets: {
    description: 'asset ingest: update 100,000 files in 10,000 sequences (names+stat, PNG traits, unchanged)',
    run: async () => (await import('./assets.js')).run(),
  },
  jobs: {
    description: 'jobs: tiny tasks/s through the JobQueue adapters, outcomes written to the catalog',
    run: async () => (await import('./jobs.js')).run(),
  },
  remote: {
    description: 'remotes: push 10,000 files vs git push, incremental push, column push, 2 GB push and clone',
    run: async () => (await import('./remote.js')).run(),
  },
};

function machine(): Record<string, unknown> {
  const list = cpus();
  return {
    cpus: list.length,
    cpu_model: list[0]?.model ?? null,
    memory_gb: round(totalmem() / 1024 ** 3, 1),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** Which source the numbers belong to (read-only git queries; null outside a git checkout). */
function source(): Record<string, unknown> {
  const gitOut = (args: string[]) =>
    execFileSync('git', args, {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  try {
    return {
      commit: gitOut(['rev-parse', 'HEAD']),
      src_modified: gitOut(['status', '--porcelain', '--', 'src']) !== '',
    };
  } catch {
    return { commit: null, src_modified: null };
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const names = Object.keys(BENCHMARKS).filter((n) => argv.length === 0 || argv.some((a) => n.includes(a)));
  if (names.length === 0) {
    log(`no benchmark matches ${argv.join(' ')}; there are: ${Object.keys(BENCHMARKS).join(', ')}`);
    return 1;
  }
  assertBuilt();
  mkdirSync(RESULTS_DIR, { recursive: true });
  const documents: Record<string, unknown>[] = [];
  for (const name of names) {
    log(`${name}: ${BENCHMARKS[name]!.description}`);
    const started = new Date();
    const loadBefore = loadavg()[0]!;
    let results: Record<string, unknown>;
    try {
      results = await BENCHMARKS[name]!.run();
    } catch (err) {
      if (err instanceof BenchCheckError) {
        log(`CHECK FAILED in benchmark '${name}': ${err.message}`);
        return 1;
      }
      log(`ERROR in benchmark '${name}': ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return 2;
    }
    const document = {
      benchmark: name,
      started_at: started.toISOString(),
      duration_s: round((Date.now() - started.getTime()) / 1000, 1),
      machine: {
        ...machine(),
        load_avg_1m: { before: round(loadBefore, 2), after: round(loadavg()[0]!, 2) },
      },
      source: { ...source(), cli: `node ${STRATA_BIN_SHOWN}` },
      ...(process.env.BENCH_CPU_PROF ? { profiled: 'timings inflated by BENCH_CPU_PROF' } : {}),
      results,
    };
    // A profiled run's timings are inflated: keep it away from the real results.
    const file = join(RESULTS_DIR, process.env.BENCH_CPU_PROF ? `${name}.profiled.json` : `${name}.json`);
    writeFileSync(file, JSON.stringify(document, null, 2) + '\n');
    log(`${name}: written to ${file}`);
    documents.push(document);
  }
  process.stdout.write(JSON.stringify(documents.length === 1 ? documents[0] : documents, null, 2) + '\n');
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
