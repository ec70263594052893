import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTempRepo } from '../repo/test-support/temp-repo.js';
import { commit } from './commit.js';
import { restoreTargetKind } from './restore-target.js';

test('issue 12 restore target resolution in the library: snapshot or paths, as `strata restore` decides', async () => {
  const t = await createTempRepo({ data: 'source-data' });
  try {
    t.write('data/a.txt', 'a');
    await commit(t.repo, { message: 'one', tags: ['v1', 'data'] });
    const kind = (targets: string[], more: { only?: string; leave?: string; source?: string } = {}) =>
      restoreTargetKind(t.repo, { targets, cwd: t.root, ...more });
    assert.equal(await kind(['v1']), 'snapshot', 'a revision alone');
    assert.equal(await kind(['data']), 'paths', 'a path wins over a tag of the same name');
    assert.equal(await kind(['data/a.txt']), 'paths');
    assert.equal(await kind(['v1', 'data']), 'paths', 'two targets are paths');
    assert.equal(await kind(['v1'], { source: 'v1' }), 'paths', '--source always means paths');
    assert.equal(await kind(['data'], { only: '' }), 'snapshot', '--only always means a snapshot');
    assert.equal(await kind(['data'], { leave: 'data' }), 'snapshot', '--leave always means a snapshot');
    assert.equal(await kind(['nope']), 'snapshot', 'neither: reported as an unknown snapshot');
    t.write('stray.txt', 'not in a resource');
    assert.equal(await kind(['stray.txt']), 'paths', 'a file here that is no revision: paths');
  } finally {
    await t.done();
  }
});
