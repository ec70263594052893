import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../test-support/run-cli.js';

const ASSET_COMMANDS = ['parse', 'update', 'search', 'graph', 'create', 'export', 'delete', 'workflow'];

test('every assets command takes --json; assets graph --json prints the tree', () => {
  const listed = runCli(tmpdir(), ['assets', '--help']).stdout;
  for (const name of ASSET_COMMANDS) {
    assert.match(listed, new RegExp(`\\b${name}\\b`), `assets ${name} is listed`);
    assert.match(runCli(tmpdir(), ['assets', name, '--help']).stdout, /--json/, `assets ${name} has --json`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'strata-assets-json-'));
  try {
    assert.equal(runCli(dir, ['init']).code, 0);
    mkdirSync(join(dir, 'ingress/p-demo1_s-txt001_d-walk_v001'), { recursive: true });
    writeFileSync(
      join(dir, 'ingress/p-demo1_s-txt001_d-walk_v001/p-demo1_s-txt001_d-walk_v001_f0001.txt'),
      'x',
    );
    writeFileSync(
      join(dir, 'strata-assets.yaml'),
      'ingress_directory: ingress\nstaging_directory: staging\n',
    );
    assert.equal(runCli(dir, ['assets', 'update', '--json']).code, 0);
    const graph = runCli(dir, ['assets', 'graph', '--json']);
    assert.equal(graph.code, 0, graph.stderr);
    assert.equal(typeof graph.json(), 'object');
    assert.equal(runCli(dir, ['assets', 'graph', '--json', '--format', 'dot']).code, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("Hidebound's dask and workers settings get a message saying what Strata does instead", () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-assets-dask-'));
  try {
    assert.equal(runCli(dir, ['init']).code, 0);
    mkdirSync(join(dir, 'ingress'));
    const base = 'ingress_directory: ingress\nstaging_directory: staging\n';
    const cases: [string, RegExp][] = [
      [
        'dask:\n  cluster_type: local\n  local_num_workers: 16\n',
        /dask: Strata runs no Dask cluster.*workers: N/,
      ],
      ['workers:\n  num_workers: 8\n', /workers: 'workers' is the number of threads/],
      [
        'exporters:\n  - name: disk\n    target_directory: out\n    dask:\n      num_workers: 8\n',
        /exporters\.0\.dask: exporters run one after another/,
      ],
    ];
    for (const [extra, message] of cases) {
      writeFileSync(join(dir, 'strata-assets.yaml'), base + extra);
      const r = runCli(dir, ['assets', 'update']);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /unknown key|Unrecognized key/i);
    }
    writeFileSync(join(dir, 'strata-assets.yaml'), base + 'workers: 2\n');
    assert.equal(runCli(dir, ['assets', 'update']).code, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
