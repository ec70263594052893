import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupColumnChanges, SHOWN_PER_COLUMN } from './column-changes.js';

test('column status output groups 200k changes in one pass, keeping 20 per column (issue 10)', () => {
  // One pass over a generator: the grouping cannot go back over earlier changes, and it keeps only
  // the few it prints (the old grouping copied each column's list on every change: quadratic).
  let produced = 0;
  function* changes() {
    for (let i = 0; i < 200_000; i++) {
      produced++;
      yield { column: i % 2 === 0 ? 'a' : 'b', key: i, change: 'added' };
    }
  }
  const groups = groupColumnChanges(changes());
  assert.equal(produced, 200_000);
  assert.deepEqual(
    groups.map((g) => [g.column, g.count, g.shown.length]),
    [
      ['a', 100_000, SHOWN_PER_COLUMN],
      ['b', 100_000, SHOWN_PER_COLUMN],
    ],
  );
  assert.deepEqual(
    groups[0]!.shown.slice(0, 3).map((c) => c.key),
    [0, 2, 4],
  );
});
