import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commit } from '../../commit/create-commit.js';
import { createBranch } from '../../refs/branches.js';
import { createTempRepo } from '../../test-support/temp-repo.js';
import { checkout } from '../checkout.js';
import { status } from '../status.js';

const paths = async (repo: Parameters<typeof status>[0]) =>
  (await status(repo)).changes.map((c) => `${c.resource}/${c.path}`);

test('.strataignore: defaults, root and per-resource files are honoured by status and commit', async () => {
  const t = await createTempRepo({ data: 'source-data', code: 'code' });
  try {
    t.write('data/train.csv', 'a');
    t.write('data/.DS_Store', 'x');
    t.write('data/run.log', 'x');
    t.write('data/keep.log', 'x');
    t.write('data/scratch/big.bin', 'x');
    t.write('code/model.py', 'x');
    t.write('code/__pycache__/model.cpython-312.pyc', 'x');
    t.write('code/notes.swp', 'x');
    t.write('code/run.log', 'x');
    t.write('.strataignore', '# everywhere\n*.log\n/data/scratch/\n');
    t.write('data/.strataignore', '!keep.log\n');
    assert.deepEqual(await paths(t.repo), [
      'code/model.py',
      'data/.strataignore',
      'data/keep.log',
      'data/train.csv',
    ]);
    const made = await commit(t.repo, { message: 'one' });
    assert.equal(made.changes, 4);
    assert.deepEqual(await paths(t.repo), []);
    // Changing an ignored file is no change.
    t.write('data/run.log', 'more');
    t.write('code/__pycache__/model.cpython-312.pyc', 'recompiled');
    assert.deepEqual(await paths(t.repo), []);
  } finally {
    await t.done();
  }
});

test('.strataignore: checkout never deletes or touches ignored files', async () => {
  const t = await createTempRepo();
  try {
    t.write('data/a.csv', 'a');
    await commit(t.repo, { message: 'one' });
    await createBranch(t.repo, 'other');
    t.write('data/b.csv', 'b');
    await commit(t.repo, { message: 'two' });
    t.write('data/.ipynb_checkpoints/a-checkpoint.ipynb', 'notebook state');
    t.write('data/cache.tmp', 'scratch');
    t.write('data/.strataignore', '*.tmp\n');
    // The ignore file itself is versioned like any file; commit it so the checkout is clean.
    await commit(t.repo, { message: 'ignore' });
    await checkout(t.repo, 'other', { force: true });
    assert.ok(!existsSync(join(t.root, 'data/b.csv')));
    assert.equal(
      readFileSync(join(t.root, 'data/.ipynb_checkpoints/a-checkpoint.ipynb'), 'utf8'),
      'notebook state',
    );
    // The rules are those in force when the checkout looked: cache.tmp was ignored then, so it
    // stays even though the target has no .strataignore; the checkpoints are ignored by default.
    assert.equal(readFileSync(join(t.root, 'data/cache.tmp'), 'utf8'), 'scratch');
    writeFileSync(join(t.root, 'data/.strataignore'), '*.tmp\n');
    await checkout(t.repo, 'main', { force: true });
    assert.ok(existsSync(join(t.root, 'data/b.csv')));
    assert.equal(readFileSync(join(t.root, 'data/cache.tmp'), 'utf8'), 'scratch');
    assert.equal(
      readFileSync(join(t.root, 'data/.ipynb_checkpoints/a-checkpoint.ipynb'), 'utf8'),
      'notebook state',
    );
  } finally {
    await t.done();
  }
});
