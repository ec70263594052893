import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTempRepo } from '../repo/test-support/temp-repo.js';
import {
  checkout,
  createBranch,
  createStep,
  deleteBranch,
  lineageStepsChanged,
  lineageStore,
  openRepository,
  readCurrentLineage,
  readSnapshotLineage,
  snapshot,
} from './index.js';

type Temp = Awaited<ReturnType<typeof createTempRepo>>;

/** Records step `name` reading src/a and rewriting `output` with the content it already has. */
async function step(t: Temp, name: string, output = 'out/a'): Promise<void> {
  await createStep(t.repo, { name, cwd: t.root })
    .input('src/a')
    .output(output)
    .run(() => t.write(output, 'same'));
}

const names = async (t: Temp) => (await readCurrentLineage(t.repo)).steps.map((s) => s.name);

async function fixture(): Promise<{ t: Temp; base: string }> {
  const t = await createTempRepo({ src: 'source-data', out: 'intermediate-data' });
  t.write('src/a', 'a');
  t.write('out/a', 'same');
  t.write('out/b', 'same');
  const base = (await snapshot(t.repo, { message: 'base' })).id;
  return { t, base };
}

test('issue 10 point 2: the current lineage follows the branch; commit and status agree on "nothing to commit"', async () => {
  const { t } = await fixture();
  try {
    await createBranch(t.repo, 'other');
    await step(t, 'prep');
    assert.deepEqual(await names(t), ['prep']);
    assert.equal(await lineageStepsChanged(t.repo), 1, 'status announces the step');

    await checkout(t.repo, 'other');
    assert.deepEqual(await names(t), [], "main's step does not show on other");
    assert.equal(await lineageStepsChanged(t.repo), 0);
    await assert.rejects(snapshot(t.repo, { message: 'x' }), { code: 'E_NOTHING_TO_COMMIT' });

    await checkout(t.repo, 'main');
    assert.deepEqual(await names(t), ['prep'], 'and comes back with main');
    const c = await snapshot(t.repo, { message: 'with lineage' });
    assert.deepEqual(
      (await readSnapshotLineage(t.repo, c.id)).steps.map((s) => s.name),
      ['prep'],
    );
    assert.equal(await lineageStepsChanged(t.repo), 0);
    await assert.rejects(snapshot(t.repo, { message: 'again' }), { code: 'E_NOTHING_TO_COMMIT' });
  } finally {
    await t.done();
  }
});

test('issue 10 point 2: a branch made from the current one copies its lineage; one made elsewhere starts from its commit', async () => {
  const { t, base } = await fixture();
  try {
    await step(t, 'prep');
    const withPrep = (await snapshot(t.repo, { message: 'prep' })).id;
    await step(t, 'train', 'out/b'); // not committed yet
    await createBranch(t.repo, 'copy');
    await createBranch(t.repo, 'at-prep', withPrep);
    await createBranch(t.repo, 'at-base', base);
    for (const [branch, expected] of [
      ['copy', ['prep', 'train']],
      ['at-prep', ['prep']],
      ['at-base', []],
    ] as const) {
      await checkout(t.repo, branch);
      assert.deepEqual(await names(t), expected, branch);
    }
    // A deleted branch's lineage goes with it: a new branch of that name starts clean.
    await checkout(t.repo, 'main');
    await deleteBranch(t.repo, 'copy');
    await createBranch(t.repo, 'copy', base);
    await checkout(t.repo, 'copy');
    assert.deepEqual(await names(t), []);
  } finally {
    await t.done();
  }
});

test('issue 10 point 2: a detached HEAD has its own lineage, reset by each detaching checkout', async () => {
  const { t, base } = await fixture();
  try {
    await step(t, 'prep');
    await snapshot(t.repo, { message: 'prep' });
    await checkout(t.repo, base);
    assert.deepEqual(await names(t), [], "the base commit's lineage");
    await step(t, 'explore');
    assert.deepEqual(await names(t), ['explore']);
    await checkout(t.repo, 'main');
    assert.deepEqual(await names(t), ['prep'], 'main never saw the detached step');
    await checkout(t.repo, base);
    assert.deepEqual(await names(t), [], 'a new detached checkout starts from its commit again');
    const store = lineageStore(t.repo);
    assert.equal(await store.read({ detached: true }), undefined);
  } finally {
    await t.done();
  }
});

test('issue 10 point 2: the global lineage file of older versions is adopted by the branch checked out', async () => {
  const { t } = await fixture();
  try {
    await step(t, 'prep');
    const state = await readCurrentLineage(t.repo);
    // Rewind to the old layout: one global file, no per-branch state.
    await lineageStore(t.repo).remove({ branch: 'main' });
    mkdirSync(join(t.repo.strataDir, 'lineage'), { recursive: true });
    writeFileSync(join(t.repo.strataDir, 'lineage', 'current.json'), JSON.stringify(state));
    const reopened = await openRepository(t.root);
    try {
      assert.deepEqual(
        (await readCurrentLineage(reopened)).steps.map((s) => s.name),
        ['prep'],
      );
      assert.equal(existsSync(join(t.repo.strataDir, 'lineage', 'current.json')), false);
      assert.deepEqual(await lineageStore(reopened).read({ branch: 'main' }), state);
    } finally {
      await reopened.close();
    }
  } finally {
    await t.done();
  }
});

test('issue 10 point 2: branch names with slashes or near the length limit get their own state', async () => {
  const { t } = await fixture();
  try {
    const long = 'ü'.repeat(100);
    for (const name of ['team/exp', long]) {
      await createBranch(t.repo, name);
      await checkout(t.repo, name);
      await step(t, `on-${name.length}`);
      assert.deepEqual(await names(t), [`on-${name.length}`]);
      await checkout(t.repo, 'main');
    }
    assert.deepEqual(await names(t), []);
  } finally {
    await t.done();
  }
});
