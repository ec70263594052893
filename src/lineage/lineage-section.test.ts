import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commit } from '../repo/commit/create-commit.js';
import { fsck } from '../repo/maintenance/fsck.js';
import { gc } from '../repo/maintenance/gc.js';
import { createTempRepo } from '../repo/test-support/temp-repo.js';
import { buildLineageGraph } from './lineage-graph.js';
import { exportLineage, importLineage, parseLineageExport } from './lineage-export.js';
import { lineageSectionProvider, readSnapshotLineage, restoreLineage } from './lineage-section.js';
import { forgetStep, readCurrentLineage } from './lineage-state.js';
import { renderDot } from './lineage-dot.js';
import { renderHtml } from './lineage-html.js';
import { createStep } from './step-builder.js';

const context = (repo: Parameters<typeof commit>[0]) => ({ repo, message: 'snap', tags: [] as string[] });

test('the lineage section: saved with a snapshot, reachable for fsck and gc, read back and restored', async () => {
  const t = await createTempRepo({ src: 'source-data', out: 'intermediate-data' });
  try {
    assert.equal(await lineageSectionProvider.prepare(context(t.repo)), undefined);
    t.write('src/a', 'a');
    await createStep(t.repo, { name: 'copy', cwd: t.root, parameters: { n: 1 } })
      .input('src/a')
      .output('out/a')
      .run(() => t.write('out/a', 'a'));
    const section = await lineageSectionProvider.prepare(context(t.repo));
    assert.equal(section?.version, 1);
    assert.equal(section?.steps, 1);
    assert.equal((section?.refs as string[]).length, 1);
    const c1 = await commit(t.repo, { message: 'one', sections: { lineage: section! } });
    const saved = await readSnapshotLineage(t.repo, c1.id);
    assert.deepEqual(saved, await readCurrentLineage(t.repo));
    assert.equal((await fsck(t.repo)).ok, true);
    await gc(t.repo);
    assert.deepEqual(await readSnapshotLineage(t.repo, 'HEAD'), saved);

    // The current lineage moves on; the snapshot keeps its own, and a restore brings it back.
    assert.equal(await forgetStep(t.repo, 'copy'), true);
    assert.deepEqual((await readCurrentLineage(t.repo)).steps, []);
    assert.equal((await readSnapshotLineage(t.repo, c1.id)).steps.length, 1);
    assert.equal(await restoreLineage(t.repo, c1.id), 1);
    assert.deepEqual(await readCurrentLineage(t.repo), saved);
  } finally {
    await t.done();
  }
});

test('export and import: end-to-end lineage crosses repositories', async () => {
  const a = await createTempRepo({ raw: 'source-data', features: 'intermediate-data' });
  const b = await createTempRepo({ upstream: 'source-data', results: 'results' });
  try {
    a.write('raw/x.csv', '1,2,3');
    await createStep(a.repo, { name: 'featurize', cwd: a.root, parameters: { bins: 4 } })
      .input('raw/x.csv')
      .output('features')
      .run(() => a.write('features/f.csv', 'f1,f2'));
    const exported = await exportLineage(a.repo, { resource: 'features', origin: 'project-a' });
    assert.deepEqual(
      exported.steps.map((s) => s.name),
      ['featurize'],
    );
    const data = parseLineageExport(JSON.stringify(exported), 'export.json');
    assert.throws(() => parseLineageExport('{"steps": []}', 'bad.json'), { code: 'E_INVALID_ARGUMENT' });

    // Project B holds a copy of the features in its resource `upstream`.
    b.write('upstream/f.csv', 'f1,f2');
    const imported = await importLineage(b.repo, data, { resource: 'upstream' });
    assert.deepEqual(imported, { resource: 'upstream', steps: ['project-a:featurize'], matches: true });
    const [step] = (await readCurrentLineage(b.repo)).steps;
    assert.equal(step!.status, 'imported');
    assert.equal(step!.origin, 'project-a');
    assert.deepEqual(
      step!.inputs.map((i) => [i.resource, i.path]),
      [['project-a:raw', 'x.csv']],
    );
    assert.deepEqual(
      step!.outputs.map((o) => o.resource),
      ['upstream'],
    );

    await createStep(b.repo, { name: 'train', cwd: b.root })
      .input('upstream')
      .results('results')
      .run((s) => s.writeResults({ accuracy: 1 }));
    const graph = buildLineageGraph(await readCurrentLineage(b.repo), { resource: 'results' });
    assert.deepEqual(
      graph.steps.map((s) => s.name),
      ['train', 'project-a:featurize'],
    );
    assert.match(renderDot(graph), /"ref:project-a:raw\/x\.csv" -> "step:project-a:featurize"/);

    // Content that is not what was exported is a second version of the input.
    b.write('upstream/f.csv', 'changed');
    await assert.rejects(
      createStep(b.repo, { name: 'train', cwd: b.root })
        .input('upstream')
        .run(() => 1),
      { code: 'E_LINEAGE_INCONSISTENT' },
    );
    await assert.rejects(importLineage(b.repo, data, { resource: 'missing' }), { code: 'E_NOT_FOUND' });
  } finally {
    await a.done();
    await b.done();
  }
});

test('graphs: dot text and a self-contained HTML page with an inline SVG', async () => {
  const t = await createTempRepo({ src: 'source-data', mid: 'intermediate-data', results: 'results' });
  try {
    t.write('src/a', '<a & "b">');
    await createStep(t.repo, { name: 'prep <1>', cwd: t.root })
      .input('src/a')
      .output('mid')
      .run(() => t.write('mid/m', 'm'));
    await assert.rejects(
      createStep(t.repo, { name: 'train', cwd: t.root })
        .input('mid')
        .output('results')
        .run(() => {
          throw new Error('diverged');
        }),
    );
    const graph = buildLineageGraph(await readCurrentLineage(t.repo));
    const layers = Object.fromEntries(graph.nodes.map((n) => [n.id, n.layer]));
    assert.deepEqual(layers, {
      'ref:src/a': 0,
      'step:prep <1>': 1,
      'ref:mid': 2,
      'step:train': 3,
      'ref:results': 4,
    });
    const dot = renderDot(graph);
    assert.match(dot, /^digraph lineage \{/);
    assert.match(dot, /"step:train" -> "ref:results" \[label="unknown"\]/);
    const html = renderHtml(graph);
    assert.match(html, /^<!DOCTYPE html>/);
    assert.match(html, /<svg /);
    assert.match(html, /prep &lt;1&gt;/);
    assert.doesNotMatch(html, /https?:\/\//);
    assert.doesNotMatch(html, /<script|<link/);
    assert.equal((html.match(/<g class="node step">/g) ?? []).length, 2);
  } finally {
    await t.done();
  }
});
