import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Catalog } from './catalog.js';
import { runConfigConformance } from './catalog-config-conformance.js';
import { runLockConformance, type CatalogTestContext } from './catalog-lock-conformance.js';
import { runPackIndexConformance } from './catalog-pack-index-conformance.js';
import { runRefConformance } from './catalog-ref-conformance.js';
import { runResourceConformance } from './catalog-resource-conformance.js';
import { runStatCacheConformance } from './catalog-stat-cache-conformance.js';
import { runWorkingFolderConformance } from './catalog-working-folder-conformance.js';

/** What an adapter's test hands the suite for each test: a fresh, empty catalog. */
export interface CatalogFixture {
  readonly catalog: Catalog;
  /** Opens another catalog object on the same storage (a second connection), if the adapter can. */
  reopen?(): Promise<Catalog>;
  /** Removes what `open` made. Runs after the suite has closed every catalog of the fixture. */
  cleanup(): Promise<void>;
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

    runRefConformance(ctx);
    runStatCacheConformance(ctx);
    runPackIndexConformance(ctx);
    runLockConformance(ctx);
    runResourceConformance(ctx);
    runConfigConformance(ctx);
    runWorkingFolderConformance(ctx);

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
