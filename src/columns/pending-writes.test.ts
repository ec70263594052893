import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ABSENT, PendingWrites } from './pending-writes.js';

test('pending writes: last write wins, key order out, lookups before and after the index exists', () => {
  const p = new PendingWrites();
  p.set('b', 1);
  p.set('a', 2);
  assert.equal(p.get('a'), 2);
  assert.equal(p.get('zz'), ABSENT);
  // Writes after the first lookup keep the index current.
  p.set('a', null);
  p.set('c', 3);
  assert.equal(p.get('a'), null);
  assert.equal(p.get('c'), 3);
  assert.deepEqual(p.inKeyOrder(), { keys: ['a', 'b', 'c'], values: [null, 1, 3] });
  p.clear();
  assert.equal(p.size, 0);
  for (const k of ['#011', '#012', '#013']) p.set(k, 0);
  assert.deepEqual(p.inKeyOrder().keys, ['#011', '#012', '#013']);
});
