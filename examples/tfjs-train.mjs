// The TensorFlow.js kit: a small model trained on a column of the repository, the run recorded by
// one callback (parameters, per-epoch metrics, results.json, the saved model, lineage), then
// snapshotted twice and shown by the real CLI's `strata report history`.
//
//   node examples/tfjs-train.mjs [DIR]      (DIR: an empty folder; default a new temporary one)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { addResource, commit, initRepository, openCheckout } from 'strata';
import { lineageCallback } from 'strata/kits/tfjs';

const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'strata-tfjs-train-'));
const repo = await initRepository(dir);
try {
  await addResource(repo, { path: 'models', role: 'intermediate-data', cwd: repo.root, create: true });
  await addResource(repo, { path: 'results', role: 'results', cwd: repo.root, create: true });

  // A column of 200 points (x, y) on the line y = 3x + 2, with a little deterministic noise.
  const count = 200;
  const points = new Float32Array(count * 2);
  for (let i = 0; i < count; i++) {
    const x = i / count;
    points.set([x, 3 * x + 2 + (((i * 37) % 11) - 5) / 100], i * 2);
  }
  const writer = await openCheckout(repo, { write: true });
  const column = await writer.createColumn({ name: 'points', dtype: 'float32', shape: [2] });
  const bytes = new Uint8Array(points.buffer);
  await column.setBatch({ start: 0 }, { dtype: 'float32', shape: [2], count, data: bytes });
  await writer.commitChanges('200 points on a line');
  await writer.close();

  // Read the column back as training tensors.
  const reader = await openCheckout(repo, { revision: 'HEAD' });
  const xs = [];
  const ys = [];
  for await (const { samples } of reader.column('points').batches({ size: 64 })) {
    for (let k = 0; k < samples.data.length; k += 2) {
      xs.push(samples.data[k]);
      ys.push(samples.data[k + 1]);
    }
  }
  await reader.close();
  const x = tf.tensor2d(xs, [xs.length, 1]);
  const y = tf.tensor2d(ys, [ys.length, 1]);

  // Two runs with different learning rates; each is a lineage step and a snapshot.
  for (const lr of [0.05, 0.2]) {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
    model.compile({ optimizer: tf.train.sgd(lr), loss: 'meanSquaredError' });
    await model.fit(x, y, {
      epochs: 20,
      batchSize: 20,
      verbose: 0,
      // The one line of the kit:
      callbacks: [
        lineageCallback(repo, {
          name: 'train',
          results: 'results',
          model: 'models/line',
          cwd: repo.root,
          parameters: { lr },
        }),
      ],
    });
    const s = await commit(repo, { message: `train lr=${lr}`, tags: [`lr-${lr}`] });
    console.log(`lr=${lr}: results in ${s.resultsFolder}`);
  }

  // The real CLI shows both runs' final loss.
  const bin = fileURLToPath(new URL('../dist/strata.js', import.meta.url));
  const history = execFileSync(process.execPath, [bin, 'report', 'history'], {
    cwd: repo.root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  console.log(history);
  assert.match(history, /loss/);
  assert.match(history, /lr-0\.05/);
  assert.match(history, /lr-0\.2/);
} finally {
  await repo.close();
}
