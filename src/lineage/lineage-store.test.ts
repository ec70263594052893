import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Catalog } from '../catalog/catalog.js';
import { createTempRepo } from '../repo/test-support/temp-repo.js';
import { createCatalogLineageStore, lineageKeyOf } from './lineage-store.js';
import type { LineageState } from './lineage-types.js';

const state = (...names: string[]): LineageState => ({
  steps: names.map((name) => ({
    name,
    status: 'complete',
    parameters: {},
    inputs: [],
    code: [],
    outputs: [],
    startTime: '2026-01-01T00:00:00.000Z',
    durationSeconds: 0,
  })),
});

/** The same catalog as another working folder sees it (its own id). */
function otherFolder(catalog: Catalog) {
  return {
    readLineage: catalog.readLineage,
    writeLineage: catalog.writeLineage,
    removeLineage: catalog.removeLineage,
    workingFolderId: async () => 'another-working-folder',
  };
}

test('issue 10 point 5: the lineage store keeps one state per branch and one for a detached HEAD', async () => {
  const t = await createTempRepo();
  try {
    const store = createCatalogLineageStore(t.repo.catalog);
    const long = 'ß'.repeat(200);
    assert.equal(await store.read({ branch: 'main' }), undefined, 'never written');
    await store.write({ branch: 'main' }, state('b', 'a'));
    await store.write({ branch: 'team/exp' }, state('x'));
    await store.write({ branch: long }, state('long'));
    await store.write({ detached: true }, state('d'));
    assert.deepEqual(await store.read({ branch: 'main' }), state('a', 'b'), 'kept sorted by name');
    assert.deepEqual(await store.read({ branch: 'team/exp' }), state('x'));
    assert.deepEqual(await store.read({ branch: long }), state('long'));
    assert.deepEqual(await store.read({ detached: true }), state('d'));
    await store.remove({ branch: 'team/exp' });
    await store.remove({ branch: 'never' });
    assert.equal(await store.read({ branch: 'team/exp' }), undefined);
    assert.deepEqual(lineageKeyOf({ branch: null, commit: null }), { detached: true });
  } finally {
    await t.done();
  }
});

test('issue 12: the current lineage belongs to one working folder; another one of the same catalog never sees it', async () => {
  const t = await createTempRepo();
  try {
    const mine = createCatalogLineageStore(t.repo.catalog);
    const theirs = createCatalogLineageStore(otherFolder(t.repo.catalog));
    await mine.write({ branch: 'main' }, state('mine'));
    await mine.write({ detached: true }, state('d'));
    assert.equal(await theirs.read({ branch: 'main' }), undefined);
    assert.equal(await theirs.read({ detached: true }), undefined);
    await theirs.write({ branch: 'main' }, state('theirs'));
    await theirs.remove({ detached: true });
    assert.deepEqual(await mine.read({ branch: 'main' }), state('mine'));
    assert.deepEqual(await theirs.read({ branch: 'main' }), state('theirs'));
    assert.deepEqual(await mine.read({ detached: true }), state('d'));
  } finally {
    await t.done();
  }
});
