import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareMetric, metricDirection } from './metric-direction.js';
import { readResultsFile } from './read-metrics.js';

test('metric directions: accuracy-like up, loss-like down, user choices first', () => {
  assert.equal(metricDirection('accuracy'), 'max');
  assert.equal(metricDirection('val_loss'), 'min');
  assert.equal(metricDirection('widgets'), undefined);
  assert.equal(metricDirection('widgets', { minimize: ['widgets'] }), 'min');
  assert.equal(metricDirection('accuracy', { minimize: ['accuracy'] }), 'min');
  assert.equal(compareMetric(0.9, 0.8, 'max'), 'better');
  assert.equal(compareMetric(0.9, 0.8, 'min'), 'worse');
  assert.equal(compareMetric(1, 1, undefined), 'same');
  assert.equal(compareMetric(2, 1, undefined), 'changed');
  assert.equal(compareMetric(undefined, 1, 'max'), undefined);
});

test('results.json: the metrics object, flattened; bad JSON is refused by name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-metrics-'));
  try {
    writeFileSync(
      join(dir, 'a.json'),
      JSON.stringify({ step: 's', metrics: { acc: 0.5, report: { f1: 0.4 }, list: [1] } }),
    );
    assert.deepEqual(readResultsFile(join(dir, 'a.json'), 'a.json'), { acc: 0.5, 'report.f1': 0.4 });
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ loss: 2, name: 'x' }));
    assert.deepEqual(readResultsFile(join(dir, 'b.json'), 'b.json'), { loss: 2, name: 'x' });
    writeFileSync(join(dir, 'c.json'), '[1]');
    assert.throws(() => readResultsFile(join(dir, 'c.json'), 'c.json'), { code: 'E_INVALID_ARGUMENT' });
    writeFileSync(join(dir, 'd.json'), '{');
    assert.throws(() => readResultsFile(join(dir, 'd.json'), 'd.json'), { code: 'E_INVALID_ARGUMENT' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
