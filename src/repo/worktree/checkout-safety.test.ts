import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commit } from '../commit/create-commit.js';
import { createBranch } from '../refs/branches.js';
import { readHead } from '../refs/refs.js';
import { createTempRepo } from '../test-support/temp-repo.js';
import { checkout } from './checkout.js';
import { restorePaths } from './restore.js';
import { moveIntoPlace, WORKTREE_TEMP_PREFIX } from './safe-write.js';
import { status } from './status.js';
import { readWorktreeJournal } from './worktree-journal.js';

/** Every file name under `dir` (recursive), to find temporary files left behind. */
function allNames(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map(String);
}

test('issue 10: checkout --force and restore REF --force keep files that were never committed', async () => {
  const t = await createTempRepo();
  try {
    t.write('data/a', 'a1');
    const c1 = await commit(t.repo, { message: 'one' });
    await createBranch(t.repo, 'exp');
    await checkout(t.repo, 'exp');
    t.write('data/b', 'b2');
    await commit(t.repo, { message: 'two' });
    // Never committed, and in neither commit.
    t.write('data/untracked.txt', 'precious');
    t.write('data/new/deep.txt', 'precious too');
    await checkout(t.repo, 'main', { force: true });
    assert.equal(readFileSync(join(t.root, 'data/untracked.txt'), 'utf8'), 'precious');
    assert.equal(readFileSync(join(t.root, 'data/new/deep.txt'), 'utf8'), 'precious too');
    assert.ok(!existsSync(join(t.root, 'data/b')), 'a tracked file the target lacks is removed');
    await checkout(t.repo, 'exp', { force: true });
    await restorePaths(t.repo, ['data'], { source: c1.id, force: true, cwd: t.root });
    assert.equal(readFileSync(join(t.root, 'data/untracked.txt'), 'utf8'), 'precious');
    assert.equal(readFileSync(join(t.root, 'data/new/deep.txt'), 'utf8'), 'precious too');
    assert.ok(!existsSync(join(t.root, 'data/b')));
    await restorePaths(t.repo, ['data'], { force: true, cwd: t.root });
    assert.equal(readFileSync(join(t.root, 'data/untracked.txt'), 'utf8'), 'precious');
    assert.equal(readFileSync(join(t.root, 'data/b'), 'utf8'), 'b2');
  } finally {
    await t.done();
  }
});

test('issue 10: the refusal names only files the checkout would really overwrite', async () => {
  const t = await createTempRepo();
  try {
    t.write('data/a', 'a1');
    t.write('data/keep', 'k1');
    await commit(t.repo, { message: 'one' });
    await createBranch(t.repo, 'exp');
    await checkout(t.repo, 'exp');
    t.write('data/a', 'a2');
    await commit(t.repo, { message: 'two' });
    // A local edit to a file both commits share is carried over, never named.
    t.write('data/keep', 'local keep');
    t.write('data/untracked', 'u');
    const switched = await checkout(t.repo, 'main');
    assert.equal(switched.updated, 1);
    assert.equal(readFileSync(join(t.root, 'data/keep'), 'utf8'), 'local keep');
    assert.equal(readFileSync(join(t.root, 'data/a'), 'utf8'), 'a1');
    t.write('data/a', 'local a');
    await assert.rejects(checkout(t.repo, 'exp'), (err: { code: string; data: { paths: unknown[] } }) => {
      assert.equal(err.code, 'E_UNCOMMITTED_CHANGES');
      assert.deepEqual(err.data.paths, [{ resource: 'data', path: 'a' }]);
      return true;
    });
    assert.equal(readFileSync(join(t.root, 'data/a'), 'utf8'), 'local a');
  } finally {
    await t.done();
  }
});

test('issue 10: a 250-byte multi-byte file name round-trips through commit, checkout and restore', async () => {
  const t = await createTempRepo();
  try {
    const long = 'é'.repeat(125); // 250 bytes of UTF-8
    const greek = 'λ'.repeat(120) + '.bin'; // 244 bytes
    assert.equal(Buffer.byteLength(long), 250);
    t.write(`data/${long}`, 'one');
    t.write(`data/sub/${greek}`, 'two');
    const c1 = await commit(t.repo, { message: 'long names' });
    await createBranch(t.repo, 'exp');
    await checkout(t.repo, 'exp');
    rmSync(join(t.root, 'data', long));
    t.write(`data/sub/${greek}`, 'changed');
    await commit(t.repo, { message: 'gone' });
    await checkout(t.repo, 'main');
    assert.equal(readFileSync(join(t.root, 'data', long), 'utf8'), 'one');
    assert.equal(readFileSync(join(t.root, 'data/sub', greek), 'utf8'), 'two');
    rmSync(join(t.root, 'data', long));
    await restorePaths(t.repo, [`data/${long}`], { source: c1.id, cwd: t.root });
    assert.equal(readFileSync(join(t.root, 'data', long), 'utf8'), 'one');
    assert.deepEqual(
      allNames(join(t.root, 'data')).filter((n) => n.includes('tmp')),
      [],
      'no temporary file is left',
    );
  } finally {
    await t.done();
  }
});

test('issue 10: a checkout that fails midway puts back what it wrote and leaves no temporary file', async () => {
  const t = await createTempRepo();
  try {
    t.write('data/a', 'a1');
    await commit(t.repo, { message: 'one' });
    await createBranch(t.repo, 'exp');
    await checkout(t.repo, 'exp');
    t.write('data/a', 'a2');
    t.write('data/z', 'z2');
    await commit(t.repo, { message: 'two' });
    await checkout(t.repo, 'main');
    // An untracked folder where the target wants the file `z`: the second write must fail.
    t.write('data/z/mine', 'mine');
    await assert.rejects(checkout(t.repo, 'exp', { force: true }));
    assert.equal(readFileSync(join(t.root, 'data/a'), 'utf8'), 'a1', 'the first file is put back');
    assert.equal(readFileSync(join(t.root, 'data/z/mine'), 'utf8'), 'mine');
    assert.equal((await readHead(t.repo)).branch, 'main');
    assert.equal(readWorktreeJournal(t.repo), undefined, 'rolled back at once: nothing pending');
    assert.deepEqual(
      allNames(join(t.root, 'data')).filter((n) => n.includes('tmp')),
      [],
    );
    assert.deepEqual(readdirSync(join(t.repo.strataDir, 'tmp')), []);
  } finally {
    await t.done();
  }
});

test('issue 10: checkout and restore never write through a symlink to a place outside', async () => {
  const t = await createTempRepo();
  const outside = mkdtempSync(join(tmpdir(), 'strata-outside-'));
  try {
    t.write('data/sub/f', 'committed');
    t.write('data/g', 'committed g');
    const c1 = await commit(t.repo, { message: 'one' });
    writeFileSync(join(outside, 'f'), 'outside f');
    writeFileSync(join(outside, 'g'), 'outside g');
    // The folder and the file become symlinks pointing outside the repository.
    rmSync(join(t.root, 'data/sub'), { recursive: true });
    symlinkSync(outside, join(t.root, 'data/sub'));
    rmSync(join(t.root, 'data/g'));
    symlinkSync(join(outside, 'g'), join(t.root, 'data/g'));
    await restorePaths(t.repo, ['data'], { source: c1.id, force: true, cwd: t.root });
    assert.equal(readFileSync(join(outside, 'f'), 'utf8'), 'outside f', 'nothing written outside');
    assert.equal(readFileSync(join(outside, 'g'), 'utf8'), 'outside g', 'nothing written outside');
    assert.ok(lstatSync(join(t.root, 'data/sub')).isDirectory(), 'the symlink became a real folder');
    assert.ok(lstatSync(join(t.root, 'data/g')).isFile(), 'the symlink became a real file');
    assert.equal(readFileSync(join(t.root, 'data/sub/f'), 'utf8'), 'committed');
    assert.equal(readFileSync(join(t.root, 'data/g'), 'utf8'), 'committed g');

    // A checkout to a commit without the file, while the folder is a symlink again: the file
    // behind the link is not in the working folder and must not be deleted.
    await createBranch(t.repo, 'exp');
    await checkout(t.repo, 'exp');
    rmSync(join(t.root, 'data/sub'), { recursive: true });
    await commit(t.repo, { message: 'no sub' });
    await checkout(t.repo, 'main');
    rmSync(join(t.root, 'data/sub'), { recursive: true });
    mkdirSync(join(outside, 'sub2'));
    symlinkSync(outside, join(t.root, 'data/sub'));
    await checkout(t.repo, 'exp', { force: true });
    assert.equal(readFileSync(join(outside, 'f'), 'utf8'), 'outside f', 'nothing deleted outside');
    await checkout(t.repo, 'main', { force: true });
    assert.equal(readFileSync(join(outside, 'f'), 'utf8'), 'outside f', 'nothing written outside');
    assert.ok(lstatSync(join(t.root, 'data/sub')).isDirectory());
    assert.equal(readFileSync(join(t.root, 'data/sub/f'), 'utf8'), 'committed');
  } finally {
    await t.done();
    rmSync(outside, { recursive: true, force: true });
  }
});

test('issue 10: temporary files in a working folder are never versioned; a cross-filesystem write leaves none', async () => {
  const t = await createTempRepo();
  try {
    t.write('data/a', 'a1');
    await commit(t.repo, { message: 'one' });
    // What a killed cross-filesystem write leaves beside the file it was replacing.
    t.write(`data/${WORKTREE_TEMP_PREFIX}0123456789ab-1`, 'half-written');
    assert.deepEqual((await status(t.repo)).changes, []);
    // The cross-filesystem path: copied beside the target under the prefix, then renamed.
    const temp = join(t.repo.strataDir, 'tmp-test-source');
    writeFileSync(temp, 'new a');
    moveIntoPlace(temp, join(t.root, 'data/a'), join(t.root, `data/${WORKTREE_TEMP_PREFIX}x-2`));
    assert.equal(readFileSync(join(t.root, 'data/a'), 'utf8'), 'new a');
    assert.ok(!existsSync(temp));
    assert.ok(!existsSync(join(t.root, `data/${WORKTREE_TEMP_PREFIX}x-2`)));
  } finally {
    await t.done();
  }
});

test('issue 10: a resource folder deleted by hand is made again by restore', async () => {
  const t = await createTempRepo();
  try {
    t.write('data/sub/a', 'a1');
    await commit(t.repo, { message: 'one' });
    rmSync(join(t.root, 'data'), { recursive: true });
    await restorePaths(t.repo, ['data'], { cwd: t.root });
    assert.equal(readFileSync(join(t.root, 'data/sub/a'), 'utf8'), 'a1');
  } finally {
    await t.done();
  }
});
