import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStrataError } from '../../errors/index.js';
import { stagedSections, writeStagedSection } from '../maintenance/staged-roots.js';
import { readHead } from '../refs/refs.js';
import type { Repository } from '../repository.js';
import { createTempRepo } from '../test-support/temp-repo.js';
import { refuseStagedChanges } from './refuse-staged.js';

function stage(repo: Repository, section: string, branch: string, content = '{}'): Promise<void> {
  return writeStagedSection(repo, branch, section, content);
}

test('refuseStagedChanges: staged state of the current branch refuses, naming the section; other branches do not', async () => {
  const t = await createTempRepo();
  try {
    const branch = (await readHead(t.repo)).branch!;
    await refuseStagedChanges(t.repo, 'assets create');
    // A branch whose name ends like ours ('x-main') is another branch, not ours.
    await stage(t.repo, 'columns', `x-${branch}`);
    await stage(t.repo, 'columns', 'other');
    assert.deepEqual(await stagedSections(t.repo, branch), []);
    await refuseStagedChanges(t.repo, 'assets create');
    // Even an unreadable staging counts: it may hold work.
    await stage(t.repo, 'columns', branch, 'not json');
    assert.deepEqual(await stagedSections(t.repo, branch), ['columns']);
    await assert.rejects(
      refuseStagedChanges(t.repo, 'assets create'),
      (err) =>
        isStrataError(err) &&
        err.code === 'E_UNCOMMITTED_CHANGES' &&
        JSON.stringify(err.data) === JSON.stringify({ branch, staged: 'columns' }),
    );
  } finally {
    await t.done();
  }
});
