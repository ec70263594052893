import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { UncommittedChangesError } from '../../errors/index.js';
import { commit } from '../commit/create-commit.js';
import type { SectionMergeContext, SectionProvider } from '../commit/section-provider.js';
import { readCommit, readCommitTree } from '../objects/read-objects.js';
import { createBranch } from '../refs/branches.js';
import { readHead } from '../refs/refs.js';
import { createTempRepo } from '../test-support/temp-repo.js';
import { checkout } from '../worktree/checkout.js';
import { mergeRevision } from './merge-revision.js';

/**
 * main: base (notes 'b'), then ours (notes 'o', data/a.txt changed); side: theirs (notes 't',
 * data/b.txt added). A three-way merge of side into main is then due.
 */
async function divergedRepo() {
  const t = await createTempRepo();
  t.write('data/a.txt', 'a');
  const base = await commit(t.repo, { message: 'base', sections: { notes: { text: 'b' } } });
  await createBranch(t.repo, 'side');
  await checkout(t.repo, 'side');
  t.write('data/b.txt', 'b');
  const theirs = await commit(t.repo, { message: 'theirs', sections: { notes: { text: 't' } } });
  await checkout(t.repo, 'main');
  t.write('data/a.txt', 'a2');
  const ours = await commit(t.repo, { message: 'ours', sections: { notes: { text: 'o' } } });
  return { t, base: base.id, ours: ours.id, theirs: theirs.id };
}

/** A fake `notes` section whose merge hook records its calls and reports `conflicts`. */
function notesProvider(conflicts: { note: string; kind: string }[]) {
  const calls: SectionMergeContext[] = [];
  const provider: SectionProvider = {
    section: 'notes',
    prepare: async () => undefined,
    async merge(context) {
      calls.push(context);
      const text = (side: { value: unknown }) => (side.value as { text: string }).text;
      return {
        value: { text: `${text(context.ours)}+${text(context.theirs)}` },
        conflicts,
      };
    },
  };
  return { provider, calls };
}

test('SectionProvider merge hook: called with base, ours and theirs; its value goes into the merge commit', async () => {
  const { t, base, ours, theirs } = await divergedRepo();
  try {
    const { provider, calls } = notesProvider([]);
    const merged = await mergeRevision(t.repo, 'side', { providers: [provider] });
    assert.equal(merged.result, 'merged');
    assert.equal(calls.length, 1);
    const [call] = calls;
    assert.deepEqual(call!.base, { commit: base, value: { text: 'b' } });
    assert.deepEqual(call!.ours, { commit: ours, value: { text: 'o' } });
    assert.deepEqual(call!.theirs, { commit: theirs, value: { text: 't' } });
    assert.equal(call!.strategy, undefined);
    assert.deepEqual((await readCommitTree(t.repo, merged.commit!)).notes, { text: 'o+t' });
    assert.deepEqual((await readCommit(t.repo, merged.commit!)).parents, [ours, theirs]);
  } finally {
    await t.done();
  }
});

test('SectionProvider merge hook: its conflicts stop the merge and change nothing, unless a strategy resolves them', async () => {
  const { t, ours } = await divergedRepo();
  try {
    const conflict = { note: 'text', kind: 'both-changed' };
    const { provider } = notesProvider([conflict]);
    const refused = await mergeRevision(t.repo, 'side', { providers: [provider] });
    assert.equal(refused.result, 'conflict');
    assert.deepEqual(refused.conflicts, [conflict]);
    assert.equal((await readHead(t.repo)).commit, ours, 'the branch did not move');
    assert.throws(() => readFileSync(join(t.root, 'data/b.txt')), { code: 'ENOENT' });

    const resolved = await mergeRevision(t.repo, 'side', { providers: [provider], strategy: 'ours' });
    assert.equal(resolved.result, 'merged');
    assert.deepEqual(resolved.conflicts, [conflict]);
    assert.equal(readFileSync(join(t.root, 'data/b.txt'), 'utf8'), 'b');
  } finally {
    await t.done();
  }
});

test('SectionProvider beforeMerge hook: a throw refuses the merge, even one that is up to date', async () => {
  const { t, ours } = await divergedRepo();
  try {
    const refuse: SectionProvider = {
      section: 'notes',
      prepare: async () => undefined,
      async beforeMerge({ branch, head }) {
        assert.equal(branch, 'main');
        assert.equal(head, ours);
        throw new UncommittedChangesError('staged notes', { branch });
      },
    };
    await assert.rejects(mergeRevision(t.repo, 'main', { providers: [refuse] }), {
      code: 'E_UNCOMMITTED_CHANGES',
    });
    await assert.rejects(mergeRevision(t.repo, 'side', { providers: [refuse] }), {
      code: 'E_UNCOMMITTED_CHANGES',
    });
    assert.equal((await readHead(t.repo)).commit, ours);
  } finally {
    await t.done();
  }
});

test('without a merge hook a section keeps our side in the merge commit', async () => {
  const { t } = await divergedRepo();
  try {
    const merged = await mergeRevision(t.repo, 'side');
    assert.equal(merged.result, 'merged');
    assert.deepEqual((await readCommitTree(t.repo, merged.commit!)).notes, { text: 'o' });
  } finally {
    await t.done();
  }
});
