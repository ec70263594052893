import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTempRepo } from '../repo/test-support/temp-repo.js';
import { createFileLineageStore, lineageKeyOf } from './lineage-store.js';
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

test('issue 10 point 5: the lineage store keeps one state per branch and one for a detached HEAD', async () => {
  const t = await createTempRepo();
  try {
    const store = createFileLineageStore(t.repo);
    const long = 'ß'.repeat(200);
    assert.equal(store.read({ branch: 'main' }), undefined, 'never written');
    store.write({ branch: 'main' }, state('b', 'a'));
    store.write({ branch: 'team/exp' }, state('x'));
    store.write({ branch: long }, state('long'));
    store.write({ detached: true }, state('d'));
    assert.deepEqual(store.read({ branch: 'main' }), state('a', 'b'), 'kept sorted by name');
    assert.deepEqual(store.read({ branch: 'team/exp' }), state('x'));
    assert.deepEqual(store.read({ branch: long }), state('long'));
    assert.deepEqual(store.read({ detached: true }), state('d'));
    store.remove({ branch: 'team/exp' });
    store.remove({ branch: 'never' });
    assert.equal(store.read({ branch: 'team/exp' }), undefined);
    assert.ok(!readdirSync(join(t.repo.strataDir, 'lineage', 'branches')).some((f) => f.startsWith('.tmp-')));
    assert.deepEqual(lineageKeyOf({ branch: null, commit: null }), { detached: true });

    // The global file of older versions is handed over once.
    assert.equal(store.takeLegacy(), undefined);
    mkdirSync(join(t.repo.strataDir, 'lineage'), { recursive: true });
    writeFileSync(join(t.repo.strataDir, 'lineage', 'current.json'), JSON.stringify(state('old')));
    assert.deepEqual(store.takeLegacy(), state('old'));
    assert.equal(store.takeLegacy(), undefined);
  } finally {
    await t.done();
  }
});
