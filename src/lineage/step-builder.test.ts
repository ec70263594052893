import assert from 'node:assert/strict';
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { commit } from '../repo/commit/create-commit.js';
import { createTempRepo } from '../repo/test-support/temp-repo.js';
import { hashFileSync } from '../util/hash-file.js';
import { readCurrentLineage } from './lineage-state.js';
import { hashRef } from './ref-hash.js';
import type { ResultsFile } from './running-step.js';
import { createStep, inferStepName } from './step-builder.js';

const ROLES = { src: 'source-data', inter: 'intermediate-data', results: 'results', code: 'code' };

async function fixture() {
  const t = await createTempRepo(ROLES);
  t.write('src/a.csv', 'x,y\n1,2\n');
  t.write('src/b.csv', 'x,y\n3,4\n');
  t.write('code/prep.js', '// prep');
  return t;
}

/** A step `prep` that reads src/a.csv and writes inter/clean. */
async function prep(t: Awaited<ReturnType<typeof fixture>>, content = 'clean') {
  await createStep(t.repo, { name: 'prep', cwd: t.root })
    .parameters({ k: 3 })
    .input('src/a.csv')
    .code('code/prep.js')
    .output('inter/clean')
    .run(() => t.write('inter/clean/a.csv', content));
}

test('run records a complete step with inputs pinned to what it read', async () => {
  const t = await fixture();
  try {
    await prep(t);
    const [step] = (await readCurrentLineage(t.repo)).steps;
    assert.equal(step!.name, 'prep');
    assert.equal(step!.status, 'complete');
    assert.deepEqual(step!.parameters, { k: 3 });
    assert.deepEqual(step!.inputs, [
      { resource: 'src', path: 'a.csv', hash: hashFileSync(join(t.root, 'src/a.csv')).id },
    ]);
    assert.deepEqual(
      step!.code.map((c) => [c.resource, c.path]),
      [['code', 'prep.js']],
    );
    assert.equal(step!.outputs.length, 1);
    assert.equal(step!.outputs[0]!.resource, 'inter');
    assert.equal(step!.outputs[0]!.path, 'clean');
    assert.match(step!.outputs[0]!.hash!, /^[0-9a-f]{64}$/);
    assert.ok(step!.durationSeconds >= 0);
    // Running it again replaces its record (a step may rewrite its own outputs).
    await prep(t, 'cleaner');
    const again = (await readCurrentLineage(t.repo)).steps;
    assert.equal(again.length, 1);
    assert.notEqual(again[0]!.outputs[0]!.hash, step!.outputs[0]!.hash);
  } finally {
    await t.done();
  }
});

test('resource refs as inputs; an unknown resource or a hostile path is refused', async () => {
  const t = await fixture();
  try {
    await createStep(t.repo, { name: 'refs' })
      .input({ resource: 'src' }, { resource: 'src', path: 'b.csv' })
      .run(() => undefined);
    const [step] = (await readCurrentLineage(t.repo)).steps;
    assert.deepEqual(
      step!.inputs.map((i) => [i.resource, i.path]),
      [
        ['src', undefined],
        ['src', 'b.csv'],
      ],
    );
    await assert.rejects(
      createStep(t.repo, { name: 'x' })
        .input({ resource: 'nope' })
        .run(() => 1),
      {
        code: 'E_NOT_FOUND',
      },
    );
    await assert.rejects(
      createStep(t.repo, { name: 'x' })
        .input({ resource: 'src', path: '../etc' })
        .run(() => 1),
      { code: 'E_INVALID_ARGUMENT' },
    );
    await assert.rejects(
      createStep(t.repo, { name: 'x' })
        .input({ resource: 'src', path: 'missing.csv' })
        .run(() => 1),
      { code: 'E_NOT_FOUND' },
    );
  } finally {
    await t.done();
  }
});

test('a lineage input outside every resource is an error naming the path', async () => {
  const t = await fixture();
  try {
    t.write('loose.txt', 'not in a resource');
    let ran = false;
    await assert.rejects(
      createStep(t.repo, { name: 'loose', cwd: t.root })
        .input('loose.txt')
        .run(() => {
          ran = true;
        }),
      (err: Error & { code?: string; data?: Record<string, unknown> }) => {
        assert.equal(err.code, 'E_OUTSIDE_RESOURCES');
        assert.equal(err.data?.path, 'loose.txt');
        assert.match(err.message, /loose\.txt/);
        return true;
      },
    );
    assert.equal(ran, false);
    assert.deepEqual((await readCurrentLineage(t.repo)).steps, []);
  } finally {
    await t.done();
  }
});

test('two versions of one input, directly: the input differs from what its producer wrote', async () => {
  const t = await fixture();
  try {
    await prep(t);
    t.write('inter/clean/a.csv', 'edited by hand');
    await assert.rejects(
      createStep(t.repo, { name: 'train', cwd: t.root })
        .input('inter/clean')
        .run(() => 1),
      (err: Error & { code?: string; data?: Record<string, unknown> }) => {
        assert.equal(err.code, 'E_LINEAGE_INCONSISTENT');
        assert.equal(err.data?.ref, 'inter/clean');
        assert.match(err.message, /read by step 'train'/);
        assert.match(err.message, /written by step 'prep'/);
        return true;
      },
    );
  } finally {
    await t.done();
  }
});

test('two versions of one input through an earlier step is an error naming both', async () => {
  const t = await fixture();
  try {
    await prep(t);
    t.write('src/a.csv', 'x,y\n9,9\n'); // a new version after prep read the old one
    await assert.rejects(
      createStep(t.repo, { name: 'train', cwd: t.root })
        .input('src/a.csv', 'inter/clean')
        .run(() => 1),
      (err: Error & { code?: string; data?: Record<string, unknown> }) => {
        assert.equal(err.code, 'E_LINEAGE_INCONSISTENT');
        assert.equal(err.data?.ref, 'src/a.csv');
        assert.match(err.message, /step 'train'/);
        assert.match(err.message, /step 'prep'/);
        return true;
      },
    );
    // Re-running prep on the new version makes the lineage consistent again.
    await prep(t);
    await createStep(t.repo, { name: 'train', cwd: t.root })
      .input('src/a.csv', 'inter/clean')
      .run(() => 1);
    assert.deepEqual(
      (await readCurrentLineage(t.repo)).steps.map((s) => s.name),
      ['prep', 'train'],
    );
  } finally {
    await t.done();
  }
});

test('independent steps may not write overlapping outputs', async () => {
  const t = await fixture();
  try {
    await prep(t);
    for (const output of ['inter/clean', 'inter', 'inter/clean/a.csv']) {
      await assert.rejects(
        createStep(t.repo, { name: 'other', cwd: t.root })
          .output(output)
          .run(() => 1),
        (err: Error & { code?: string; data?: Record<string, unknown> }) => {
          assert.equal(err.code, 'E_LINEAGE_CONFLICT');
          assert.equal(err.data?.step, 'other');
          assert.equal(err.data?.other, 'prep');
          assert.match(err.message, /'other'.*'prep'/);
          return true;
        },
      );
    }
    await createStep(t.repo, { name: 'other', cwd: t.root })
      .output('inter/elsewhere')
      .run(() => t.write('inter/elsewhere/x', 'x'));
    assert.equal((await readCurrentLineage(t.repo)).steps.length, 2);
  } finally {
    await t.done();
  }
});

test('a step whose fn throws: outputs unknown, nothing recorded as complete, error rethrown', async () => {
  const t = await fixture();
  try {
    await prep(t);
    const boom = new Error('boom');
    await assert.rejects(
      createStep(t.repo, { name: 'prep', cwd: t.root })
        .input('src/a.csv')
        .output('inter/clean')
        .run(() => {
          throw boom;
        }),
      (err) => err === boom,
    );
    const steps = (await readCurrentLineage(t.repo)).steps;
    assert.equal(steps.length, 1);
    assert.equal(steps[0]!.status, 'failed');
    assert.equal(steps[0]!.error, 'boom');
    assert.deepEqual(steps[0]!.outputs, [{ resource: 'inter', path: 'clean', hash: null }]);
    assert.equal(
      steps.some((s) => s.status === 'complete'),
      false,
    );
  } finally {
    await t.done();
  }
});

test('a results step writes results.json and records the results folder as an output', async () => {
  const t = await fixture();
  try {
    const before = Date.now();
    const value = await createStep(t.repo, { name: 'train', cwd: t.root, parameters: { gamma: 0.01 } })
      .input('src')
      .results('results', 'first try')
      .run((step) => {
        step.writeResults({ accuracy: 0.9, loss: 0.2 });
        return 42;
      });
    assert.equal(value, 42);
    const written = JSON.parse(readFileSync(join(t.root, 'results/results.json'), 'utf8')) as ResultsFile;
    assert.equal(written.step, 'train');
    assert.deepEqual(written.parameters, { gamma: 0.01 });
    assert.equal(written.description, 'first try');
    assert.deepEqual(written.metrics, { accuracy: 0.9, loss: 0.2 });
    assert.ok(Date.parse(written.start_time) >= before - 5);
    assert.equal(typeof written.duration_seconds, 'number');
    const [step] = (await readCurrentLineage(t.repo)).steps;
    assert.deepEqual(
      step!.outputs.map((o) => o.resource),
      ['results'],
    );
    assert.equal(step!.description, 'first try');
    assert.throws(() => createStep(t.repo).parameters([] as unknown as Record<string, unknown>), {
      code: 'E_INVALID_ARGUMENT',
    });
  } finally {
    await t.done();
  }
});

test('step names are inferred from the script; folder hashes agree with and without the stat cache', async () => {
  assert.equal(inferStepName('/work/project/code/train.js'), 'train');
  assert.equal(inferStepName('prep.py'), 'prep');
  const t = await fixture();
  try {
    const record = (await t.repo.catalog.listResources()).find((r) => r.name === 'src')!;
    const before = await hashRef(t.repo, record, { resource: 'src' });
    // Old mtimes, so the stat cache that commit fills is trusted at once.
    const old = new Date(Date.now() - 60_000);
    for (const f of ['src/a.csv', 'src/b.csv']) utimesSync(join(t.root, f), old, old);
    await commit(t.repo, { message: 'fills the stat cache' });
    assert.equal(await hashRef(t.repo, record, { resource: 'src' }), before);
    writeFileSync(join(t.root, 'src/a.csv'), 'changed');
    assert.notEqual(await hashRef(t.repo, record, { resource: 'src' }), before);
    assert.equal(
      await hashRef(t.repo, record, { resource: 'src', path: 'b.csv' }),
      hashFileSync(join(t.root, 'src/b.csv')).id,
    );
  } finally {
    await t.done();
  }
});

test('steps finishing at the same time all land: the lineage lock serialises their updates', async () => {
  const t = await fixture();
  try {
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        createStep(t.repo, { name: `s${i}`, cwd: t.root })
          .input('src/a.csv')
          .output(`inter/s${i}`)
          .run(() => t.write(`inter/s${i}/out`, String(i))),
      ),
    );
    assert.deepEqual(
      (await readCurrentLineage(t.repo)).steps.map((s) => s.name),
      ['s0', 's1', 's2', 's3', 's4', 's5'],
    );
  } finally {
    await t.done();
  }
});

test('a running step offers the scratch folder of this working folder for temporary outputs', async () => {
  const t = await fixture();
  try {
    const { setScratchDirectory } = await import('../repo/scratch.js');
    const scratch = await setScratchDirectory(t.repo, join(t.root, 'tmp-work'));
    const step = await createStep(t.repo, { name: 'prep', cwd: t.root }).input('src/a.csv').begin();
    assert.equal(step.scratchDirectory, scratch);
    writeFileSync(join(step.scratchDirectory, 'partial.bin'), 'temporary');
    await step.fail(new Error('only a probe'));
    assert.equal(readFileSync(join(scratch, 'partial.bin'), 'utf8'), 'temporary');
  } finally {
    await t.done();
  }
});
