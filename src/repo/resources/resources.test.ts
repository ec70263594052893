import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTempRepo } from '../test-support/temp-repo.js';
import { addResource, listResources, removeResource } from './resources.js';

test('resource paths must be folders inside the repository', async () => {
  const t = await createTempRepo({});
  try {
    mkdirSync(join(t.root, 'models/nested'), { recursive: true });
    const bad = [
      { path: '../outside', code: 'E_INVALID_ARGUMENT' },
      { path: 'models/../models', code: 'E_INVALID_ARGUMENT' },
      { path: '/tmp', code: 'E_INVALID_ARGUMENT' },
      { path: '.', code: 'E_INVALID_ARGUMENT' },
      { path: '.strata', code: 'E_INVALID_ARGUMENT' },
      { path: 'missing', code: 'E_NOT_FOUND' },
    ];
    for (const b of bad) {
      await assert.rejects(
        addResource(t.repo, { path: b.path, role: 'code', cwd: t.root }),
        { code: b.code },
        b.path,
      );
    }
    writeFileSync(join(t.root, 'file'), 'x');
    await assert.rejects(addResource(t.repo, { path: 'file', role: 'code', cwd: t.root }), {
      code: 'E_INVALID_ARGUMENT',
    });
    await assert.rejects(addResource(t.repo, { path: 'models', role: 'weights', cwd: t.root }), {
      code: 'E_INVALID_ARGUMENT',
    });
    await assert.rejects(
      addResource(t.repo, { path: 'models', role: 'code', name: 'bad name', cwd: t.root }),
      {
        code: 'E_INVALID_ARGUMENT',
      },
    );
    assert.deepEqual(await listResources(t.repo), []);

    const r = await addResource(t.repo, { path: 'models', role: 'intermediate-data', cwd: t.root });
    assert.equal(r.name, 'models');
    await assert.rejects(addResource(t.repo, { path: 'models/nested', role: 'code', cwd: t.root }), {
      code: 'E_INVALID_ARGUMENT',
    });
    await assert.rejects(addResource(t.repo, { path: 'models', role: 'code', name: 'other', cwd: t.root }), {
      code: 'E_INVALID_ARGUMENT',
    });
    mkdirSync(join(t.root, 'm2'));
    await assert.rejects(addResource(t.repo, { path: 'm2', role: 'code', name: 'models', cwd: t.root }), {
      code: 'E_ALREADY_EXISTS',
    });
    // Relative to a subfolder as cwd.
    const sub = await addResource(t.repo, { path: '.', role: 'code', cwd: join(t.root, 'm2') });
    assert.equal(sub.path, 'm2');
    await removeResource(t.repo, 'm2');
    await assert.rejects(removeResource(t.repo, 'm2'), { code: 'E_NOT_FOUND' });
    assert.deepEqual(
      (await listResources(t.repo)).map((x) => x.name),
      ['models'],
    );
  } finally {
    await t.done();
  }
});
