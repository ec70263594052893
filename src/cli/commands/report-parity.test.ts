import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, ok } from '../test-support/run-cli.js';

test('report results shows parameters and properties (--resource), report lineage a table, lineage graph --width/--height', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-report-parity-'));
  try {
    ok(runCli(dir, ['init']));
    for (const [name, role] of [
      ['raw', 'source-data'],
      ['results', 'results'],
    ]) {
      mkdirSync(join(dir, name));
      ok(runCli(dir, ['resource', 'add', name, '--role', role]));
    }
    writeFileSync(join(dir, 'raw/x.csv'), 'a\n');
    ok(
      runCli(dir, [
        'run',
        '--input',
        'raw/x.csv',
        '--output',
        'results',
        '--param',
        'epochs=3',
        '--',
        process.execPath,
        '-e',
        "require('fs').writeFileSync('results/results.json', JSON.stringify({metrics: {accuracy: 0.9}}))",
      ]),
    );
    ok(runCli(dir, ['snapshot', '-m', 'trained', '-t', 'v1']));

    const r = ok(runCli(dir, ['report', 'results', 'v1', '--resource', 'results', '--json'])).json<{
      metrics: Record<string, unknown>;
      parameters: Record<string, unknown>;
      properties: Record<string, unknown>;
    }>();
    assert.equal(r.metrics.accuracy, 0.9);
    const text = ok(runCli(dir, ['report', 'results', 'v1'])).stdout;
    assert.match(text, /metrics\n\s+accuracy\s+0\.9/);
    assert.equal(runCli(dir, ['report', 'results', 'v1', '--resource', 'raw']).code, 1);

    // A results.json written by the library (parameters, step, times) shows all of them.
    writeFileSync(
      join(dir, 'results/results.json'),
      JSON.stringify({ step: 'train', duration_seconds: 2, parameters: { lr: 0.1 }, metrics: { loss: 0.2 } }),
    );
    ok(runCli(dir, ['snapshot', '-m', 'two', '-t', 'v2']));
    const r2 = ok(runCli(dir, ['report', 'results', 'v2', '--json'])).json<{
      parameters: Record<string, unknown>;
      properties: Record<string, unknown>;
    }>();
    assert.deepEqual(r2.parameters, { lr: 0.1 });
    assert.deepEqual(r2.properties, { step: 'train', duration_seconds: 2 });
    const text2 = ok(runCli(dir, ['report', 'results', 'v2'])).stdout;
    assert.match(text2, /parameters\n\s+lr\s+0\.1/);
    assert.match(text2, /properties\n\s+step\s+train/);

    const lineage = ok(runCli(dir, ['report', 'lineage', 'v1'])).stdout;
    assert.match(lineage, /step\s+status\s+parameters/);
    assert.match(lineage, /"epochs":"?3"?/);

    const dot = ok(
      runCli(dir, ['lineage', 'graph', '--snapshot', 'v1', '--width', '960', '--height', '480']),
    ).stdout;
    assert.match(dot, /size="10,5";/);
    const html = ok(
      runCli(dir, [
        'lineage',
        'graph',
        '--format',
        'html',
        '--snapshot',
        'v1',
        '--width',
        '800',
        '--height',
        '300',
      ]),
    ).stdout;
    assert.match(html, /<svg width="800" height="300"/);
    assert.equal(runCli(dir, ['lineage', 'graph', '--width', 'wide']).code, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
