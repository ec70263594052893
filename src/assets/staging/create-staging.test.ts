import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isStrataError } from '../../errors/index.js';
import { diffRevisions } from '../../repo/diff/diff-revisions.js';
import { log } from '../../repo/history/log.js';
import { stagedStatePath } from '../../repo/maintenance/staged-roots.js';
import { readHead } from '../../repo/refs/refs.js';
import { restorePaths } from '../../repo/worktree/restore.js';
import { createTempRepo } from '../../repo/test-support/temp-repo.js';
import { createStaging, stagingJournalPath } from './create-staging.js';
import { deleteStaging } from './delete-staging.js';
import { writeMoveJournal } from './move-journal.js';
import { writeSampleAssets } from './test-support/sample-assets.js';
import { withSqliteAssetPort } from '../test-support/sqlite-asset-port.js';

describe('createStaging / deleteStaging', () => {
  let t: Awaited<ReturnType<typeof createTempRepo>>;
  let ingress: string;
  let staging: string;
  beforeEach(async () => {
    t = await createTempRepo({});
    withSqliteAssetPort(t.repo);
    ingress = join(t.root, 'ingress');
    staging = join(t.root, 'staging');
  });
  afterEach(() => t.done());

  it('refuses while the branch has staged column changes, before moving a file (issue 10)', async () => {
    // Its commit takes no column section: committing would leave the staged columns behind.
    // Staged state as the columns capability leaves it (assets cannot import columns, a sibling).
    const branch = (await readHead(t.repo)).branch!;
    const path = stagedStatePath(t.repo, 'columns', branch);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify({ branch, base: null, columns: {} }));
    const assets = writeSampleAssets(ingress, 2, 1);
    await assert.rejects(
      createStaging(t.repo, { ingressRoot: ingress, stagingRoot: staging, writeMode: 'move', assets }),
      (err) => isStrataError(err) && err.code === 'E_UNCOMMITTED_CHANGES',
    );
    assert.equal(existsSync(staging), false);
    assert.equal((await log(t.repo, {})).length, 0);
  });

  it('stages and commits as resource role assets; same input again is unchanged; delete keeps history', async () => {
    const assets = writeSampleAssets(ingress, 3, 2);
    const first = await createStaging(t.repo, {
      ingressRoot: ingress,
      stagingRoot: staging,
      writeMode: 'copy',
      assets,
    });
    assert.equal(first.staged, 3);
    assert.equal(first.files, 6);
    assert.match(first.commit ?? '', /^[0-9a-f]{64}$/);
    assert.equal(first.resource, 'staging');
    const resources = await t.repo.catalog.listResources();
    assert.deepEqual(
      resources.map((r) => [r.name, r.role, r.type]),
      [['staging', 'assets', 'folder']],
    );
    const entries = await log(t.repo, {});
    assert.match(entries[0]!.message, /staged 3 assets \(6 files, copy\)/);
    assert.equal(existsSync(stagingJournalPath(t.repo)), false);

    const again = await createStaging(t.repo, {
      ingressRoot: ingress,
      stagingRoot: staging,
      writeMode: 'copy',
      assets,
    });
    assert.equal(again.commit, null);
    assert.equal(again.unchanged, true);

    // A fourth asset: the next staging is a new snapshot, and diff shows what it added.
    const more = writeSampleAssets(ingress, 4, 2);
    const second = await createStaging(t.repo, {
      ingressRoot: ingress,
      stagingRoot: staging,
      writeMode: 'copy',
      assets: more.slice(3),
    });
    const changes = await diffRevisions(t.repo, first.commit, second.commit!);
    assert.ok(changes.some((c) => c.change === 'added' && c.path === `content/${more[3]!.files[0]!.path}`));

    const deleted = await deleteStaging(t.repo, staging);
    assert.equal(deleted.deleted, true);
    assert.equal(existsSync(join(staging, 'content')), false);
    assert.equal(existsSync(join(staging, 'metadata')), false);
    // History stays: restore brings the staged files back.
    await restorePaths(t.repo, ['staging'], { cwd: t.root });
    const path = more[3]!.files[0]!.path;
    assert.deepEqual(readFileSync(join(staging, 'content', path)), readFileSync(join(ingress, path)));
  });

  it('no valid assets: nothing staged, no commit', async () => {
    const result = await createStaging(t.repo, {
      ingressRoot: ingress,
      stagingRoot: staging,
      writeMode: 'copy',
      assets: [],
    });
    assert.deepEqual(result, { staged: 0, files: 0, bytes: 0, commit: null });
    assert.equal((await log(t.repo, {})).length, 0);
  });

  it('move mode commits; an interrupted earlier move is rolled back first', async () => {
    const assets = writeSampleAssets(ingress, 2, 2);
    // Simulate a crash: a journal whose first move happened and the rest did not.
    const f0 = assets[0]!.files[0]!.path;
    writeMoveJournal(
      stagingJournalPath(t.repo),
      assets.flatMap((a) =>
        a.files.map((f) => ({ from: join(ingress, f.path), to: join(staging, 'content', f.path) })),
      ),
      'move',
    );
    const { mkdirSync, renameSync } = await import('node:fs');
    mkdirSync(join(staging, 'content', assets[0]!.path), { recursive: true });
    renameSync(join(ingress, f0), join(staging, 'content', f0));
    const result = await createStaging(t.repo, {
      ingressRoot: ingress,
      stagingRoot: staging,
      writeMode: 'move',
      assets,
    });
    assert.equal(result.recovered?.policy, 'rollback');
    assert.equal(result.recovered?.moved, 1);
    assert.equal(result.files, 4);
    assert.ok(result.commit);
    for (const a of assets) for (const f of a.files) assert.equal(existsSync(join(ingress, f.path)), false);
  });

  it("refuses a staging folder outside the repository or with '..'", async () => {
    const assets = writeSampleAssets(ingress, 1, 1);
    await assert.rejects(
      createStaging(t.repo, {
        ingressRoot: ingress,
        stagingRoot: join(t.root, '..', 'elsewhere'),
        writeMode: 'copy',
        assets,
      }),
      { code: 'E_CONFIG' },
    );
    await assert.rejects(deleteStaging(t.repo, t.root), { code: 'E_CONFIG' });
    rmSync(join(t.root, '..', 'elsewhere'), { recursive: true, force: true });
  });
});
