import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { clearStagedSection, readStagedSection } from '../repo/maintenance/staged-roots.js';
import { readCommit } from '../repo/objects/read-objects.js';
import { createTempRepo } from '../repo/test-support/temp-repo.js';
import { columnsAt, commit, diffColumnRevisions, openCheckout, openRepository } from './index.js';

test('issue 12: a repository whose staged columns and parameters are still files keeps working once opened', async () => {
  const t = await createTempRepo({});
  try {
    const w = await openCheckout(t.repo, { write: true });
    const x = await w.createColumn({ name: 'x', kind: 'str' });
    await x.set(1, 'committed');
    await w.commitChanges('base');
    await w.close();
    const w2 = await openCheckout(t.repo, { write: true });
    await w2.column('x').set(2, 'staged');
    await w2.close();
    // Rewind to the layout of older versions: the staging and the author name as files.
    const staged = (await readStagedSection(t.repo, 'main', 'columns'))!;
    await clearStagedSection(t.repo, 'main', 'columns');
    mkdirSync(join(t.repo.strataDir, 'stage'));
    writeFileSync(join(t.repo.strataDir, 'stage', 'columns-main.json'), staged);
    writeFileSync(join(t.repo.strataDir, 'local-params.json'), JSON.stringify({ 'user.name': 'Old Ada' }));
    assert.deepEqual(await diffColumnRevisions(t.repo, 'HEAD'), [], 'not adopted before an open');

    const reopened = await openRepository(t.root);
    try {
      assert.deepEqual(await diffColumnRevisions(reopened, 'HEAD'), [
        { column: 'x', key: 2, change: 'added' },
      ]);
      const result = await commit(reopened, { message: 'staged before the upgrade' });
      assert.equal((await readCommit(reopened, result.id)).author, 'Old Ada');
      assert.equal((await columnsAt(reopened, 'HEAD')).x?.count, 2);
      assert.equal(await readStagedSection(reopened, 'main', 'columns'), undefined, 'cleared by the commit');
      assert.equal(existsSync(join(t.repo.strataDir, 'stage')), false);
    } finally {
      await reopened.close();
    }
  } finally {
    await t.done();
  }
});
