import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTempRepo } from '../repo/test-support/temp-repo.js';
import {
  createStep,
  fsck,
  readCommitTree,
  readCurrentLineage,
  resolveRevision,
  restoreSnapshot,
  snapshot,
} from './index.js';

test('a snapshot saves the current lineage, writes it beside the results, and a restore brings it back', async () => {
  const t = await createTempRepo({ data: 'source-data', results: 'results' });
  try {
    t.write('data/train.csv', 'x,y\n1,2\n');
    await snapshot(t.repo, { message: 'data', tags: ['v0'] });
    for (const gamma of [0.1, 0.5]) {
      await createStep(t.repo, { name: 'train', cwd: t.root })
        .parameters({ gamma })
        .input('data/train.csv')
        .results('results')
        .run(async (step) => step.writeResults({ accuracy: gamma > 0.2 ? 0.9 : 0.8 }));
      await snapshot(t.repo, { message: `gamma ${gamma}`, tags: [`g${gamma}`] });
    }
    const second = await readCommitTree(t.repo, (await resolveRevision(t.repo, 'g0.5')).commit);
    assert.equal((second.lineage as { steps: number }).steps, 1);
    assert.deepEqual((second.metrics as { values: unknown }).values, { accuracy: 0.9 });
    const folders = readdirSync(join(t.root, 'results/snapshots'));
    assert.equal(folders.length, 2);
    const saved = JSON.parse(
      readFileSync(
        join(
          t.root,
          'results/snapshots',
          folders.find((f) => f.endsWith('g0.5'))!,
          'lineage.json',
        ),
        'utf8',
      ),
    );
    assert.equal(saved.lineage.steps[0].name, 'train');
    assert.equal(saved.lineage.steps[0].parameters.gamma, 0.5);
    // Restoring the data-only snapshot makes its (empty) lineage current again.
    await restoreSnapshot(t.repo, 'v0', { force: true });
    assert.equal((await readCurrentLineage(t.repo)).steps.length, 0);
    await restoreSnapshot(t.repo, 'g0.1', { force: true });
    assert.equal((await readCurrentLineage(t.repo)).steps[0]!.parameters.gamma, 0.1);
    assert.equal((await fsck(t.repo)).ok, true);
  } finally {
    await t.done();
  }
});
