import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseColumnKey } from './column-keys.js';

test('issue 12 sample-key parsing in the library: numbers are integer keys, KEY/SUBKEY in a nested column', () => {
  assert.equal(parseColumnKey('17', 'flat'), 17);
  assert.equal(parseColumnKey('img-001', 'flat'), 'img-001');
  assert.equal(
    parseColumnKey('a/b', 'flat'),
    'a/b',
    'a flat column has no subkey: the column refuses the slash',
  );
  assert.equal(parseColumnKey('-1', 'flat'), '-1');
  assert.deepEqual(parseColumnKey('a/2', 'nested'), ['a', 2]);
  assert.deepEqual(parseColumnKey('3', 'nested'), [3, '']);
});
