import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTempRepo } from '../repo/test-support/temp-repo.js';
import { openCheckout } from './checkout.js';

const sample = (fill: number) => new Uint8Array(40).fill(fill);

test('a sample changed after a commit is one mutation, also in a later checkout (schemas compare by content, not key order)', async () => {
  const t = await createTempRepo({});
  try {
    const w = await openCheckout(t.repo, { write: true });
    const x = await w.createColumn({ name: 'x', dtype: 'uint8', shape: [40] });
    await x.set(1, sample(1));
    await x.set(2, sample(2));
    await w.commitChanges('one');
    await x.set(1, sample(9));
    assert.deepEqual(await w.status(), [{ column: 'x', key: 1, change: 'mutated' }]);
    await w.commitChanges('two');
    // The same bytes again: stored at a new place, still no change.
    await x.set(2, sample(2));
    assert.deepEqual(await w.status(), []);
    await w.close();

    // A new checkout reads the committed schema back from the commit (keys sorted) and the
    // staged one from the staging: the same schema either way.
    const w2 = await openCheckout(t.repo, { write: true });
    await w2.column('x').set(1, sample(7));
    assert.deepEqual(await w2.status(), [{ column: 'x', key: 1, change: 'mutated' }]);
    await w2.commitChanges('three');
    await w2.close();

    const r = await openCheckout(t.repo);
    const many = await r.column('x').getMany([2, 1]);
    assert.deepEqual([...many.data.subarray(0, 1)], [2]);
    assert.deepEqual([...many.data.subarray(40, 41)], [7]);
    await r.close();
  } finally {
    await t.done();
  }
});
