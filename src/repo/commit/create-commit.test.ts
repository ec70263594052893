import assert from 'node:assert/strict';
import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fsck } from '../maintenance/fsck.js';
import { createTempRepo } from '../test-support/temp-repo.js';
import { readWorkingStateForCompare } from '../worktree/status.js';
import { commit } from './create-commit.js';

test('a commit stores files whose hashes only a status put in the stat cache', async () => {
  const t = await createTempRepo();
  try {
    t.write('data/a.txt', 'alpha\n');
    t.write('data/b.txt', 'beta\n');
    // Old enough to be past the racy window, so the stat cache vouches for them.
    const past = new Date(Date.now() - 60_000);
    for (const f of ['a.txt', 'b.txt']) utimesSync(join(t.root, 'data', f), past, past);
    await readWorkingStateForCompare(t.repo);
    await commit(t.repo, { message: 'first' });
    const report = await fsck(t.repo);
    assert.deepEqual(report.problems, []);
  } finally {
    await t.done();
  }
});
