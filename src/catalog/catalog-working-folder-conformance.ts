import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DETACHED_HEAD,
  type CurrentLineageStore,
  type LocalParamStore,
  type StagedSectionStore,
  type WorkingFolderIdentity,
} from './ports/working-folder.js';

type WorkingFolderPorts = StagedSectionStore & CurrentLineageStore & LocalParamStore & WorkingFolderIdentity;

/**
 * The working-folder ports' behaviour (staged sections, current lineage, local parameters, the
 * folder's id), on the catalog `ctx` holds during each test. Folders `A` and `B` stand for two
 * working folders of one shared catalog: neither ever reads the other's rows.
 */
export function runWorkingFolderConformance(ctx: {
  readonly catalog: WorkingFolderPorts;
  readonly reopen: (() => Promise<WorkingFolderPorts>) | undefined;
}): void {
  describe('working-folder state', () => {
    it('stages sections per working folder and branch, replaced on write, cleared one by one', async () => {
      const c = ctx.catalog;
      assert.equal(await c.readStaged('A', 'main', 'columns'), undefined);
      await c.writeStaged('A', 'main', 'columns', '{"v":1}');
      await c.writeStaged('A', 'main', 'columns', '{"v":2} ✓');
      await c.writeStaged('A', 'team/exp', 'columns', '{"v":3}');
      await c.writeStaged('A', 'main', 'metrics', '{}');
      await c.writeStaged('B', 'main', 'columns', '{"b":1}');
      assert.equal(await c.readStaged('A', 'main', 'columns'), '{"v":2} ✓');
      assert.equal(await c.readStaged('B', 'main', 'columns'), '{"b":1}');
      assert.equal(await c.readStaged('B', 'team/exp', 'columns'), undefined, 'A’s branch is not B’s');
      assert.deepEqual(
        (await c.listStaged({ workingFolder: 'A' })).map((s) => `${s.branch}/${s.section}`),
        ['main/columns', 'main/metrics', 'team/exp/columns'],
      );
      assert.deepEqual(await c.listStaged({ workingFolder: 'A', branch: 'team/exp' }), [
        { workingFolder: 'A', branch: 'team/exp', section: 'columns', value: '{"v":3}' },
      ]);
      // Unfiltered: every folder's rows (gc must keep all of them alive), sorted.
      assert.deepEqual(
        (await c.listStaged()).map((s) => `${s.workingFolder}:${s.branch}/${s.section}`),
        ['A:main/columns', 'A:main/metrics', 'A:team/exp/columns', 'B:main/columns'],
      );
      await c.clearStaged('A', 'main', 'columns');
      await c.clearStaged('A', 'never', 'columns');
      assert.equal(await c.readStaged('A', 'main', 'columns'), undefined);
      assert.equal(await c.readStaged('B', 'main', 'columns'), '{"b":1}');
      assert.equal((await c.listStaged()).length, 3);
    });

    it('keepExisting creates a missing row and leaves an existing one alone', async () => {
      const c = ctx.catalog;
      await c.writeStaged('A', 'main', 'columns', 'new');
      await c.writeStaged('A', 'main', 'columns', 'legacy', { keepExisting: true });
      await c.writeStaged('A', 'dev', 'columns', 'legacy', { keepExisting: true });
      assert.equal(await c.readStaged('A', 'main', 'columns'), 'new');
      assert.equal(await c.readStaged('A', 'dev', 'columns'), 'legacy');
      await c.writeLineage('A', 'main', 'new');
      await c.writeLineage('A', 'main', 'legacy', { keepExisting: true });
      assert.equal(await c.readLineage('A', 'main'), 'new');
      await c.setLocalParam('A', 'user.name', 'Ada');
      await c.setLocalParam('A', 'user.name', 'Legacy', { keepExisting: true });
      await c.setLocalParam('A', 'hostname', 'old-host', { keepExisting: true });
      assert.deepEqual(await c.readLocalParams('A'), { hostname: 'old-host', 'user.name': 'Ada' });
    });

    it('keeps one current lineage per working folder and branch, and one for a detached HEAD', async () => {
      const c = ctx.catalog;
      const long = 'ß'.repeat(300);
      assert.equal(await c.readLineage('A', 'main'), undefined);
      await c.writeLineage('A', 'main', '{"steps":["a"]}');
      await c.writeLineage('A', 'main', '{"steps":["a","b"]}');
      await c.writeLineage('A', long, '{"steps":["long"]}');
      await c.writeLineage('A', DETACHED_HEAD, '{"steps":["d"]}');
      await c.writeLineage('B', 'main', '{"steps":["other"]}');
      assert.equal(await c.readLineage('A', 'main'), '{"steps":["a","b"]}');
      assert.equal(await c.readLineage('A', long), '{"steps":["long"]}');
      assert.equal(await c.readLineage('A', DETACHED_HEAD), '{"steps":["d"]}');
      assert.equal(await c.readLineage('B', 'main'), '{"steps":["other"]}');
      assert.equal(await c.readLineage('B', DETACHED_HEAD), undefined);
      await c.removeLineage('A', 'main');
      await c.removeLineage('A', 'never');
      assert.equal(await c.readLineage('A', 'main'), undefined);
      assert.equal(await c.readLineage('B', 'main'), '{"steps":["other"]}');
    });

    it('keeps parameters per working folder', async () => {
      const c = ctx.catalog;
      assert.deepEqual(await c.readLocalParams('A'), {});
      await c.setLocalParam('A', 'user.name', 'Ada');
      await c.setLocalParam('A', 'user.name', 'Ada Lovelace');
      await c.setLocalParam('A', 'hostname', 'a-host');
      await c.setLocalParam('B', 'user.name', 'Grace');
      assert.deepEqual(Object.entries(await c.readLocalParams('A')), [
        ['hostname', 'a-host'],
        ['user.name', 'Ada Lovelace'],
      ]);
      assert.deepEqual(await c.readLocalParams('B'), { 'user.name': 'Grace' });
    });

    it('names its working folder with one id, made once and kept', async () => {
      const ids = await Promise.all([1, 2, 3].map(() => ctx.catalog.workingFolderId()));
      assert.match(ids[0]!, /^[0-9a-f-]{36}$/);
      assert.deepEqual(new Set(ids).size, 1);
      if (!ctx.reopen) return;
      const other = await ctx.reopen();
      assert.equal(await other.workingFolderId(), ids[0], 'a second connection reads the stored id');
      await other.writeStaged(ids[0]!, 'main', 'columns', 'x');
      assert.equal(await ctx.catalog.readStaged(ids[0]!, 'main', 'columns'), 'x');
    });
  });
}
