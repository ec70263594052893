import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CatalogPackIndex, PackIndexEntry } from './ports/pack-index.js';

function packEntry(i: number): PackIndexEntry {
  return {
    id: i.toString(16).padStart(64, '0'),
    pack: `pack-${i % 7}`,
    offset: 2 ** 33 + i * 100,
    length: i + 1,
  };
}

/** The `CatalogPackIndex` port's behaviour, on the catalog `ctx` holds during each test. */
export function runPackIndexConformance(ctx: {
  readonly catalog: { readonly packIndex: CatalogPackIndex };
}): void {
  describe('pack index', () => {
    it('adds 12,345 entries, looks them up and iterates them all across pages', async () => {
      const entries = Array.from({ length: 12_345 }, (_, i) => packEntry(i));
      await ctx.catalog.packIndex.add(entries);
      const found = await ctx.catalog.packIndex.lookup(entries.map((e) => e.id));
      assert.equal(found.size, 12_345);
      if (ctx.catalog.packIndex.has) {
        const asked = [...entries.map((e) => e.id), packEntry(20_000).id];
        assert.deepEqual(
          [...(await ctx.catalog.packIndex.has(asked))].sort(),
          entries.map((e) => e.id).sort(),
          'has() answers what lookup() finds',
        );
      }
      const { id, ...location } = packEntry(12_000);
      assert.deepEqual(found.get(id), location);
      const seen = new Map<string, PackIndexEntry>();
      for await (const e of ctx.catalog.packIndex.entries()) {
        assert.ok(!seen.has(e.id), `entries() yielded ${e.id} twice`);
        seen.set(e.id, e);
      }
      assert.equal(seen.size, 12_345);
      assert.deepEqual(seen.get(packEntry(7).id), packEntry(7));
    });

    it('looks up present, absent and repeated ids', async () => {
      await ctx.catalog.packIndex.add([packEntry(1), packEntry(2)]);
      const found = await ctx.catalog.packIndex.lookup([packEntry(1).id, packEntry(3).id, packEntry(1).id]);
      assert.deepEqual([...found.keys()], [packEntry(1).id]);
      assert.equal((await ctx.catalog.packIndex.lookup([])).size, 0);
      if (ctx.catalog.packIndex.has) {
        const ids = [packEntry(1).id, packEntry(3).id, packEntry(1).id];
        assert.deepEqual([...(await ctx.catalog.packIndex.has(ids))], [packEntry(1).id]);
        assert.equal((await ctx.catalog.packIndex.has([])).size, 0);
      }
    });

    it('keeps the first location of an id added twice', async () => {
      await ctx.catalog.packIndex.add([packEntry(1)]);
      await ctx.catalog.packIndex.add([
        { ...packEntry(1), pack: 'other' },
        packEntry(2),
        { ...packEntry(2), pack: 'other' },
      ]);
      const found = await ctx.catalog.packIndex.lookup([packEntry(1).id, packEntry(2).id]);
      assert.equal(found.get(packEntry(1).id)?.pack, packEntry(1).pack);
      assert.equal(found.get(packEntry(2).id)?.pack, packEntry(2).pack);
    });

    it('removes ids, present or not', async () => {
      await ctx.catalog.packIndex.add([packEntry(1), packEntry(2), packEntry(3)]);
      await ctx.catalog.packIndex.remove([packEntry(1).id, packEntry(3).id, packEntry(99).id]);
      await ctx.catalog.packIndex.remove([]);
      const ids: string[] = [];
      for await (const e of ctx.catalog.packIndex.entries()) ids.push(e.id);
      assert.deepEqual(ids, [packEntry(2).id]);
    });
  });
}
