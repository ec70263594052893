import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commit } from '../commit/create-commit.js';
import { diffTrees } from '../diff/diff-trees.js';
import { createNodeSource } from '../merkle/read-map.js';
import { decodeFileEntry, encodeFileEntry } from '../objects/file-entry.js';
import { readCommitTree } from '../objects/read-objects.js';
import { createBranch } from '../refs/branches.js';
import { createTempRepo } from '../test-support/temp-repo.js';
import { checkout } from './checkout.js';
import { restorePaths } from './restore.js';
import { status } from './status.js';

const changed = async (repo: Parameters<typeof status>[0]) =>
  (await status(repo)).changes.map((c) => `${c.change} ${c.path}${c.after?.symlink ? ' ->' : ''}`);

test('symlinks are committed as symlinks: target stored verbatim, never followed', async () => {
  const t = await createTempRepo();
  const outside = mkdtempSync(join(tmpdir(), 'strata-outside-'));
  try {
    writeFileSync(join(outside, 'secret.txt'), 'must never be stored');
    t.write('data/a.txt', 'hello');
    symlinkSync('a.txt', join(t.root, 'data/link'));
    symlinkSync(join(outside, 'secret.txt'), join(t.root, 'data/out-file'));
    symlinkSync(outside, join(t.root, 'data/out-dir'));
    assert.deepEqual(await changed(t.repo), [
      'added a.txt',
      'added link ->',
      'added out-dir ->',
      'added out-file ->',
    ]);
    const made = await commit(t.repo, { message: 'links' });
    assert.deepEqual(made.skipped, []);
    const tree = await readCommitTree(t.repo, made.id);
    const source = createNodeSource((id) => t.repo.store.get(id));
    const entries = await diffTrees(source, { resources: {} }, tree);
    const byPath = new Map(entries.map((c) => [c.path, c.after!]));
    assert.equal(byPath.get('link')!.symlink, true);
    assert.equal(
      Buffer.from(await t.repo.store.get(byPath.get('out-file')!.hash)).toString(),
      join(outside, 'secret.txt'),
    );
    assert.equal(Buffer.from(await t.repo.store.get(byPath.get('out-dir')!.hash)).toString(), outside);
    // Nothing under the linked folder was read: it is one entry, not a folder of files.
    assert.ok(![...byPath.keys()].some((p) => p.startsWith('out-dir/')));
    assert.deepEqual(await changed(t.repo), []);
    // Retargeting a link is a change; a file becoming a link with the same bytes is one too.
    unlinkSync(join(t.root, 'data/link'));
    symlinkSync('elsewhere', join(t.root, 'data/link'));
    unlinkSync(join(t.root, 'data/a.txt'));
    symlinkSync('hello', join(t.root, 'data/a.txt'));
    assert.deepEqual(await changed(t.repo), ['modified a.txt ->', 'modified link ->']);
  } finally {
    rmSync(outside, { recursive: true, force: true });
    await t.done();
  }
});

test('checkout round-trips a symlink as a symlink and never writes through one', async () => {
  const t = await createTempRepo();
  const outside = mkdtempSync(join(tmpdir(), 'strata-outside-'));
  try {
    t.write('data/file.txt', 'v1');
    symlinkSync('file.txt', join(t.root, 'data/link'));
    await commit(t.repo, { message: 'one' });
    await createBranch(t.repo, 'two');
    await checkout(t.repo, 'two');
    // On branch two, `link` becomes a regular file and `file.txt` a link out of the repository.
    unlinkSync(join(t.root, 'data/link'));
    writeFileSync(join(t.root, 'data/link'), 'now a file');
    unlinkSync(join(t.root, 'data/file.txt'));
    symlinkSync(join(outside, 'target.txt'), join(t.root, 'data/file.txt'));
    await commit(t.repo, { message: 'two' });
    await checkout(t.repo, 'main');
    assert.ok(lstatSync(join(t.root, 'data/link')).isSymbolicLink());
    assert.equal(readlinkSync(join(t.root, 'data/link')), 'file.txt');
    assert.ok(lstatSync(join(t.root, 'data/file.txt')).isFile());
    assert.equal(readFileSync(join(t.root, 'data/file.txt'), 'utf8'), 'v1');
    // The link pointed out of the repository: replacing it wrote nothing there.
    assert.ok(!existsSync(join(outside, 'target.txt')));
    assert.deepEqual(await changed(t.repo), []);
    await checkout(t.repo, 'two');
    assert.equal(readlinkSync(join(t.root, 'data/file.txt')), join(outside, 'target.txt'));
    assert.equal(readFileSync(join(t.root, 'data/link'), 'utf8'), 'now a file');
    assert.ok(!existsSync(join(outside, 'target.txt')));
  } finally {
    rmSync(outside, { recursive: true, force: true });
    await t.done();
  }
});

test('restore replaces a symlink put in place of a committed file, never writing through it', async () => {
  const t = await createTempRepo();
  const outside = mkdtempSync(join(tmpdir(), 'strata-outside-'));
  try {
    t.write('data/model.bin', 'weights');
    symlinkSync('model.bin', join(t.root, 'data/latest'));
    await commit(t.repo, { message: 'one' });
    writeFileSync(join(outside, 'victim'), 'outside data');
    unlinkSync(join(t.root, 'data/model.bin'));
    symlinkSync(join(outside, 'victim'), join(t.root, 'data/model.bin'));
    unlinkSync(join(t.root, 'data/latest'));
    await restorePaths(t.repo, ['data'], { cwd: t.root, force: true });
    assert.equal(readFileSync(join(outside, 'victim'), 'utf8'), 'outside data');
    assert.ok(lstatSync(join(t.root, 'data/model.bin')).isFile());
    assert.equal(readFileSync(join(t.root, 'data/model.bin'), 'utf8'), 'weights');
    assert.equal(readlinkSync(join(t.root, 'data/latest')), 'model.bin');
  } finally {
    rmSync(outside, { recursive: true, force: true });
    await t.done();
  }
});

test('file entries: trees written before symlinks were versioned still read', () => {
  const hash = 'ab'.repeat(32);
  // The old encoding: hash, size, flags 0 or 1 (executable).
  const old = Buffer.concat([Buffer.from(hash, 'hex'), Buffer.from([5, 1])]);
  assert.deepEqual(decodeFileEntry(old), { hash, size: 5, executable: true });
  assert.deepEqual(encodeFileEntry({ hash, size: 5, executable: true }), old);
  const link = encodeFileEntry({ hash, size: 5, executable: false, symlink: true });
  assert.deepEqual(decodeFileEntry(link), { hash, size: 5, executable: false, symlink: true });
  const unknown = Buffer.concat([Buffer.from(hash, 'hex'), Buffer.from([5, 8])]);
  assert.throws(() => decodeFileEntry(unknown), { code: 'E_CORRUPT_OBJECT' });
});

test('a symlinked folder inside a resource is one symlink entry, never descended into', async () => {
  const t = await createTempRepo();
  try {
    mkdirSync(join(t.root, 'data/real'), { recursive: true });
    writeFileSync(join(t.root, 'data/real/x'), 'x');
    symlinkSync('real', join(t.root, 'data/alias'));
    await commit(t.repo, { message: 'alias' });
    const paths = (await readCommitTree(t.repo, (await status(t.repo)).commit)).resources.data!.files;
    assert.equal(paths, 2); // real/x and alias, not alias/x
  } finally {
    await t.done();
  }
});

test('checkout switches between a folder and a symlink of the same name, both ways', async () => {
  const t = await createTempRepo();
  try {
    t.write('data/v1/x.csv', '1');
    t.write('data/current/x.csv', 'copy');
    await commit(t.repo, { message: 'folder' });
    await createBranch(t.repo, 'linked');
    await checkout(t.repo, 'linked');
    rmSync(join(t.root, 'data/current'), { recursive: true });
    symlinkSync('v1', join(t.root, 'data/current'));
    await commit(t.repo, { message: 'symlink' });
    await checkout(t.repo, 'main');
    assert.ok(lstatSync(join(t.root, 'data/current')).isDirectory());
    assert.equal(readFileSync(join(t.root, 'data/current/x.csv'), 'utf8'), 'copy');
    assert.equal(readFileSync(join(t.root, 'data/v1/x.csv'), 'utf8'), '1');
    await checkout(t.repo, 'linked');
    assert.equal(readlinkSync(join(t.root, 'data/current')), 'v1');
    assert.equal(readFileSync(join(t.root, 'data/v1/x.csv'), 'utf8'), '1');
    assert.deepEqual(await changed(t.repo), []);
  } finally {
    await t.done();
  }
});
