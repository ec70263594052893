import assert from 'node:assert/strict';
import { rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { commit } from '../commit/create-commit.js';
import { readCommitTree } from '../objects/read-objects.js';
import { createBranch } from '../refs/branches.js';
import { readHead } from '../refs/refs.js';
import { spyOnStatCache } from '../test-support/stat-cache-spy.js';
import { createTempRepo } from '../test-support/temp-repo.js';
import { checkout } from './checkout.js';
import { restorePaths } from './restore.js';
import { status } from './status.js';

type Temp = Awaited<ReturnType<typeof createTempRepo>>;

/** Writes a file with an mtime `agoS` seconds back: clear of the racy window, so digests count. */
function put(t: Temp, path: string, content: string, agoS = 30): void {
  t.write(`data/${path}`, content);
  const when = Date.now() / 1000 - agoS;
  utimesSync(join(t.root, 'data', path), when, when);
}

const author = { author: 'a', authorEmail: 'a@b.c' };

/** Two branches: `main` and `other`, which rewrites a/, removes c/two and adds n/new. */
async function twoBranches(t: Temp): Promise<void> {
  for (let i = 0; i < 4; i++) put(t, `a/f${i}`, `a${i}`);
  put(t, 'b/keep', 'b');
  put(t, 'c/one', 'c1');
  put(t, 'c/two', 'c2');
  await commit(t.repo, { message: 'main', ...author });
  await createBranch(t.repo, 'other');
  await checkout(t.repo, 'other');
  for (let i = 0; i < 4; i++) put(t, `a/f${i}`, `A${i}!`, 20);
  rmSync(join(t.root, 'data/c/two'));
  put(t, 'n/new', 'new', 20);
  await commit(t.repo, { message: 'other', ...author });
  await checkout(t.repo, 'main');
}

describe('the scan state a checkout leaves', () => {
  it('names the new HEAD: the next status reads only the folders the checkout wrote', async () => {
    const t = await createTempRepo();
    try {
      await twoBranches(t);
      await checkout(t.repo, 'other');
      const head = await readCommitTree(t.repo, (await readHead(t.repo)).commit);
      const scan = (await t.repo.catalog.loadScanStates()).get('data')!;
      assert.equal(scan.mapRoot, head.resources.data!.map);
      // a/ and c/ were rewritten, n/ is new: only b/'s digest is kept.
      assert.deepEqual(
        [...scan.folders!].filter(([, digest]) => digest !== '').map(([folder]) => folder),
        ['b'],
      );
      const seen = spyOnStatCache(t.repo);
      assert.deepEqual((await status(t.repo)).changes, []);
      assert.deepEqual(seen.whole, []);
      assert.deepEqual(seen.folders, [['a', 'c', 'n']]);
      // And back: n/ goes away with its only file, c/two comes back.
      await checkout(t.repo, 'main');
      seen.folders.length = 0;
      assert.deepEqual((await status(t.repo)).changes, []);
      assert.deepEqual(seen.whole, []);
      assert.deepEqual(seen.folders, [['a', 'c', 'n']]);
      put(t, 'n/late', 'late', 5);
      assert.deepEqual(
        (await status(t.repo)).changes.map((c) => `${c.path} ${c.change}`),
        ['n/late added'],
      );
    } finally {
      await t.done();
    }
  });

  it('never hides a change made after the checkout, in a folder it wrote or in one it did not', async () => {
    const t = await createTempRepo();
    try {
      await twoBranches(t);
      await checkout(t.repo, 'other');
      // Same size, same inode, same mtime as the checkout wrote it: within the racy window, only
      // re-reading the file can tell.
      const abs = join(t.root, 'data/a/f1');
      const before = statSync(abs);
      writeFileSync(abs, 'A1?!');
      utimesSync(abs, before.atime, before.mtime);
      put(t, 'b/keep', 'B', 5);
      rmSync(join(t.root, 'data/n/new'));
      const changes = (await status(t.repo)).changes.map((c) => `${c.path} ${c.change}`);
      assert.deepEqual(changes, ['a/f1 modified', 'b/keep modified', 'n/new removed']);
    } finally {
      await t.done();
    }
  });

  it('is left alone by a restore of some paths (HEAD does not move)', async () => {
    const t = await createTempRepo();
    try {
      await twoBranches(t);
      const before = (await t.repo.catalog.loadScanStates()).get('data')!;
      put(t, 'a/f1', 'scribble', 10);
      await restorePaths(t.repo, ['data/a/f1'], { force: true, cwd: t.root });
      const after = (await t.repo.catalog.loadScanStates()).get('data')!;
      assert.equal(after.mapRoot, before.mapRoot);
      assert.deepEqual((await status(t.repo)).changes, []);
    } finally {
      await t.done();
    }
  });
});
