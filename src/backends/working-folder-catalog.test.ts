import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openSqliteCatalog } from '../catalog/sqlite/sqlite-catalog.js';
import { workingFolderCatalog } from './working-folder-catalog.js';

/** Two working folders over one "shared" catalog (SQLite stands in for PostgreSQL: same port). */
async function twoFolders() {
  const dir = mkdtempSync(join(tmpdir(), 'strata-wfc-'));
  const open = (name: string) => openSqliteCatalog({ path: join(dir, name), create: true });
  const sharedA = await open('shared.db');
  const sharedB = await open('shared.db');
  const a = workingFolderCatalog(sharedA, await open('a.db'));
  const b = workingFolderCatalog(sharedB, await open('b.db'));
  return {
    a,
    b,
    async done() {
      await a.close();
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('a shared catalog seen from one working folder', () => {
  it('HEAD is per working folder; branches are shared', async () => {
    const t = await twoFolders();
    try {
      await t.a.setSymbolicRef('HEAD', { symbolic: 'refs/heads/main' });
      await t.b.setSymbolicRef('HEAD', { symbolic: 'refs/heads/dev' });
      await t.a.updateRef('refs/heads/main', 'c1', null);
      assert.equal((await t.a.getRef('HEAD'))?.symbolic, 'refs/heads/main');
      assert.equal((await t.b.getRef('HEAD'))?.symbolic, 'refs/heads/dev');
      assert.equal((await t.b.getRef('refs/heads/main'))?.target, 'c1');
      assert.deepEqual(
        (await t.b.listRefs()).map((r) => r.name),
        ['HEAD', 'refs/heads/main'],
      );
    } finally {
      await t.done();
    }
  });

  it('a folder left behind by the other folder’s commit cannot move its branch; after catching up it can', async () => {
    const t = await twoFolders();
    try {
      await t.a.setSymbolicRef('HEAD', { symbolic: 'refs/heads/main' });
      await t.a.updateRef('refs/heads/main', 'c1', null);
      await t.b.setSymbolicRef('HEAD', { symbolic: 'refs/heads/main' }); // B checks out c1
      await t.a.updateRef('refs/heads/main', 'c2', 'c1'); // A commits on top
      // B's commit reads the tip (c2) as its parent, but its files are at c1: refused.
      await assert.rejects(t.b.updateRef('refs/heads/main', 'c3', 'c2'), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'E_CONFLICT');
        assert.match(err.message, /behind 'main'.*strata checkout -b NAME c1/);
        return true;
      });
      assert.equal((await t.a.getRef('refs/heads/main'))?.target, 'c2', 'nothing was overwritten');
      // Other branches are not this folder's: creating one needs no catching up.
      await t.b.updateRef('refs/heads/mine', 'c1', null);
      await t.b.setSymbolicRef('HEAD', { symbolic: 'refs/heads/main' }); // B checks out c2
      await t.b.updateRef('refs/heads/main', 'c3', 'c2');
      assert.equal((await t.a.getRef('refs/heads/main'))?.target, 'c3');
    } finally {
      await t.done();
    }
  });

  it('the stat cache is per working folder: one folder never trusts the other’s file stats', async () => {
    const t = await twoFolders();
    try {
      const entry = { resource: 'data', path: 'x', size: 1, mtimeMs: 1, ino: 1, hash: 'h', recordedMs: 5 };
      await t.a.updateStatCache([entry]);
      assert.equal((await t.a.loadStatCache('data')).size, 1);
      assert.equal((await t.b.loadStatCache('data')).size, 0);
    } finally {
      await t.done();
    }
  });
});
