import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commitTree } from '../repo/commit/commit-tree.js';
import { createTempRepo } from '../repo/test-support/temp-repo.js';
import {
  checkout,
  createBranch,
  diffMetrics,
  historyReport,
  mergeRevision,
  readCommitTree,
  resultsReport,
  snapshot,
} from './index.js';

/** main: s1 (results accuracy 0.8); side: s2 (data only); main: s3 (results 0.9), then merge side. */
async function divergedRepo() {
  const t = await createTempRepo({ data: 'source-data', results: 'results' });
  t.write('data/a.txt', 'a');
  t.write('results/results.json', JSON.stringify({ accuracy: 0.8 }));
  const s1 = await snapshot(t.repo, { message: 's1' });
  await createBranch(t.repo, 'side');
  await checkout(t.repo, 'side');
  t.write('data/b.txt', 'b');
  const s2 = await snapshot(t.repo, { message: 's2 (no new results)' });
  await checkout(t.repo, 'main');
  t.write('results/results.json', JSON.stringify({ accuracy: 0.9 }));
  const s3 = await snapshot(t.repo, { message: 's3' });
  const merge = await mergeRevision(t.repo, 'side');
  assert.equal(merge.result, 'merged');
  return { t, s1: s1.id, s2: s2.id, s3: s3.id, merge: merge.commit! };
}

test('issue 10 point 1: a merge commit and a snapshot without new results show no metrics of their own', async () => {
  const { t, s1, s2, s3, merge } = await divergedRepo();
  try {
    const rows = (await historyReport(t.repo)).rows;
    const byId = new Map(rows.map((r) => [r.id, r]));
    assert.deepEqual(byId.get(merge)!.metrics, {}, 'the merge repeats no parent metrics');
    assert.equal((await readCommitTree(t.repo, merge)).metrics, undefined, 'nor stores them');
    assert.deepEqual(byId.get(s3)!.metrics, { accuracy: 0.9 });
    assert.deepEqual(byId.get(s1)!.metrics, { accuracy: 0.8 });
    assert.equal(byId.has(s2), true);
    assert.deepEqual(byId.get(s2)!.metrics, {});
    // A merge filed no results either: `report results` and `diff` agree with the history.
    assert.equal((await resultsReport(t.repo, merge)).folder, null);
    assert.deepEqual(await diffMetrics(t.repo, s3, merge), [
      { name: 'accuracy', before: 0.9, after: undefined },
    ]);
  } finally {
    await t.done();
  }
});

test('issue 10 point 1: a snapshot with nothing new is "nothing to commit", not a commit dropping metrics', async () => {
  const t = await createTempRepo({ data: 'source-data', results: 'results' });
  try {
    t.write('results/results.json', JSON.stringify({ accuracy: 0.8 }));
    await snapshot(t.repo, { message: 'with results' });
    await assert.rejects(snapshot(t.repo, { message: 'again' }), { code: 'E_NOTHING_TO_COMMIT' });
  } finally {
    await t.done();
  }
});

test('issue 10 point 3: history of a revision, and of every branch with the branches reaching each row', async () => {
  const { t, s1, s2, s3, merge } = await divergedRepo();
  try {
    await createBranch(t.repo, 'old', s1);
    const side = (await historyReport(t.repo, { revision: 'side' })).rows;
    assert.deepEqual(
      side.map((r) => r.id),
      [s2, s1],
    );
    await checkout(t.repo, 'side');
    const all = (await historyReport(t.repo, { all: true })).rows;
    assert.deepEqual(
      all.map((r) => r.id),
      [merge, s3, s2, s1],
    );
    const branches = Object.fromEntries(all.map((r) => [r.id, r.branches]));
    assert.deepEqual(branches[merge], ['main']);
    assert.deepEqual(branches[s2], ['main', 'side']);
    assert.deepEqual(branches[s1], ['main', 'old', 'side']);
    await assert.rejects(historyReport(t.repo, { all: true, revision: 'main' }), {
      code: 'E_INVALID_ARGUMENT',
    });
    await assert.rejects(historyReport(t.repo, { revision: 'nope' }), { code: 'E_NOT_FOUND' });
  } finally {
    await t.done();
  }
});

test('issue 10 point 1: commits made before metrics were per-commit: a copied parent section is not their own', async () => {
  const t = await createTempRepo({ data: 'source-data' });
  try {
    t.write('data/a.txt', 'a');
    await snapshot(t.repo, { message: 'base' });
    // Written as older versions did: unmarked, then copied by a column commit or merge.
    const legacy = { values: { accuracy: 0.7 }, sources: ['results/results.json'] };
    const own = await commitTree(t.repo, {
      branch: 'main',
      message: 'old run',
      sections: { metrics: legacy },
    });
    const copy = await commitTree(t.repo, { branch: 'main', message: 'old column commit' });
    assert.deepEqual((await readCommitTree(t.repo, copy)).metrics, legacy, 'the old copy is there');
    const byId = new Map((await historyReport(t.repo)).rows.map((r) => [r.id, r.metrics]));
    assert.deepEqual(byId.get(own), { accuracy: 0.7 });
    assert.deepEqual(byId.get(copy), {});
  } finally {
    await t.done();
  }
});
