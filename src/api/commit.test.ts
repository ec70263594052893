import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTempRepo } from '../repo/test-support/temp-repo.js';
import {
  commit,
  createStep,
  openCheckout,
  readColumns,
  readCommitTree,
  readCurrentLineage,
  readSnapshotLineage,
  snapshot,
} from './index.js';

test('issue 12 one commit verb: the library commit records staged column samples, lineage and metrics as `strata commit` does', async () => {
  const t = await createTempRepo({ data: 'source-data', results: 'results' });
  try {
    t.write('data/train.csv', 'x,y\n1,2\n');
    const w = await openCheckout(t.repo, { write: true });
    const labels = await w.createColumn({ name: 'labels', kind: 'str' });
    await labels.set('a', 'cat');
    await labels.set('b', 'dog');
    await w.close();
    await createStep(t.repo, { name: 'train', cwd: t.root })
      .parameters({ gamma: 0.5 })
      .input('data/train.csv')
      .results('results')
      .run(async (step) => step.writeResults({ accuracy: 0.9 }));
    assert.equal((await readCurrentLineage(t.repo)).steps.length, 1);

    const made = await commit(t.repo, { message: 'columns, lineage and metrics' });

    const tree = await readCommitTree(t.repo, made.id);
    assert.equal((tree.lineage as { steps: number }).steps, 1, 'the lineage step is in the commit');
    assert.deepEqual((tree.metrics as { values: unknown }).values, { accuracy: 0.9 });
    assert.deepEqual(
      Object.keys(readColumns(tree, made.id)),
      ['labels'],
      'the staged column is in the commit',
    );
    const reader = await openCheckout(t.repo, { revision: made.id });
    assert.equal(await reader.column('labels').get('b'), 'dog');
    await reader.close();
    assert.equal((await readSnapshotLineage(t.repo, made.id)).steps[0]?.name, 'train');
    assert.equal(made.resultsMoved, 1, 'the new results file was filed away, as by the CLI');
    // Nothing left staged: a second commit has nothing to record.
    const ws = await openCheckout(t.repo, { write: true });
    assert.equal((await ws.status()).length, 0);
    await ws.close();
  } finally {
    await t.done();
  }
});

test('snapshot is the same verb as commit', () => {
  assert.equal(snapshot, commit);
});
