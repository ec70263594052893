import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stat } from './catalog-stat-cache-conformance.js';
import type { ResourceRecord, ResourceRegistry } from './ports/resources.js';
import type { StatCache } from './ports/stat-cache.js';

function resource(name: string): ResourceRecord {
  return {
    name,
    path: `data/${name}`,
    role: 'source-data',
    type: 'local-files',
    options: { nested: { a: [1, 'x'] } },
    createdAt: '2024-05-01T12:00:00.000Z',
  };
}

/**
 * The `ResourceRegistry` port's behaviour, on the catalog `ctx` holds during each test; where the
 * catalog keeps the stat cache too, removing a resource forgets its entries.
 */
export function runResourceConformance(ctx: { readonly catalog: ResourceRegistry & StatCache }): void {
  describe('resources', () => {
    it('adds, lists sorted, rejects a duplicate and removes with its stat cache', async () => {
      await ctx.catalog.addResource(resource('zeta'));
      await ctx.catalog.addResource(resource('alpha'));
      await assert.rejects(ctx.catalog.addResource({ ...resource('zeta'), path: 'elsewhere' }), {
        code: 'E_ALREADY_EXISTS',
      });
      assert.deepEqual(await ctx.catalog.listResources(), [resource('alpha'), resource('zeta')]);
      await ctx.catalog.updateStatCache([stat('zeta', 1), stat('alpha', 1)]);
      await ctx.catalog.removeResource('zeta');
      await ctx.catalog.removeResource('never-added');
      assert.deepEqual(await ctx.catalog.listResources(), [resource('alpha')]);
      assert.equal((await ctx.catalog.loadStatCache('zeta')).size, 0);
      assert.equal((await ctx.catalog.loadStatCache('alpha')).size, 1);
    });

    it('replaces the options of a registered resource only', async () => {
      await ctx.catalog.addResource(resource('beta'));
      assert.equal(await ctx.catalog.setResourceOptions('beta', { readOnly: true }), true);
      assert.equal(await ctx.catalog.setResourceOptions('never-added', { readOnly: true }), false);
      assert.deepEqual((await ctx.catalog.listResources()).find((r) => r.name === 'beta')!.options, {
        readOnly: true,
      });
    });
  });
}
