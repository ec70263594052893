import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { benchmarksPage } from '../../../scripts/gen-bench-docs.js';
import { tempDir } from './project.js';

const run = (benchmark: string, startedAt: string, seconds: number, load: number) => ({
  benchmark,
  started_at: startedAt,
  duration_s: 12.5,
  machine: {
    cpus: 2,
    cpu_model: 'Test CPU',
    memory_gb: 8,
    node: 'v20.0.0',
    load_avg_1m: { before: load, after: load + 1 },
  },
  source: { commit: 'abcdef0123456789', src_modified: false },
  results: { commit_10k: { strata_s: seconds, git_s: 1.5 }, runs: [1, 2, 3] },
});

test('docs/benchmarks.md quotes the latest run of each benchmark, with its date, machine and load average', () => {
  const dir = join(tempDir('bench-docs'), 'results');
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'repo-old.json'),
    JSON.stringify(run('repo', '2026-01-01T00:00:00.000Z', 9.99, 0.5)),
  );
  writeFileSync(join(dir, 'repo.json'), JSON.stringify(run('repo', '2026-02-01T00:00:00.000Z', 0.71, 3.25)));
  writeFileSync(
    join(dir, 'repo.profiled.json'),
    JSON.stringify(run('repo', '2026-03-01T00:00:00.000Z', 5, 1)),
  );
  const page = benchmarksPage(dir);
  assert.match(page, /^## repo$/m);
  assert.ok(page.includes('2026-02-01T00:00:00.000Z'), 'the latest run');
  assert.ok(page.includes('| commit_10k.strata_s | 0.71 |'));
  assert.ok(
    !page.includes('9.99') && !page.includes('2026-03-01'),
    'neither the older run nor a profiled one',
  );
  assert.match(page, /load average \(1 min\): 3\.25 before, 4\.25 after/);
  assert.match(page, /2 CPUs \(Test CPU\)/);
});

test('docs/benchmarks.md says how to make figures when no run is recorded', () => {
  assert.match(benchmarksPage(join(tempDir('bench-docs'), 'none')), /No benchmark run is recorded yet/);
});
