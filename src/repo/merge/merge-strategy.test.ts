import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkMergeStrategy } from './merge-strategy.js';

test('issue 12 merge-strategy check in the library: ours, theirs or none; anything else is the caller’s mistake', () => {
  assert.equal(checkMergeStrategy('ours'), 'ours');
  assert.equal(checkMergeStrategy('theirs'), 'theirs');
  assert.equal(checkMergeStrategy(undefined), undefined);
  for (const bad of ['', 'Ours', 'both'])
    assert.throws(() => checkMergeStrategy(bad, '--strategy'), { code: 'E_INVALID_ARGUMENT' });
  assert.throws(() => checkMergeStrategy('x', '--strategy'), /--strategy must be ours or theirs, got 'x'/);
});
