import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTempRepo } from '../repo/test-support/temp-repo.js';
import { buildMap } from '../repo/merkle/build-map.js';
import { readAllEntries } from '../repo/merkle/read-map.js';
import { decodeFileEntry } from '../repo/objects/file-entry.js';
import { DEFAULT_LARGE_OBJECT_THRESHOLD, FsObjectStore } from '../store/fs/fs-object-store.js';
import { encodeCommit, encodeRootTree } from '../repo/objects/commit-object.js';
import { tagRef } from '../repo/refs/ref-name.js';
import {
  addResource,
  checkout,
  commit,
  createBranch,
  fsck,
  gc,
  readCommitTree,
  restorePaths,
  restoreSnapshot,
  snapshot,
  status,
} from './index.js';

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'strata-local-'));

/** Random bytes, so a test cannot pass by accident with equal contents. */
const bytes = (n: number, seed: number) =>
  Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));

test('issue 10, local folder stored: restore REF brings back the exact bytes of changed and deleted files', async () => {
  const t = await createTempRepo({});
  const ext = tempDir();
  try {
    writeFileSync(join(ext, 'a.bin'), bytes(5000, 1));
    mkdirSync(join(ext, 'sub/deep'), { recursive: true });
    writeFileSync(join(ext, 'sub/deep/b.bin'), bytes(100, 2));
    writeFileSync(join(ext, 'same.txt'), 'same\n');
    await addResource(t.repo, { type: 'local', path: ext, role: 'source-data', name: 'ext' });
    const s1 = await snapshot(t.repo, { message: 'one', tags: ['one'] });
    const snap = (await readCommitTree(t.repo, s1.id)).resources.ext!;
    assert.equal(snap.content, undefined, 'contents are stored by default');
    assert.equal(snap.path, ext);

    writeFileSync(join(ext, 'a.bin'), bytes(6000, 3));
    rmSync(join(ext, 'sub'), { recursive: true });
    writeFileSync(join(ext, 'new.txt'), 'new\n');
    await snapshot(t.repo, { message: 'two' });

    const r = await restoreSnapshot(t.repo, 'one');
    assert.deepEqual(r.skipped, []);
    assert.deepEqual(r.unrestorable, []);
    assert.deepEqual(readFileSync(join(ext, 'a.bin')), bytes(5000, 1));
    assert.deepEqual(readFileSync(join(ext, 'sub/deep/b.bin')), bytes(100, 2));
    assert.ok(!existsSync(join(ext, 'new.txt')), 'a file the snapshot lacks was committed later: it goes');
    assert.deepEqual(
      (await status(t.repo)).changes.map((c) => `${c.resource}/${c.path} ${c.change}`),
      ['ext/a.bin modified', 'ext/new.txt removed', 'ext/sub/deep/b.bin added'],
      'the folder is back at snapshot one (HEAD is still two)',
    );

    // restore PATH brings back one file from a revision.
    writeFileSync(join(ext, 'a.bin'), 'junk');
    await restorePaths(t.repo, [join(ext, 'a.bin')], { source: 'one', force: true });
    assert.deepEqual(readFileSync(join(ext, 'a.bin')), bytes(5000, 1));

    // checkout brings it back too.
    await createBranch(t.repo, 'old', 'one');
    await checkout(t.repo, 'main', { force: true });
    assert.deepEqual(readFileSync(join(ext, 'a.bin')), bytes(6000, 3));
    const back = await checkout(t.repo, 'old');
    assert.deepEqual(back.unrestorable, []);
    assert.deepEqual(readFileSync(join(ext, 'a.bin')), bytes(5000, 1));
    assert.ok(!existsSync(join(ext, 'new.txt')));
  } finally {
    rmSync(ext, { recursive: true, force: true });
    await t.done();
  }
});

test('issue 10, local folder stored: unchanged files are not re-read (stat cache), gc keeps the contents, fsck checks them', async () => {
  const t = await createTempRepo({ data: 'source-data' });
  const ext = tempDir();
  try {
    t.write('data/x.bin', bytes(3000, 7));
    writeFileSync(join(ext, 'x.bin'), bytes(3000, 7));
    // Above the large-object threshold: a big file, stored as a manifest and chunks in packs.
    const big = randomBytes(DEFAULT_LARGE_OBJECT_THRESHOLD + 1000);
    writeFileSync(join(ext, 'y.bin'), big);
    await addResource(t.repo, { type: 'local', path: ext, role: 'source-data', name: 'ext' });
    // Older than the stat cache's racy window, so the cache may vouch for them next time.
    const past = new Date(Date.now() - 60_000);
    for (const f of [join(t.root, 'data/x.bin'), join(ext, 'x.bin'), join(ext, 'y.bin')])
      utimesSync(f, past, past);
    const c1 = await commit(t.repo, { message: 'one' });
    assert.equal(c1.hashed, 3);
    writeFileSync(join(ext, 'z.txt'), 'z');
    const c2 = await commit(t.repo, { message: 'two' });
    assert.equal(c2.hashed, 1, 'unchanged files of the local folder are not read again');

    assert.equal((await fsck(t.repo)).ok, true);
    await gc(t.repo);
    assert.equal((await fsck(t.repo)).ok, true, 'gc kept the local folder contents');

    // Content comes from the store: the whole folder is gone and comes back.
    rmSync(ext, { recursive: true, force: true });
    const restored = await restoreSnapshot(t.repo, c1.id);
    assert.equal(restored.updated, 2);
    assert.ok(readFileSync(join(ext, 'y.bin')).equals(big));
    assert.deepEqual(readFileSync(join(ext, 'x.bin')), bytes(3000, 7));

    // fsck checks a local folder's stored files: a lost object is named, with its path.
    const entries = await readAllEntries(
      t.repo.nodes,
      (await readCommitTree(t.repo, c2.id)).resources.ext!.map,
    );
    const y = decodeFileEntry(entries.find((e) => e.key === 'y.bin')!.value);
    // Its manifest's bytes overwritten in place (the store keeps its packs open, so a deleted
    // pack would still read): fsck re-hashes, and names the object and the file.
    const at = (await t.repo.catalog.packIndex.lookup([y.hash])).get(y.hash)!;
    const fd = openSync((t.repo.store as FsObjectStore).layout.packPath(at.pack), 'r+');
    writeSync(fd, Buffer.alloc(at.length, 0x55), 0, at.length, at.offset);
    closeSync(fd);
    const report = await fsck(t.repo);
    assert.equal(report.ok, false);
    assert.ok(report.problems.some((p) => p.object === y.hash && p.referencedBy === 'y.bin'));
  } finally {
    rmSync(ext, { recursive: true, force: true });
    await t.done();
  }
});

test('issue 10, local folder: a read-only one is never written and restore says it skipped it', async () => {
  const t = await createTempRepo({});
  const ext = tempDir();
  try {
    writeFileSync(join(ext, 'a.txt'), 'v1');
    await addResource(t.repo, { type: 'local', path: ext, role: 'source-data', name: 'ro', readOnly: true });
    await snapshot(t.repo, { message: 'one', tags: ['one'] });
    writeFileSync(join(ext, 'a.txt'), 'v2');
    writeFileSync(join(ext, 'b.txt'), 'b');
    const r = await restoreSnapshot(t.repo, 'one', { force: true });
    assert.deepEqual(r.skipped, [{ resource: 'ro', reason: 'read-only' }]);
    assert.deepEqual(
      r.unrestorable.map((f) => `${f.path} ${f.action} ${f.reason}`),
      // b.txt was never committed: untracked files are never deleted, so it is not in the list.
      ['a.txt write read-only'],
    );
    assert.equal(readFileSync(join(ext, 'a.txt'), 'utf8'), 'v2');
    assert.ok(existsSync(join(ext, 'b.txt')));
    await assert.rejects(restoreSnapshot(t.repo, 'one', { strict: true }), { code: 'E_CANNOT_RESTORE' });
    await assert.rejects(restorePaths(t.repo, [join(ext, 'a.txt')], { source: 'one', strict: true }), {
      code: 'E_CANNOT_RESTORE',
    });
    assert.equal(readFileSync(join(ext, 'a.txt'), 'utf8'), 'v2');
  } finally {
    rmSync(ext, { recursive: true, force: true });
    await t.done();
  }
});

test('issue 10, local folder: reference-only (and snapshots recorded so before) list each file restore cannot bring back', async () => {
  const t = await createTempRepo({});
  const ext = tempDir();
  try {
    writeFileSync(join(ext, 'a.txt'), 'v1');
    writeFileSync(join(ext, 'gone.txt'), 'g');
    await addResource(t.repo, {
      type: 'local',
      path: ext,
      role: 'source-data',
      name: 'ext',
      referenceOnly: true,
    });
    const s1 = await snapshot(t.repo, { message: 'one', tags: ['one'] });
    assert.equal((await readCommitTree(t.repo, s1.id)).resources.ext!.content, 'hashed');
    writeFileSync(join(ext, 'a.txt'), 'v2');
    unlinkSync(join(ext, 'gone.txt'));
    writeFileSync(join(ext, 'extra.txt'), 'e');
    const r = await restoreSnapshot(t.repo, 'one', { force: true });
    assert.deepEqual(r.skipped, [{ resource: 'ext', reason: 'contents not stored' }]);
    assert.deepEqual(
      r.unrestorable.map((f) => `${f.path} ${f.action} ${f.reason}`),
      // extra.txt was never committed: kept as an untracked file, not a file restore failed on.
      ['a.txt write reference-only', 'gone.txt write reference-only'],
    );
    assert.equal(readFileSync(join(ext, 'a.txt'), 'utf8'), 'v2');

    // An old snapshot recorded reference-only, restored after the folder became stored (a
    // repository made before contents were stored): it still lists the files, writes none.
    const t2 = await createTempRepo({});
    try {
      const ext2 = tempDir();
      writeFileSync(join(ext2, 'a.txt'), 'old');
      await addResource(t2.repo, {
        type: 'local',
        path: ext2,
        role: 'source-data',
        name: 'ext',
        referenceOnly: true,
      });
      await snapshot(t2.repo, { message: 'old', tags: ['old'] });
      await t2.repo.catalog.removeResource('ext');
      await addResource(t2.repo, { type: 'local', path: ext2, role: 'source-data', name: 'ext' });
      // Even with no file changed, the first commit stores the folder (the content mode changed).
      const stored = await commit(t2.repo, { message: 'now stored' });
      assert.equal(stored.hashed, 1, 'the file was read into the store');
      assert.equal((await readCommitTree(t2.repo, stored.id)).resources.ext!.content, undefined);
      assert.equal((await fsck(t2.repo)).ok, true);
      writeFileSync(join(ext2, 'a.txt'), 'new');
      const r2 = await restoreSnapshot(t2.repo, 'old', { force: true });
      assert.deepEqual(r2.unrestorable, [
        { resource: 'ext', path: 'a.txt', action: 'write', reason: 'reference-only' },
      ]);
      assert.equal(readFileSync(join(ext2, 'a.txt'), 'utf8'), 'new');
      // Back to the stored commit: now it comes back.
      await restorePaths(t2.repo, [join(ext2, 'a.txt')], { source: stored.id, force: true });
      assert.equal(readFileSync(join(ext2, 'a.txt'), 'utf8'), 'old');
      rmSync(ext2, { recursive: true, force: true });
    } finally {
      await t2.done();
    }
  } finally {
    rmSync(ext, { recursive: true, force: true });
    await t.done();
  }
});

test('issue 10, local folder: restore never writes through a symlink inside it to a folder elsewhere', async () => {
  const t = await createTempRepo({});
  const ext = tempDir();
  const elsewhere = tempDir();
  try {
    mkdirSync(join(ext, 'sub'));
    writeFileSync(join(ext, 'sub/a.txt'), 'v1');
    writeFileSync(join(ext, 'top.txt'), 't1');
    await addResource(t.repo, { type: 'local', path: ext, role: 'source-data', name: 'ext' });
    await snapshot(t.repo, { message: 'one', tags: ['one'] });
    // The folder is replaced by a link to a folder outside: a restore must not write there.
    rmSync(join(ext, 'sub'), { recursive: true });
    symlinkSync(elsewhere, join(ext, 'sub'));
    writeFileSync(join(ext, 'top.txt'), 't2');
    const r = await restoreSnapshot(t.repo, 'one', { force: true });
    assert.deepEqual(r.unrestorable, [
      { resource: 'ext', path: 'sub/a.txt', action: 'write', reason: 'symlink' },
    ]);
    assert.ok(!existsSync(join(elsewhere, 'a.txt')), 'nothing written through the link');
    assert.equal(readFileSync(join(ext, 'top.txt'), 'utf8'), 't1', 'the rest is restored');
    await assert.rejects(restoreSnapshot(t.repo, 'one', { strict: true, force: true }), {
      code: 'E_CANNOT_RESTORE',
    });
  } finally {
    rmSync(ext, { recursive: true, force: true });
    rmSync(elsewhere, { recursive: true, force: true });
    await t.done();
  }
});

test('issue 10, local folder: a registered path that is a symlink is resolved; a link swapped in later is refused', async () => {
  const t = await createTempRepo({});
  const real = tempDir();
  const other = tempDir();
  const links = tempDir();
  try {
    writeFileSync(join(real, 'a.txt'), 'v1');
    symlinkSync(real, join(links, 'ds'));
    const r = await addResource(t.repo, {
      type: 'local',
      path: join(links, 'ds'),
      role: 'source-data',
      name: 'ds',
    });
    assert.equal(r.path, real, 'the real folder is recorded');
    symlinkSync(t.root, join(links, 'repo'));
    await assert.rejects(addResource(t.repo, { type: 'local', path: join(links, 'repo'), role: 'code' }), {
      code: 'E_RESOURCE_SYMLINK',
    });
    await snapshot(t.repo, { message: 'one', tags: ['one'] });
    // The registered folder is swapped for a link to somewhere else.
    rmSync(real, { recursive: true });
    symlinkSync(other, real);
    const res = await restoreSnapshot(t.repo, 'one', { force: true });
    assert.deepEqual(res.unrestorable, [
      { resource: 'ds', path: 'a.txt', action: 'write', reason: 'symlink' },
    ]);
    assert.ok(!existsSync(join(other, 'a.txt')));
  } finally {
    for (const d of [real, other, links]) rmSync(d, { recursive: true, force: true });
    await t.done();
  }
});

test('issue 10, local folder: `..` in a stored tree never escapes; a commit cannot redirect writes elsewhere', async () => {
  const t = await createTempRepo({});
  const parent = tempDir();
  const ext = join(parent, 'ext');
  const decoy = join(parent, 'decoy');
  try {
    mkdirSync(ext);
    mkdirSync(decoy);
    writeFileSync(join(ext, 'a.txt'), 'v1');
    await addResource(t.repo, { type: 'local', path: ext, role: 'source-data', name: 'ext' });
    const s1 = await snapshot(t.repo, { message: 'one' });
    const tree = await readCommitTree(t.repo, s1.id);
    const entries = await readAllEntries(t.repo.nodes, tree.resources.ext!.map);
    const good = entries[0]!.value;

    // A crafted commit: a `../` path inside the folder, and the folder's path moved to the decoy.
    const craft = async (tag: string, key: string, path: string) => {
      const map = buildMap([{ key, value: good }]);
      const writer = t.repo.store.createWriter();
      for (const n of map.nodes) await writer.add(n.bytes);
      const root = await writer.add(
        encodeRootTree({ ...tree, resources: { ext: { ...tree.resources.ext!, path, map: map.root } } }),
      );
      const id = await writer.add(
        encodeCommit({ tree: root, parents: [s1.id], message: tag, author: 't', time: '', tags: [] }),
      );
      await writer.commit();
      await t.repo.catalog.updateRef(tagRef(tag), id, null);
    };
    await craft('escape', '../escaped.txt', ext);
    await assert.rejects(restoreSnapshot(t.repo, 'escape', { force: true }), { code: 'E_CORRUPT_OBJECT' });
    assert.ok(!existsSync(join(parent, 'escaped.txt')));

    await craft('moved', 'a.txt', decoy);
    writeFileSync(join(ext, 'a.txt'), 'v2');
    await restoreSnapshot(t.repo, 'moved', { force: true });
    assert.ok(!existsSync(join(decoy, 'a.txt')), 'writes go to the registered folder only');
    assert.equal(readFileSync(join(ext, 'a.txt'), 'utf8'), 'v1');
  } finally {
    rmSync(parent, { recursive: true, force: true });
    await t.done();
  }
});

test('issue 10, local folder: one registered only by a commit (not here) is read-only; a path through a link finds it', async () => {
  const t = await createTempRepo({});
  const ext = tempDir();
  const links = tempDir();
  try {
    writeFileSync(join(ext, 'a.txt'), 'v1');
    await addResource(t.repo, { type: 'local', path: ext, role: 'source-data', name: 'ext' });
    await snapshot(t.repo, { message: 'one', tags: ['one'] });
    writeFileSync(join(ext, 'a.txt'), 'v2');

    // Typed through a symlink, the path still names the registered (real) folder.
    symlinkSync(ext, join(links, 'via'));
    await restorePaths(t.repo, [join(links, 'via', 'a.txt')], { source: 'one', force: true });
    assert.equal(readFileSync(join(ext, 'a.txt'), 'utf8'), 'v1');
    writeFileSync(join(ext, 'a.txt'), 'v2');

    // Forgotten here, then met again in a commit (as a clone would): registered read-only.
    await t.repo.catalog.removeResource('ext');
    const r = await restoreSnapshot(t.repo, 'one', { force: true });
    assert.deepEqual(r.skipped, [{ resource: 'ext', reason: 'read-only' }]);
    assert.equal(readFileSync(join(ext, 'a.txt'), 'utf8'), 'v2', 'never written');
    const record = (await t.repo.catalog.listResources()).find((x) => x.name === 'ext')!;
    assert.equal(record.options.readOnly, true);
  } finally {
    for (const d of [ext, links]) rmSync(d, { recursive: true, force: true });
    await t.done();
  }
});
