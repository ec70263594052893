import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConfigStore } from './ports/config.js';

/** The `ConfigStore` port's behaviour, on the catalog `ctx` holds during each test. */
export function runConfigConformance(ctx: { readonly catalog: ConfigStore }): void {
  describe('config', () => {
    it('gets, sets, overwrites and lists values', async () => {
      assert.equal(await ctx.catalog.getConfig('user.name'), undefined);
      await ctx.catalog.setConfig('user.name', 'Ada');
      await ctx.catalog.setConfig('core.compression', '');
      await ctx.catalog.setConfig('user.name', 'Grace ✓');
      assert.equal(await ctx.catalog.getConfig('user.name'), 'Grace ✓');
      assert.equal(await ctx.catalog.getConfig('core.compression'), '');
      assert.deepEqual(Object.entries(await ctx.catalog.listConfig()), [
        ['core.compression', ''],
        ['user.name', 'Grace ✓'],
      ]);
    });
  });
}
