import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { commit, historyReport, readCurrentLineage, type ResultsFile } from '../../api/index.js';
import { createTempRepo } from '../../repo/test-support/temp-repo.js';
import { hashFileSync } from '../../util/hash-file.js';
import { EPOCHS_FILE, lineageCallback } from './index.js';

const ROLES = { data: 'source-data', models: 'intermediate-data', results: 'results' };

/** A one-neuron model learning y = 2x - 1 from points written to data/points.json. */
async function train(t: Awaited<ReturnType<typeof createTempRepo>>, epochs = 4) {
  const xs = [0, 1, 2, 3, 4, 5];
  t.write('data/points.json', JSON.stringify(xs.map((x) => [x, 2 * x - 1])));
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
  model.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError', metrics: ['mse'] });
  const x = tf.tensor2d(xs, [xs.length, 1]);
  const y = tf.tensor2d(
    xs.map((v) => 2 * v - 1),
    [xs.length, 1],
  );
  const history = await model.fit(x, y, {
    epochs,
    batchSize: 3,
    verbose: 0,
    callbacks: [
      lineageCallback(t.repo, {
        name: 'fit-line',
        cwd: t.root,
        inputs: ['data/points.json'],
        results: 'results',
        model: 'models/line',
        parameters: { learning_rate: 0.05 },
      }),
    ],
  });
  x.dispose();
  y.dispose();
  return { model, history };
}

test('tfjs kit: the training run is a complete lineage step with its parameters, input and outputs', async () => {
  const t = await createTempRepo(ROLES);
  try {
    await train(t);
    const [step] = (await readCurrentLineage(t.repo)).steps;
    assert.equal(step!.name, 'fit-line');
    assert.equal(step!.status, 'complete');
    assert.equal(step!.parameters.epochs, 4);
    assert.equal(step!.parameters.batchSize, 3);
    assert.equal(step!.parameters.samples, 6);
    assert.equal(step!.parameters.learning_rate, 0.05);
    assert.equal(step!.parameters.optimizer, 'SGD');
    assert.equal(step!.parameters.loss, 'meanSquaredError');
    assert.deepEqual(
      step!.inputs.map((i) => [i.resource, i.path]),
      [['data', 'points.json']],
    );
    assert.equal(step!.inputs[0]!.hash, hashFileSync(join(t.root, 'data/points.json')).id);
    assert.deepEqual(step!.outputs.map((o) => o.resource).sort(), ['models', 'results']);
  } finally {
    await t.done();
  }
});

test('tfjs kit: per-epoch metrics in epochs.jsonl, the final ones in results.json', async () => {
  const t = await createTempRepo(ROLES);
  try {
    const { history } = await train(t, 5);
    const epochs = readFileSync(join(t.root, 'results', EPOCHS_FILE), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, number>);
    assert.deepEqual(
      epochs.map((e) => e.epoch),
      [0, 1, 2, 3, 4],
    );
    assert.deepEqual(
      epochs.map((e) => e.loss),
      history.history.loss,
    );
    const results = JSON.parse(readFileSync(join(t.root, 'results/results.json'), 'utf8')) as ResultsFile;
    assert.equal(results.step, 'fit-line');
    assert.deepEqual(results.metrics, { loss: history.history.loss[4], mse: history.history.mse[4] });
    assert.equal(results.parameters.epochs, 5);
    // Filed under the snapshot, the metrics are what `report history` shows.
    await commit(t.repo, { message: 'trained' });
    const report = await historyReport(t.repo);
    assert.equal(report.rows[0]!.metrics.loss, history.history.loss[4]);
  } finally {
    await t.done();
  }
});

test('tfjs kit: the model is saved through the custom save handler as an output that loads back', async () => {
  const t = await createTempRepo(ROLES);
  try {
    const { model } = await train(t);
    const folder = join(t.root, 'models/line');
    assert.ok(existsSync(join(folder, 'model.json')) && existsSync(join(folder, 'weights.bin')));
    const [step] = (await readCurrentLineage(t.repo)).steps;
    const out = step!.outputs.find((o) => o.resource === 'models')!;
    assert.equal(out.path, 'line');
    assert.ok(out.hash, 'the model output is pinned to its content');
    // Loads back with the same weights, through tf.io's in-memory loader.
    const json = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8')) as {
      modelTopology: object;
      weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
    };
    const bin = readFileSync(join(folder, 'weights.bin'));
    const loaded = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0]!.weights,
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      }),
    );
    const input = tf.tensor2d([[10]]);
    const expected = (model.predict(input) as tf.Tensor).dataSync()[0];
    assert.equal((loaded.predict(input) as tf.Tensor).dataSync()[0], expected);
  } finally {
    await t.done();
  }
});

test('tfjs kit: fail(err) after a fit() that threw records the step as failed', async () => {
  const t = await createTempRepo(ROLES);
  try {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const callback = lineageCallback(t.repo, {
      name: 'broken',
      cwd: t.root,
      results: 'results',
      model: 'models/m',
    });
    callback.setModel(model);
    callback.setParams({ epochs: 1 });
    await callback.onTrainBegin();
    await callback.fail(new Error('out of memory'));
    const [step] = (await readCurrentLineage(t.repo)).steps;
    assert.equal(step!.name, 'broken');
    assert.equal(step!.status, 'failed');
    assert.match(step!.error ?? '', /out of memory/);
  } finally {
    await t.done();
  }
});
