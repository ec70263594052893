import assert from 'node:assert/strict';
import { chmodSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { commit } from '../commit/create-commit.js';
import { readCommitTree } from '../objects/read-objects.js';
import { readHead } from '../refs/refs.js';
import { spyOnStatCache } from '../test-support/stat-cache-spy.js';
import { createTempRepo } from '../test-support/temp-repo.js';
import { hashFileSync } from '../../util/hash-file.js';
import { status } from './status.js';
import { readWorkingState } from './working-state.js';

type Temp = Awaited<ReturnType<typeof createTempRepo>>;

/** Writes a file with an mtime `agoS` seconds back: clear of the racy window, so digests count. */
function put(t: Temp, path: string, content: string, agoS = 30): void {
  t.write(`data/${path}`, content);
  const when = Date.now() / 1000 - agoS;
  utimesSync(join(t.root, 'data', path), when, when);
}

/** HEAD's snapshot of `data` against one built from scratch from the files on disk. */
async function expectHeadMatchesDisk(t: Temp): Promise<void> {
  const head = await readCommitTree(t.repo, (await readHead(t.repo)).commit);
  const full = await readWorkingState(t.repo, { hashFile: async (f) => hashFileSync(f.abs) });
  const pick = (s: { map: string; files: number; bytes: number }) => [s.map, s.files, s.bytes];
  assert.deepEqual(pick(head.resources.data!), pick(full.tree.resources.data!));
}

describe('editing the base map from changed folders', () => {
  const seed = (t: Temp) => {
    for (let i = 0; i < 5; i++) put(t, `a/f${i}`, `a${i}`);
    put(t, 'a/b/deep', 'deep');
    put(t, 'c/one', 'c1');
    put(t, 'c/two', 'c2');
    put(t, 'top.txt', 'top');
    put(t, 'same/s', 'unchanged');
  };
  const change = (t: Temp) => {
    put(t, 'a/f0', 'a0 changed', 20);
    rmSync(join(t.root, 'data/a/f1'));
    chmodSync(join(t.root, 'data/a/f2'), 0o755);
    rmSync(join(t.root, 'data/c'), { recursive: true });
    put(t, 'new/d/e', 'new');
    put(t, 'top2.txt', 'another top file');
  };
  const expected = [
    'a/f0 modified',
    'a/f1 removed',
    'a/f2 modified',
    'c/one removed',
    'c/two removed',
    'new/d/e added',
    'top2.txt added',
  ];

  it('commits only the changed folders, reading only their stat-cache rows', async () => {
    const t = await createTempRepo();
    try {
      seed(t);
      await commit(t.repo, { message: 'first', author: 'a', authorEmail: 'a@b.c' });
      change(t);
      const seen = spyOnStatCache(t.repo);
      const result = await commit(t.repo, { message: 'second', author: 'a', authorEmail: 'a@b.c' });
      assert.equal(result.changes, expected.length);
      assert.deepEqual(seen.whole, []);
      assert.deepEqual(seen.folders, [['', 'a', 'c', 'new/d']]);
      await expectHeadMatchesDisk(t);
      assert.deepEqual((await status(t.repo)).changes, []);
    } finally {
      await t.done();
    }
  });

  it('keeps editing the base after a status that saw the changes', async () => {
    const t = await createTempRepo();
    try {
      seed(t);
      await commit(t.repo, { message: 'first', author: 'a', authorEmail: 'a@b.c' });
      change(t);
      const seen = spyOnStatCache(t.repo);
      for (let i = 0; i < 2; i++) {
        const report = await status(t.repo);
        assert.deepEqual(
          report.changes.map((c) => `${c.path} ${c.change}`),
          expected,
        );
      }
      await commit(t.repo, { message: 'second', author: 'a', authorEmail: 'a@b.c' });
      assert.deepEqual(seen.whole, []);
      await expectHeadMatchesDisk(t);
      seen.whole.length = 0; // the check above rebuilt the map from every row
      // Back to the first state's content: removals and additions again, still by editing.
      rmSync(join(t.root, 'data/new'), { recursive: true });
      put(t, 'c/one', 'c1', 10);
      await commit(t.repo, { message: 'third', author: 'a', authorEmail: 'a@b.c' });
      assert.deepEqual(seen.whole, []);
      await expectHeadMatchesDisk(t);
    } finally {
      await t.done();
    }
  });

  it('reads a folder whose files were written within the racy window of the last scan', async () => {
    const t = await createTempRepo();
    try {
      seed(t);
      put(t, 'same/s', 'unchanged', 0);
      await commit(t.repo, { message: 'first', author: 'a', authorEmail: 'a@b.c' });
      // Same size, same inode, same mtime: the folder's digest cannot tell. Only the racy rule
      // (the mtime is within a second of the scan) sends the folder through the stat cache.
      const abs = join(t.root, 'data/same/s');
      const before = statSync(abs);
      writeFileSync(abs, 'UNCHANGED');
      utimesSync(abs, before.atime, before.mtime);
      const report = await status(t.repo);
      assert.deepEqual(
        report.changes.map((c) => `${c.path} ${c.change}`),
        ['same/s modified'],
      );
    } finally {
      await t.done();
    }
  });
});
