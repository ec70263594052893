import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createTempRepo } from '../repo/test-support/temp-repo.js';
import { planPath, writePlan } from '../workspace/results/move-plan.js';
import { commit, readHead, status } from './index.js';

test('issue 12 results-move recovery in the library status: a move left by a killed commit is undone before the scan', async () => {
  const t = await createTempRepo({ data: 'source-data', results: 'results' });
  try {
    t.write('data/a.txt', 'a');
    await commit(t.repo, { message: 'one' });
    t.write('results/new.txt', 'result');
    // What a commit killed after moving its results (and before committing) leaves behind.
    const folder = 'snapshots/killed';
    const to = join(t.root, 'results', folder, 'new.txt');
    mkdirSync(dirname(to), { recursive: true });
    renameSync(join(t.root, 'results/new.txt'), to);
    writePlan(t.repo, {
      version: 1,
      pid: 2 ** 22 + 12345, // no such process
      host: 'another-host',
      startedAt: new Date().toISOString(),
      token: 'never-committed',
      branch: (await readHead(t.repo)).branch,
      head: (await readHead(t.repo)).commit,
      folder,
      folders: [join(t.root, 'results', folder)],
      moves: [{ from: join(t.root, 'results/new.txt'), to }],
      written: [],
    });

    const report = await status(t.repo);

    assert.deepEqual(
      report.changes.map((c) => `${c.resource}/${c.path}`),
      ['results/new.txt'],
      'the file is back where it was, not reported inside the dead snapshot folder',
    );
    assert.ok(!existsSync(planPath(t.repo)), 'the plan is gone');
  } finally {
    await t.done();
  }
});
