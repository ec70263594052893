import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StatCache, StatCacheEntry } from './ports/stat-cache.js';

/** A stat cache entry for tests, with values that must survive the round trip exactly. */
export function stat(resource: string, i: number, hash = `h${i}`): StatCacheEntry {
  // Fractional times and values above 2^32 must survive the round trip exactly.
  return {
    resource,
    path: `dir/f${i}.bin`,
    size: 2 ** 40 + i,
    mtimeMs: 1.7e12 + i + 0.25,
    ino: 2 ** 50 + i,
    hash,
    recordedMs: 1.7e12 + i,
  };
}

/** The `StatCache` port's behaviour, on the catalog `ctx` holds during each test. */
export function runStatCacheConformance(ctx: { readonly catalog: StatCache }): void {
  describe('stat cache', () => {
    it('stores 5,000 entries in one call and loads them per resource, exactly', async () => {
      const entries = Array.from({ length: 5_000 }, (_, i) => stat(i % 2 ? 'data' : 'code', i));
      await ctx.catalog.updateStatCache(entries);
      const data = await ctx.catalog.loadStatCache('data');
      assert.equal(data.size, 2_500);
      assert.deepEqual(data.get('dir/f4999.bin'), stat('data', 4999));
      assert.equal((await ctx.catalog.loadStatCache('code')).size, 2_500);
      assert.equal((await ctx.catalog.loadStatCache('other')).size, 0);
    });

    it('replaces entries; within one call the last entry for a path wins', async () => {
      await ctx.catalog.updateStatCache([stat('data', 1), stat('data', 2)]);
      await ctx.catalog.updateStatCache([
        stat('data', 1, 'new'),
        stat('data', 2, 'first'),
        stat('data', 2, 'last'),
      ]);
      const data = await ctx.catalog.loadStatCache('data');
      assert.deepEqual([...data.values()].map((e) => e.hash).sort(), ['last', 'new']);
      await ctx.catalog.updateStatCache([]);
      assert.equal((await ctx.catalog.loadStatCache('data')).size, 2);
    });

    it('removes (resource, path) pairs, many at once, alongside upserts', async () => {
      await ctx.catalog.updateStatCache([
        ...Array.from({ length: 3_000 }, (_, i) => stat('data', i)),
        stat('code', 0),
      ]);
      const remove = Array.from({ length: 2_000 }, (_, i) => ({ resource: 'data', path: `dir/f${i}.bin` }));
      remove.push({ resource: 'data', path: 'missing' });
      await ctx.catalog.updateStatCache([stat('data', 5_000)], remove);
      const data = await ctx.catalog.loadStatCache('data');
      assert.equal(data.size, 1_001);
      assert.ok(data.has('dir/f2000.bin') && data.has('dir/f5000.bin') && !data.has('dir/f0.bin'));
      assert.ok((await ctx.catalog.loadStatCache('code')).has('dir/f0.bin'));
      await ctx.catalog.updateStatCache([], [{ resource: 'code', path: 'dir/f0.bin' }]);
      assert.equal((await ctx.catalog.loadStatCache('code')).size, 0);
    });

    it('clears one resource or all', async () => {
      await ctx.catalog.updateStatCache([stat('a', 1), stat('b', 1), stat('c', 1)]);
      await ctx.catalog.clearStatCache('a');
      assert.equal((await ctx.catalog.loadStatCache('a')).size, 0);
      assert.equal((await ctx.catalog.loadStatCache('b')).size, 1);
      await ctx.catalog.clearStatCache();
      assert.equal(
        (await ctx.catalog.loadStatCache('b')).size + (await ctx.catalog.loadStatCache('c')).size,
        0,
      );
    });

    it('keeps one scan state per resource, replaced on save, cleared with the stat cache', async () => {
      const scan = (resource: string, fingerprint: string) => ({
        resource,
        fingerprint,
        mapRoot: `root-${fingerprint}`,
        files: 2 ** 35,
        bytes: 2 ** 52,
        recordedMs: 1.7e12 + 0.5,
      });
      assert.equal((await ctx.catalog.loadScanStates()).size, 0);
      await ctx.catalog.saveScanStates([scan('a', 'f1'), scan('b', 'f2')]);
      await ctx.catalog.saveScanStates([scan('a', 'f3')]);
      const states = await ctx.catalog.loadScanStates();
      assert.deepEqual(states.get('a'), scan('a', 'f3'));
      assert.deepEqual(states.get('b'), scan('b', 'f2'));
      await ctx.catalog.clearStatCache('a');
      assert.deepEqual([...(await ctx.catalog.loadScanStates()).keys()], ['b']);
      await ctx.catalog.clearStatCache();
      assert.equal((await ctx.catalog.loadScanStates()).size, 0);
    });

    it('keeps the folder digests of a scan state', async () => {
      const folders = new Map([
        ['', 'd0'],
        ['a/b', 'd1'],
        ['x\n"y', 'd2'],
      ]);
      const state = { resource: 'a', fingerprint: 'f', mapRoot: 'r', files: 3, bytes: 9, recordedMs: 1 };
      await ctx.catalog.saveScanStates([{ ...state, folders }]);
      assert.deepEqual([...(await ctx.catalog.loadScanStates()).get('a')!.folders!], [...folders]);
      await ctx.catalog.saveScanStates([state]);
      assert.equal((await ctx.catalog.loadScanStates()).get('a')!.folders, undefined);
    });

    it("loads the entries of a folder's own files only", async () => {
      const at = (path: string) => ({ ...stat('r', 1), path });
      const paths = ['top.bin', 'a/one', 'a/two', 'a/b/deep', 'a.txt', 'a0/x', 'ab/y', 'c/z'];
      await ctx.catalog.updateStatCache([...paths.map(at), { ...stat('other', 1), path: 'a/one' }]);
      const keys = async (folders: string[]) =>
        [...(await ctx.catalog.loadStatCacheFolders('r', folders)).keys()].sort();
      assert.deepEqual(await keys(['a']), ['a/one', 'a/two']);
      assert.deepEqual(await keys(['']), ['a.txt', 'top.bin']);
      assert.deepEqual(await keys(['a/b', 'c', 'missing']), ['a/b/deep', 'c/z']);
      assert.deepEqual(await keys([]), []);
      const entry = (await ctx.catalog.loadStatCacheFolders('r', ['a'])).get('a/one');
      assert.deepEqual(entry, at('a/one'));
    });
  });
}
