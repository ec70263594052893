import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

test('examples/tfjs-train.mjs: both runs show in the CLI report history with their results.json loss', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'strata-tfjs-example-')), 'repo');
  const r = spawnSync(process.execPath, ['examples/tfjs-train.mjs', dir], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  for (const tag of ['lr-0.05', 'lr-0.2']) {
    const results = JSON.parse(
      readFileSync(join(dir, 'results/snapshots', `vm-${tag}`, 'results.json'), 'utf8'),
    ) as {
      metrics: { loss: number };
    };
    const row = r.stdout.split('\n').find((l) => l.includes(` ${tag} `));
    assert.ok(row, `no history row for ${tag}:\n${r.stdout}`);
    // The table rounds; the figure shown is the run's final loss.
    assert.ok(
      row.includes(String(Number(results.metrics.loss.toPrecision(4)))),
      `${row} vs ${results.metrics.loss}`,
    );
  }
});

test('the CLI bundle leaves TensorFlow.js out: only the kit loads it', () => {
  const bundle = readFileSync(join(ROOT, 'dist/strata.js'), 'utf8');
  assert.ok(!bundle.includes('@tensorflow'), 'dist/strata.js mentions @tensorflow');
  assert.ok(!/tfjs/i.test(bundle), 'dist/strata.js holds TensorFlow.js code');
});
