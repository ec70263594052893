import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commit } from '../commit/create-commit.js';
import { status } from '../worktree/status.js';
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

test('resource add of a symlink to a folder outside the repository is refused (real paths checked)', async () => {
  const t = await createTempRepo({});
  const outside = mkdtempSync(join(tmpdir(), 'strata-outside-'));
  try {
    writeFileSync(join(outside, 'passwd'), 'root:x:0:0');
    symlinkSync(outside, join(t.root, 'etc'));
    await assert.rejects(
      addResource(t.repo, { path: 'etc', role: 'source-data', cwd: t.root }),
      (err: unknown) => {
        const e = err as { code: string; data: { path: string; realPath: string; outside: boolean } };
        assert.equal(e.code, 'E_RESOURCE_SYMLINK');
        assert.equal(e.data.realPath, realpathSync(outside));
        assert.equal(e.data.outside, true);
        return true;
      },
    );
    // A path through a linked parent folder, even one that does not exist yet.
    symlinkSync(outside, join(t.root, 'parent'));
    await assert.rejects(
      addResource(t.repo, { path: 'parent/new', role: 'code', cwd: t.root, create: true }),
      { code: 'E_RESOURCE_SYMLINK' },
    );
    assert.ok(!existsSync(join(outside, 'new')));
    // A link to another folder of the repository would give one folder two names.
    mkdirSync(join(t.root, 'real'));
    symlinkSync('real', join(t.root, 'alias'));
    await assert.rejects(addResource(t.repo, { path: 'alias', role: 'code', cwd: t.root }), {
      code: 'E_RESOURCE_SYMLINK',
    });
    // A folder elsewhere on disk that is really inside the repository.
    const back = join(outside, 'back');
    symlinkSync(join(t.root, 'real'), back);
    await assert.rejects(addResource(t.repo, { path: back, role: 'code', cwd: t.root, type: 'local' }), {
      code: 'E_RESOURCE_SYMLINK',
    });
    assert.deepEqual(await listResources(t.repo), []);
  } finally {
    rmSync(outside, { recursive: true, force: true });
    await t.done();
  }
});

test('a resource folder replaced by a symlink out of the repository after registration is never scanned', async () => {
  const t = await createTempRepo({ data: 'source-data' });
  const outside = mkdtempSync(join(tmpdir(), 'strata-outside-'));
  try {
    writeFileSync(join(outside, 'secret'), 'x');
    rmSync(join(t.root, 'data'), { recursive: true });
    symlinkSync(outside, join(t.root, 'data'));
    await assert.rejects(status(t.repo), { code: 'E_RESOURCE_SYMLINK' });
    await assert.rejects(commit(t.repo, { message: 'steal' }), { code: 'E_RESOURCE_SYMLINK' });
  } finally {
    rmSync(outside, { recursive: true, force: true });
    await t.done();
  }
});
