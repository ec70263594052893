import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSampleKey, sampleKeyFromCanonical } from './sample-key.js';
import { sampleId } from './sample-id.js';

test('sample keys: names or whole numbers, kept distinct', () => {
  assert.equal(checkSampleKey('img-001.a_b'), 'img-001.a_b');
  assert.equal(checkSampleKey(42), '#0242');
  assert.equal(sampleKeyFromCanonical('#0242'), 42);
  // Canonical integer keys sort numerically, before string keys.
  const sorted = [10, 9, 100, 0].map((k) => checkSampleKey(k)).sort();
  assert.deepEqual(sorted.map(sampleKeyFromCanonical), [0, 9, 10, 100]);
  assert.equal(sampleKeyFromCanonical('42'), '42');
  for (const bad of ['', 'a b', 'x'.repeat(65), -1, 1.5, 'a/b']) {
    assert.throws(() => checkSampleKey(bad as never, 'images'), { code: 'E_INVALID_ARGUMENT' });
  }
});

test('a sample id covers dtype and shape, not just bytes', () => {
  const bytes = new Uint8Array([1, 2, 3, 4, 5, 6]);
  assert.notEqual(sampleId('uint8', [2, 3], bytes), sampleId('uint8', [3, 2], bytes));
  assert.notEqual(sampleId('uint8', [6], bytes), sampleId('int8', [6], bytes));
  assert.equal(sampleId('uint8', [6], bytes), sampleId('uint8', [6], new Uint8Array(bytes)));
});
