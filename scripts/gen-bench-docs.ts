/**
 * `npm run docs:bench`: writes docs/benchmarks.md from the benchmark results in bench/results/
 * (what `npm run bench` writes), the latest run of each benchmark, with its date, machine and
 * load average. Figures are quoted nowhere else. `--check` exits 1 when the page is stale.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RESULTS = join(ROOT, 'bench', 'results');
const TARGET = join(ROOT, 'docs', 'benchmarks.md');

interface BenchDocument {
  readonly benchmark: string;
  readonly started_at: string;
  readonly duration_s?: number;
  readonly machine?: Record<string, unknown> & { load_avg_1m?: { before?: number; after?: number } };
  readonly source?: { commit?: string | null; src_modified?: boolean | null };
  readonly results: Record<string, unknown>;
}

/** The latest run of each benchmark among the result files (profiled runs left out). */
export function latestRuns(files: readonly { name: string; text: string }[]): BenchDocument[] {
  const latest = new Map<string, BenchDocument>();
  for (const { name, text } of files) {
    if (!name.endsWith('.json') || name.endsWith('.profiled.json')) continue;
    const docs = ([] as BenchDocument[]).concat(JSON.parse(text) as BenchDocument | BenchDocument[]);
    for (const doc of docs) {
      if (typeof doc?.benchmark !== 'string' || typeof doc.started_at !== 'string') continue;
      const seen = latest.get(doc.benchmark);
      if (!seen || seen.started_at < doc.started_at) latest.set(doc.benchmark, doc);
    }
  }
  return [...latest.values()].sort((a, b) => a.benchmark.localeCompare(b.benchmark));
}

/** `a.b.c → value` rows of a result object; arrays of plain values are joined. */
function flatten(value: unknown, prefix: string, rows: [string, string][]): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, rows);
  } else if (Array.isArray(value) && value.some((v) => v !== null && typeof v === 'object')) {
    value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, rows));
  } else {
    rows.push([prefix, Array.isArray(value) ? value.join(', ') : String(value)]);
  }
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** The page: one section per benchmark, its run's date, machine and load, then every figure. */
export function renderBenchmarks(runs: readonly BenchDocument[]): string {
  const out = [
    '# Benchmarks',
    '',
    '<!-- Generated from bench/results/*.json by `npm run docs:bench`; do not edit by hand. -->',
    '',
    '`npm run bench [-- NAME]` runs the benchmarks (whole CLI processes and library calls, side by side',
    'with the peer tool where one runs) and writes `bench/results/NAME.json`; `npm run docs:bench`',
    'turns the latest run of each into this page. Timings depend on the machine and its load, which',
    'each section records.',
    '',
  ];
  if (runs.length === 0)
    out.push('No benchmark run is recorded yet: run `npm run bench`, then `npm run docs:bench`.', '');
  for (const run of runs) {
    const m = run.machine ?? {};
    const load = m.load_avg_1m
      ? `${m.load_avg_1m.before ?? '?'} before, ${m.load_avg_1m.after ?? '?'} after`
      : 'not recorded';
    out.push(`## ${run.benchmark}`, '');
    out.push(
      `Run ${run.started_at}${run.duration_s !== undefined ? ` (${run.duration_s} s)` : ''}; machine: ` +
        `${m.cpus ?? '?'} CPUs (${m.cpu_model ?? '?'}), ${m.memory_gb ?? '?'} GB, Node ${m.node ?? '?'}; ` +
        `load average (1 min): ${load}; source ${run.source?.commit?.slice(0, 12) ?? 'unknown'}` +
        `${run.source?.src_modified ? ' (modified)' : ''}.`,
      '',
    );
    const rows: [string, string][] = [];
    flatten(run.results, '', rows);
    out.push(
      '| figure | value |',
      '| --- | --- |',
      ...rows.map(([k, v]) => `| ${cell(k)} | ${cell(v)} |`),
      '',
    );
  }
  return out.join('\n');
}

/** Reads bench/results/ (missing: no runs) and renders the page. */
export function benchmarksPage(resultsDir = RESULTS): string {
  const files = existsSync(resultsDir)
    ? readdirSync(resultsDir)
        .sort()
        .map((name) => ({ name, text: readFileSync(join(resultsDir, name), 'utf8') }))
    : [];
  return renderBenchmarks(latestRuns(files));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const page = benchmarksPage();
  if (process.argv.includes('--check')) {
    // `--check`: exit 1 when the page is stale instead of writing it (the tests run this).
    const current = existsSync(TARGET) ? readFileSync(TARGET, 'utf8') : '';
    if (current !== page) {
      console.error('docs/benchmarks.md is stale: run `npm run docs:bench`');
      process.exit(1);
    }
  } else {
    writeFileSync(TARGET, page);
    console.log(`wrote ${TARGET}`);
  }
}
