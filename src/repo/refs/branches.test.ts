import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commit } from '../commit/create-commit.js';
import { createTempRepo } from '../test-support/temp-repo.js';
import { createBranch, createTag } from './branches.js';

test('a branch or tag named like a commit id prefix, or like the other kind, is refused with E_REF_NAME_CLASH', async () => {
  const t = await createTempRepo();
  try {
    t.write('data/a.txt', 'a');
    const { id } = await commit(t.repo, { message: 'one' });
    for (const name of [id.slice(0, 4), id.slice(0, 12), 'deadbeef']) {
      await assert.rejects(createBranch(t.repo, name), { code: 'E_REF_NAME_CLASH' }, name);
      await assert.rejects(createTag(t.repo, name), { code: 'E_REF_NAME_CLASH' }, name);
    }
    // Not hex, or too short to abbreviate a commit id: ordinary names.
    await createBranch(t.repo, 'abc');
    await createBranch(t.repo, 'feature-cafe');

    await createBranch(t.repo, 'release');
    await assert.rejects(createTag(t.repo, 'release'), {
      code: 'E_REF_NAME_CLASH',
      data: { name: 'release', kind: 'tag', clashesWith: 'branch' },
    });
    await assert.rejects(commit(t.repo, { message: 'x', tags: ['release'], allowEmpty: true }), {
      code: 'E_REF_NAME_CLASH',
    });
    await createTag(t.repo, 'v1');
    await assert.rejects(createBranch(t.repo, 'v1'), {
      code: 'E_REF_NAME_CLASH',
      data: { name: 'v1', kind: 'branch', clashesWith: 'tag' },
    });
    await assert.rejects(createTag(t.repo, 'v1'), { code: 'E_ALREADY_EXISTS' });
  } finally {
    await t.done();
  }
});
