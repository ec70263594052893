import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStrataError } from '../errors/index.js';
import { createBranch } from '../repo/refs/branches.js';
import { createTempRepo } from '../repo/test-support/temp-repo.js';
import {
  mergeRevision as mergeWithProviders,
  type MergeOptions,
  type MergeResult,
} from '../repo/merge/merge-revision.js';
import type { Repository } from '../repo/repository.js';
import { refuseStagedChanges } from '../repo/commit/refuse-staged.js';
import {
  clearStagedSection,
  readStagedSection,
  stagedSections,
  writeStagedSection,
} from '../repo/maintenance/staged-roots.js';
import { openCheckout } from './checkout.js';
import type { ColumnConflict } from './column-merge.js';
import { columnsSectionProvider } from './columns-provider.js';
import { diffColumnRevisions } from './column-revisions.js';

/** The merge as the public API wires it: columns plug in through their section provider. */
const mergeRevision = async (repo: Repository, revision: string, options: MergeOptions = {}) =>
  (await mergeWithProviders(repo, revision, {
    providers: [columnsSectionProvider],
    ...options,
  })) as MergeResult<ColumnConflict>;

type Temp = Awaited<ReturnType<typeof createTempRepo>>;

/** The staging of `main` in this working folder: read, set aside and put back by tests. */
const stage = {
  read: async (t: Temp) => (await readStagedSection(t.repo, 'main', 'columns'))!,
  drop: (t: Temp) => clearStagedSection(t.repo, 'main', 'columns'),
  put: (t: Temp, value: string) => writeStagedSection(t.repo, 'main', 'columns', value),
};

/** A committed column `x` holding keys 0..9 as strings. */
async function base(t: Temp): Promise<void> {
  const w = await openCheckout(t.repo, { write: true });
  const x = await w.createColumn({ name: 'x', kind: 'str' });
  for (let i = 0; i < 10; i++) await x.set(i, `v${i}`);
  await w.commitChanges('base');
  await w.close();
}

/**
 * Stages `staged` on the current head, then moves the branch with `moved` committed by another
 * writer while that staging is kept aside: the staging is left pointing at the old head,
 * as after `assets create` on old code or a commit killed right after its ref update.
 */
async function stageThenMoveBranch(
  t: Temp,
  staged: Record<number, string>,
  moved: Record<number, string>,
): Promise<void> {
  const w = await openCheckout(t.repo, { write: true });
  for (const [k, v] of Object.entries(staged)) await w.column('x').set(Number(k), v);
  await w.close();
  const kept = await stage.read(t);
  await stage.drop(t);
  const other = await openCheckout(t.repo, { write: true });
  for (const [k, v] of Object.entries(moved)) await other.column('x').set(Number(k), v);
  await other.commitChanges('moved');
  await other.close();
  await stage.put(t, kept);
}

const code = (err: unknown) => (isStrataError(err) ? err.code : String(err));

test('staged column changes follow their branch when another command moved it (issue 10)', async () => {
  const t = await createTempRepo({});
  try {
    await base(t);
    await stageThenMoveBranch(t, { 100: 'staged' }, { 200: 'moved' });
    // Readers see the staging carried onto the new head: only the staged sample is a change.
    assert.deepEqual(await diffColumnRevisions(t.repo, 'HEAD'), [{ column: 'x', key: 100, change: 'added' }]);
    // Writers open (the old code refused: "branch moved after column changes were staged").
    const w = await openCheckout(t.repo, { write: true });
    assert.equal(await w.column('x').get(100), 'staged');
    assert.equal(await w.column('x').get(200), 'moved');
    await w.column('x').set(101, 'more');
    await w.commitChanges('both');
    assert.equal(await w.column('x').size(), 13);
    await w.close();
    assert.deepEqual(await stagedSections(t.repo, 'main'), []);
  } finally {
    await t.done();
  }
});

test('a commit killed right after its ref update: the leftover staging is already in the head (issue 10)', async () => {
  const t = await createTempRepo({});
  try {
    await base(t);
    const w = await openCheckout(t.repo, { write: true });
    await w.column('x').set(100, 'staged');
    await w.close();
    const kept = await stage.read(t);
    const c = await openCheckout(t.repo, { write: true });
    await c.commitChanges('committed');
    await c.close();
    await stage.put(t, kept);
    assert.deepEqual(await diffColumnRevisions(t.repo, 'HEAD'), []);
    // `strata commit` (through its section provider) adds nothing and clears the leftover.
    const section = await columnsSectionProvider.prepare({ repo: t.repo, message: 'm', tags: [] });
    assert.equal(section, undefined);
    assert.deepEqual(await stagedSections(t.repo, 'main'), []);
    // A merge is not refused because of it either (it would be, were anything really staged).
    await stage.put(t, kept);
    await createBranch(t.repo, 'other');
    assert.equal((await mergeRevision(t.repo, 'other')).result, 'up-to-date');
    assert.deepEqual(await stagedSections(t.repo, 'main'), []);
    await stage.put(t, kept);
    const again = await openCheckout(t.repo, { write: true });
    assert.deepEqual(await again.status(), []);
    await again.close();
  } finally {
    await t.done();
  }
});

test('a staged change that conflicts with the moved branch is a clear error; reset always works (issue 10)', async () => {
  const t = await createTempRepo({});
  try {
    await base(t);
    await stageThenMoveBranch(t, { 1: 'ours', 100: 'fine' }, { 1: 'theirs' });
    await assert.rejects(openCheckout(t.repo, { write: true }), (err) => {
      assert.equal(code(err), 'E_STAGED_COLUMNS_CONFLICT');
      assert.deepEqual((err as { data: { conflicts: unknown[] } }).data.conflicts, [
        { column: 'x', key: 1, kind: 'both-changed' },
      ]);
      return true;
    });
    await assert.rejects(
      diffColumnRevisions(t.repo, 'HEAD'),
      (err) => code(err) === 'E_STAGED_COLUMNS_CONFLICT',
    );
    // `column reset` drops the staging without reading it, even when it is unreadable.
    await stage.put(t, '{ not json');
    const w = await openCheckout(t.repo, { write: true, dropStaged: true });
    await w.reset();
    assert.equal(await w.column('x').get(1), 'theirs');
    await w.close();
    assert.deepEqual(await diffColumnRevisions(t.repo, 'HEAD'), []);
    // A staging whose base commit is foreign to this repository: reset works too.
    const w2 = await openCheckout(t.repo, { write: true });
    await w2.column('x').set(5, 'staged');
    await w2.close();
    const foreign = JSON.parse(await stage.read(t)) as { base: string };
    foreign.base = 'f'.repeat(64);
    await stage.put(t, JSON.stringify(foreign));
    await assert.rejects(
      openCheckout(t.repo, { write: true }),
      (err) => code(err) === 'E_STAGED_COLUMNS_CONFLICT',
    );
    const w3 = await openCheckout(t.repo, { write: true, dropStaged: true });
    await w3.close();
    assert.deepEqual(await stagedSections(t.repo, 'main'), []);
  } finally {
    await t.done();
  }
});

test('committers that take no column section refuse while columns are staged (issue 10)', async () => {
  const t = await createTempRepo({});
  try {
    await base(t);
    await refuseStagedChanges(t.repo, 'assets create');
    const w = await openCheckout(t.repo, { write: true });
    await w.column('x').set(100, 'staged');
    await w.close();
    await assert.rejects(
      refuseStagedChanges(t.repo, 'assets create'),
      (err) => code(err) === 'E_UNCOMMITTED_CHANGES',
    );
  } finally {
    await t.done();
  }
});
