import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { commit } from './commit/create-commit.js';
import { diffRevisions } from './diff/diff-revisions.js';
import { log } from './history/log.js';
import { createBranch, deleteBranch, createTag } from './refs/branches.js';
import { readHead } from './refs/refs.js';
import { findRepositoryRoot } from './repository.js';
import { checkout } from './worktree/checkout.js';
import { restorePaths } from './worktree/restore.js';
import { status } from './worktree/status.js';
import { readWorkingState } from './worktree/working-state.js';
import { hashFileSync } from '../util/hash-file.js';
import { createTempRepo } from './test-support/temp-repo.js';
import { fsck } from './maintenance/fsck.js';
import { gc } from './maintenance/gc.js';

/** Pushes mtimes into the past so the stat cache trusts them (it distrusts files younger than 1 s). */
function age(root: string, ...paths: string[]): void {
  const past = new Date(Date.now() - 10_000);
  for (const p of paths) utimesSync(join(root, p), past, past);
}

async function packedObjects(repo: {
  catalog: { packIndex: { entries(): AsyncIterable<unknown> } };
}): Promise<number> {
  let n = 0;
  for await (const _ of repo.catalog.packIndex.entries()) n++;
  return n;
}

test('commit, status, diff and log over a folder resource', async () => {
  const t = await createTempRepo();
  try {
    t.write('data/a.txt', 'alpha');
    t.write('data/sub/b.txt', 'beta');
    const first = await status(t.repo);
    assert.deepEqual(
      first.changes.map((c) => [c.resource, c.path, c.change]),
      [
        ['data', 'a.txt', 'added'],
        ['data', 'sub/b.txt', 'added'],
      ],
    );
    const c1 = await commit(t.repo, { message: 'one' });
    assert.equal(c1.branch, 'main');
    assert.equal(c1.changes, 2);
    assert.equal((await status(t.repo)).changes.length, 0);
    t.write('data/a.txt', 'ALPHA!');
    rmSync(join(t.root, 'data/sub/b.txt'));
    t.write('data/c.txt', 'gamma');
    const changes = await diffRevisions(t.repo);
    assert.deepEqual(
      changes.map((c) => [c.path, c.change, c.before?.size, c.after?.size]),
      [
        ['a.txt', 'modified', 5, 6],
        ['c.txt', 'added', undefined, 5],
        ['sub/b.txt', 'removed', 4, undefined],
      ],
    );
    const c2 = await commit(t.repo, { message: 'two', tags: ['v2'] });
    const history = await log(t.repo);
    assert.deepEqual(
      history.map((e) => [e.id, e.message, e.parents]),
      [
        [c2.id, 'two', [c1.id]],
        [c1.id, 'one', []],
      ],
    );
    assert.deepEqual(history[0]!.tags, ['v2']);
    assert.equal((await diffRevisions(t.repo, c1.id, 'v2')).length, 3);
    await assert.rejects(commit(t.repo, { message: 'again' }), { code: 'E_NOTHING_TO_COMMIT' });
  } finally {
    await t.done();
  }
});

test('a commit that changes k of n files writes O(k log n) objects', async () => {
  const t = await createTempRepo();
  try {
    for (let i = 0; i < 3000; i++) t.write(`data/d${i % 30}/f${i}.bin`, `content ${i}`);
    await commit(t.repo, { message: 'base' });
    const before = await packedObjects(t.repo);
    for (let i = 0; i < 5; i++) t.write(`data/d${i}/f${i * 7}.bin`, `changed ${i}`);
    await commit(t.repo, { message: 'five' });
    const written = (await packedObjects(t.repo)) - before;
    // 5 blobs + at most ~3 nodes per changed leaf path + root tree + commit.
    assert.ok(written <= 5 + 5 * 3 + 2, `wrote ${written} objects`);
  } finally {
    await t.done();
  }
});

test('the stat cache keeps unchanged files from being read again', async () => {
  const t = await createTempRepo();
  try {
    for (let i = 0; i < 50; i++) t.write(`data/f${i}`, `x${i}`);
    age(t.root, ...Array.from({ length: 50 }, (_, i) => `data/f${i}`));
    await commit(t.repo, { message: 'base' });
    const again = await status(t.repo);
    assert.equal(again.hashed, 0);
    t.write('data/f3', 'changed');
    const after = await status(t.repo);
    assert.equal(after.hashed, 1);
    assert.deepEqual(
      after.changes.map((c) => c.path),
      ['f3'],
    );
  } finally {
    await t.done();
  }
});

test('a file that vanishes mid-scan is treated as removed, not as an error', async () => {
  const t = await createTempRepo();
  try {
    t.write('data/keep', 'k');
    t.write('data/vanish', 'v');
    const state = await readWorkingState(t.repo, {
      hashFile: async (f) => hashFileSync(f.abs),
      hooks: { beforeStat: (abs) => abs.endsWith('vanish') && rmSync(abs) },
    });
    assert.deepEqual(
      state.resources[0]!.files.map((f) => f.path),
      ['keep'],
    );
  } finally {
    await t.done();
  }
});

test('checkout rewrites only what differs and refuses to lose uncommitted work', async () => {
  const t = await createTempRepo({ data: 'source-data', results: 'results' });
  try {
    t.write('data/a', 'a1');
    t.write('data/b', 'b1');
    const c1 = await commit(t.repo, { message: 'one' });
    await createBranch(t.repo, 'exp');
    await checkout(t.repo, 'exp');
    assert.equal((await readHead(t.repo)).branch, 'exp');
    t.write('data/a', 'a2');
    t.write('results/metrics.json', '{"acc": 1}');
    const c2 = await commit(t.repo, { message: 'two' });
    const r = await checkout(t.repo, 'main');
    assert.equal(r.updated, 1);
    assert.equal(readFileSync(join(t.root, 'data/a'), 'utf8'), 'a1');
    // Results are additive: checking out an older commit never deletes them.
    assert.ok(existsSync(join(t.root, 'results/metrics.json')));
    t.write('data/a', 'local edit');
    await assert.rejects(checkout(t.repo, c2.id), { code: 'E_UNCOMMITTED_CHANGES' });
    assert.equal(readFileSync(join(t.root, 'data/a'), 'utf8'), 'local edit');
    assert.equal((await readHead(t.repo)).branch, 'main');
    const forced = await checkout(t.repo, c2.id, { force: true });
    assert.equal(forced.branch, null);
    assert.equal((await readHead(t.repo)).commit, c2.id);
    assert.equal(readFileSync(join(t.root, 'data/a'), 'utf8'), 'a2');
    await checkout(t.repo, c1.id);
    assert.equal(readFileSync(join(t.root, 'data/a'), 'utf8'), 'a1');
  } finally {
    await t.done();
  }
});

test('restore brings back deleted files freely and modified ones only with force', async () => {
  const t = await createTempRepo();
  try {
    t.write('data/x/1', 'one');
    t.write('data/x/2', 'two');
    t.write('data/y', 'why');
    await commit(t.repo, { message: 'base' });
    rmSync(join(t.root, 'data/x/1'));
    t.write('data/x/2', 'edited');
    t.write('data/y', 'edited too');
    await assert.rejects(restorePaths(t.repo, ['data/x'], { cwd: t.root }), {
      code: 'E_UNCOMMITTED_CHANGES',
    });
    assert.equal(readFileSync(join(t.root, 'data/x/2'), 'utf8'), 'edited');
    assert.equal(await restorePaths(t.repo, ['data/x/1'], { cwd: t.root }), 1);
    assert.equal(readFileSync(join(t.root, 'data/x/1'), 'utf8'), 'one');
    assert.equal(await restorePaths(t.repo, ['data/x'], { cwd: t.root, force: true }), 1);
    assert.equal(readFileSync(join(t.root, 'data/x/2'), 'utf8'), 'two');
    assert.equal(readFileSync(join(t.root, 'data/y'), 'utf8'), 'edited too');
    await assert.rejects(restorePaths(t.repo, ['elsewhere'], { cwd: t.root }), { code: 'E_NOT_FOUND' });
    await assert.rejects(restorePaths(t.repo, ['data/never-there'], { cwd: t.root }), {
      code: 'E_NOT_FOUND',
    });
    await assert.rejects(restorePaths(t.repo, ['../outside'], { cwd: t.root }), {
      code: 'E_INVALID_ARGUMENT',
    });
  } finally {
    await t.done();
  }
});

test('refs: bad names, existing tags, the current branch, unknown revisions', async () => {
  const t = await createTempRepo();
  try {
    t.write('data/a', 'a');
    await commit(t.repo, { message: 'one', tags: ['v1'] });
    await assert.rejects(createBranch(t.repo, 'bad..name'), { code: 'E_INVALID_ARGUMENT' });
    await assert.rejects(createBranch(t.repo, 'has space'), { code: 'E_INVALID_ARGUMENT' });
    await assert.rejects(createTag(t.repo, 'v1'), { code: 'E_ALREADY_EXISTS' });
    t.write('data/a', 'b');
    await assert.rejects(commit(t.repo, { message: 'x', tags: ['v1'] }), { code: 'E_ALREADY_EXISTS' });
    await assert.rejects(deleteBranch(t.repo, 'main'), { code: 'E_INVALID_ARGUMENT' });
    await assert.rejects(checkout(t.repo, 'no-such-branch'), { code: 'E_NOT_FOUND' });
    await assert.rejects(diffRevisions(t.repo, 'HEAD~5'), { code: 'E_NOT_FOUND' });
  } finally {
    await t.done();
  }
});

test('a second writer gets a lock error naming the holder', async () => {
  const t = await createTempRepo();
  try {
    t.write('data/a', 'a');
    await t.repo.catalog.acquireLocks(['worktree'], {
      pid: 1,
      host: 'other-host',
      startedAt: '2026-01-01T00:00:00Z',
      command: 'strata commit',
    });
    await assert.rejects(
      commit(t.repo, { message: 'blocked' }),
      (err: { code: string; data: { holder: { pid: number; host: string } } }) => {
        assert.equal(err.code, 'E_LOCKED');
        assert.equal(err.data.holder.pid, 1);
        assert.equal(err.data.holder.host, 'other-host');
        return true;
      },
    );
    assert.equal((await readHead(t.repo)).commit, null);
  } finally {
    await t.done();
  }
});

test('gc removes what no ref reaches and keeps the rest; fsck stays ok', async () => {
  const t = await createTempRepo();
  try {
    t.write('data/a', 'kept');
    await commit(t.repo, { message: 'one' });
    await createBranch(t.repo, 'tmp');
    await checkout(t.repo, 'tmp');
    t.write('data/b', 'only on tmp');
    await commit(t.repo, { message: 'two' });
    await checkout(t.repo, 'main');
    await deleteBranch(t.repo, 'tmp');
    const report = await gc(t.repo);
    assert.ok(report.removed >= 3, `removed ${report.removed}`);
    assert.deepEqual(await gc(t.repo), {
      reachable: report.reachable,
      removed: 0,
      dryRun: false,
      leftovers: { removedTempFiles: 0, removedPacks: 0, reindexedPacks: 0 },
    });
    const check = await fsck(t.repo);
    assert.equal(check.ok, true);
    assert.equal(check.objects, report.reachable);
  } finally {
    await t.done();
  }
});

test('a subfolder finds its repository; elsewhere it is an error', async () => {
  const t = await createTempRepo();
  try {
    assert.equal(findRepositoryRoot(join(t.root, 'data')), t.root);
    assert.throws(() => findRepositoryRoot('/'), { code: 'E_NOT_A_REPOSITORY' });
  } finally {
    await t.done();
  }
});

test('a crafted tree with ../ paths is refused at checkout and writes nothing outside', async () => {
  const t = await createTempRepo();
  try {
    t.write('data/ok', 'fine');
    const good = await commit(t.repo, { message: 'good' });
    const { buildMap } = await import('./merkle/build-map.js');
    const { encodeFileEntry } = await import('./objects/file-entry.js');
    const { encodeCommit, encodeRootTree } = await import('./objects/commit-object.js');
    const writer = t.repo.store.createWriter();
    const blob = await writer.add(Buffer.from('evil'));
    const map = buildMap([
      { key: '../../escaped', value: encodeFileEntry({ hash: blob, size: 4, executable: false }) },
    ]);
    for (const node of map.nodes) await writer.add(node.bytes);
    const root = {
      resources: {
        data: { role: 'source-data', type: 'folder', path: 'data', map: map.root, files: 1, bytes: 4 },
      },
    };
    const treeId = await writer.add(encodeRootTree(root));
    const bad = await writer.add(
      encodeCommit({
        tree: treeId,
        parents: [good.id],
        message: 'evil',
        author: 'x',
        time: new Date().toISOString(),
        tags: [],
      }),
    );
    await writer.commit();
    await t.repo.catalog.updateRef('refs/tags/evil', bad, null);
    await assert.rejects(checkout(t.repo, 'evil', { force: true }), { code: 'E_CORRUPT_OBJECT' });
    assert.equal(existsSync(join(t.root, '..', 'escaped')), false);
    assert.equal((await readHead(t.repo)).commit, good.id);
  } finally {
    await t.done();
  }
});

test('sections added by capabilities are committed, reachable for fsck and kept by gc', async () => {
  const t = await createTempRepo();
  try {
    t.write('data/a', 'a');
    await commit(t.repo, { message: 'one' });
    const writer = t.repo.store.createWriter();
    const blob = await writer.add(Buffer.from('{"steps": []}'));
    await writer.commit();
    const c2 = await commit(t.repo, {
      message: 'lineage only',
      sections: { lineage: { version: 1, refs: [blob] } },
    });
    assert.equal(c2.changes, 0);
    const { readCommitTree } = await import('./objects/read-objects.js');
    assert.deepEqual((await readCommitTree(t.repo, c2.id)).lineage, { version: 1, refs: [blob] });
    await assert.rejects(
      commit(t.repo, { message: 'same', sections: { lineage: { version: 1, refs: [blob] } } }),
      {
        code: 'E_NOTHING_TO_COMMIT',
      },
    );
    assert.equal((await gc(t.repo)).removed, 0);
    const check = await fsck(t.repo);
    assert.equal(check.ok, true);
    await assert.rejects(commit(t.repo, { message: 'x', sections: { resources: {} } }), {
      code: 'E_INVALID_ARGUMENT',
    });
  } finally {
    await t.done();
  }
});
