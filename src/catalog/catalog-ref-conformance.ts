import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RefStore } from './ports/refs.js';

/** The `RefStore` port's behaviour, on the catalog `ctx` holds during each test. */
export function runRefConformance(ctx: { readonly catalog: RefStore }): void {
  describe('refs', () => {
    it('creates a ref with expected null and reads it back', async () => {
      assert.equal(await ctx.catalog.getRef('refs/heads/main'), undefined);
      await ctx.catalog.updateRef('refs/heads/main', 'c1', null);
      assert.deepEqual(await ctx.catalog.getRef('refs/heads/main'), {
        name: 'refs/heads/main',
        target: 'c1',
        symbolic: null,
      });
    });

    it('rejects creating an existing ref with E_CONFLICT', async () => {
      await ctx.catalog.updateRef('refs/heads/main', 'c1', null);
      await assert.rejects(ctx.catalog.updateRef('refs/heads/main', 'c2', null), { code: 'E_CONFLICT' });
      assert.equal((await ctx.catalog.getRef('refs/heads/main'))?.target, 'c1');
    });

    it('moves a ref by compare-and-swap, and refuses a wrong expected value', async () => {
      await ctx.catalog.updateRef('refs/heads/main', 'c1', null);
      await ctx.catalog.updateRef('refs/heads/main', 'c2', 'c1');
      await assert.rejects(ctx.catalog.updateRef('refs/heads/main', 'c3', 'c1'), { code: 'E_CONFLICT' });
      await assert.rejects(ctx.catalog.updateRef('refs/heads/none', 'c3', 'c1'), { code: 'E_CONFLICT' });
      assert.equal((await ctx.catalog.getRef('refs/heads/main'))?.target, 'c2');
      assert.equal(await ctx.catalog.getRef('refs/heads/none'), undefined);
    });

    it('lets exactly one of 10 concurrent swaps from the same value win', async () => {
      await ctx.catalog.updateRef('refs/heads/main', 'base', null);
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => ctx.catalog.updateRef('refs/heads/main', `c${i}`, 'base')),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) if (r.status === 'rejected') assert.equal(r.reason.code, 'E_CONFLICT');
    });

    it('lists refs sorted, by literal prefix (no wildcards in _ or %)', async () => {
      const names = [
        'refs/heads/a_b',
        'refs/heads/axb',
        'refs/heads/a%c',
        'refs/heads/abc',
        'refs/heads/éa',
        'refs/heads/🙂x',
        'refs/tags/v1',
      ];
      for (const n of names) await ctx.catalog.updateRef(n, `t-${n}`, null);
      await ctx.catalog.setSymbolicRef('HEAD', { symbolic: 'refs/heads/abc' });
      const list = async (prefix?: string) => (await ctx.catalog.listRefs(prefix)).map((r) => r.name);
      assert.deepEqual(await list(), ['HEAD', ...names].sort());
      assert.deepEqual(await list('refs/heads/'), names.slice(0, 6).sort());
      assert.deepEqual(await list('refs/heads/a_'), ['refs/heads/a_b']);
      assert.deepEqual(await list('refs/heads/a%'), ['refs/heads/a%c']);
      assert.deepEqual(await list('refs/heads/é'), ['refs/heads/éa']);
      assert.deepEqual(await list('refs/heads/🙂'), ['refs/heads/🙂x']);
      assert.deepEqual(await list('refs/nothing/'), []);
      assert.deepEqual((await ctx.catalog.listRefs('refs/tags/'))[0], {
        name: 'refs/tags/v1',
        target: 't-refs/tags/v1',
        symbolic: null,
      });
    });

    it('sets a symbolic ref and a detached one, in either order', async () => {
      await ctx.catalog.setSymbolicRef('HEAD', { symbolic: 'refs/heads/main' });
      assert.deepEqual(await ctx.catalog.getRef('HEAD'), {
        name: 'HEAD',
        target: null,
        symbolic: 'refs/heads/main',
      });
      await ctx.catalog.setSymbolicRef('HEAD', { target: 'c9' });
      assert.deepEqual(await ctx.catalog.getRef('HEAD'), { name: 'HEAD', target: 'c9', symbolic: null });
      await ctx.catalog.setSymbolicRef('HEAD', { symbolic: 'refs/heads/dev' });
      assert.deepEqual(await ctx.catalog.getRef('HEAD'), {
        name: 'HEAD',
        target: null,
        symbolic: 'refs/heads/dev',
      });
      await assert.rejects(ctx.catalog.updateRef('HEAD', 'c1', null), { code: 'E_CONFLICT' });
    });

    it('deletes a ref, checking the expected value when one is given', async () => {
      await ctx.catalog.updateRef('refs/heads/a', 'c1', null);
      await ctx.catalog.updateRef('refs/heads/b', 'c1', null);
      await ctx.catalog.deleteRef('refs/heads/a');
      await ctx.catalog.deleteRef('refs/heads/never-existed');
      assert.equal(await ctx.catalog.getRef('refs/heads/a'), undefined);
      await assert.rejects(ctx.catalog.deleteRef('refs/heads/b', 'c0'), { code: 'E_CONFLICT' });
      await assert.rejects(ctx.catalog.deleteRef('refs/heads/a', 'c1'), { code: 'E_CONFLICT' });
      assert.equal((await ctx.catalog.getRef('refs/heads/b'))?.target, 'c1');
      await ctx.catalog.deleteRef('refs/heads/b', 'c1');
      assert.deepEqual(await ctx.catalog.listRefs(), []);
    });
  });
}
