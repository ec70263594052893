import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Catalog, PackIndexEntry, ResourceRecord, StatCacheEntry } from './catalog.js';
import { runLockConformance, type CatalogTestContext } from './catalog-lock-conformance.js';

/** What an adapter's test hands the suite for each test: a fresh, empty catalog. */
export interface CatalogFixture {
  readonly catalog: Catalog;
  /** Opens another catalog object on the same storage (a second connection), if the adapter can. */
  reopen?(): Promise<Catalog>;
  /** Removes what `open` made. Runs after the suite has closed every catalog of the fixture. */
  cleanup(): Promise<void>;
}

function stat(resource: string, i: number, hash = `h${i}`): StatCacheEntry {
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

function packEntry(i: number): PackIndexEntry {
  return {
    id: i.toString(16).padStart(64, '0'),
    pack: `pack-${i % 7}`,
    offset: 2 ** 33 + i * 100,
    length: i + 1,
  };
}

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
 * The behaviour every `Catalog` adapter must show, as node:test suites. Each test gets a fresh
 * catalog from `open` and closes it afterwards. Used by `sqlite-catalog.test.ts` and
 * `postgres-catalog.test.ts`.
 *
 * @example
 * runCatalogConformance('sqlite', async () => {
 *   const dir = await mkdtemp(join(tmpdir(), 'cat-'));
 *   const catalog = await openSqliteCatalog({ path: join(dir, 'c.db') });
 *   return { catalog, cleanup: () => rm(dir, { recursive: true }) };
 * });
 */
export function runCatalogConformance(name: string, open: () => Promise<CatalogFixture>): void {
  describe(`Catalog conformance: ${name}`, () => {
    const ctx: CatalogTestContext = { catalog: undefined as unknown as Catalog, reopen: undefined };
    let fixture: CatalogFixture | undefined;
    const opened: Catalog[] = [];

    beforeEach(async () => {
      const current = await open();
      fixture = current;
      ctx.catalog = current.catalog;
      ctx.reopen = current.reopen
        ? async () => {
            const other = await current.reopen!();
            opened.push(other);
            return other;
          }
        : undefined;
    });
    afterEach(async () => {
      for (const c of [...opened.splice(0), ctx.catalog]) await c.close();
      await fixture?.cleanup();
    });

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
    });

    describe('pack index', () => {
      it('adds 12,345 entries, looks them up and iterates them all across pages', async () => {
        const entries = Array.from({ length: 12_345 }, (_, i) => packEntry(i));
        await ctx.catalog.packIndex.add(entries);
        const found = await ctx.catalog.packIndex.lookup(entries.map((e) => e.id));
        assert.equal(found.size, 12_345);
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

    runLockConformance(ctx);

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

    describe('sharing and closing', () => {
      it('shows one connection what another wrote', async (t) => {
        if (!ctx.reopen) return t.skip('adapter offers no second connection');
        await ctx.catalog.updateRef('refs/heads/main', 'c1', null);
        const other = await ctx.reopen();
        assert.equal((await other.getRef('refs/heads/main'))?.target, 'c1');
        await other.setConfig('k', 'v');
        assert.equal(await ctx.catalog.getConfig('k'), 'v');
      });

      it('closes once, harmlessly twice, and refuses work afterwards', async () => {
        await ctx.catalog.close();
        await ctx.catalog.close();
        await assert.rejects(ctx.catalog.getRef('HEAD'));
      });
    });
  });
}
