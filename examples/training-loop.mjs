// A training loop: samples stored as tensor columns, read back in shuffled batches; the run's
// metrics and lineage recorded as a step, then snapshotted and compared.
//
//   node examples/training-loop.mjs [DIR]      (DIR: an empty folder; default a new temporary one)
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addResource, commit, createStep, historyReport, initRepository, openCheckout } from 'strata';

const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'strata-training-loop-'));
const repo = await initRepository(dir);
process.chdir(repo.root); // step paths are relative to the current folder
try {
  await addResource(repo, { path: 'code', role: 'code', cwd: repo.root, create: true });
  await addResource(repo, { path: 'results', role: 'results', cwd: repo.root, create: true });
  writeFileSync('code/model.json', JSON.stringify({ model: 'logistic', features: 2 }) + '\n');

  // 1,000 points in two classes: label 1 when x + y > 1.
  const count = 1000;
  const features = new Float32Array(count * 2);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const x = ((i * 37) % 101) / 100;
    const y = ((i * 53) % 97) / 96;
    features.set([x, y], i * 2);
    labels[i] = x + y > 1 ? 1 : 0;
  }
  const writer = await openCheckout(repo, { write: true });
  const f = await writer.createColumn({ name: 'features', dtype: 'float32', shape: [2] });
  const l = await writer.createColumn({ name: 'labels', dtype: 'uint8', shape: [1] });
  const bytes = (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  await f.setBatch({ start: 0 }, { dtype: 'float32', shape: [2], count, data: bytes(features) });
  await l.setBatch({ start: 0 }, { dtype: 'uint8', shape: [1], count, data: labels });
  await writer.commitChanges('1,000 labelled points');
  await writer.close();

  // Two runs with different learning rates, each a lineage step with results, each a snapshot.
  for (const [run, lr] of [0.1, 1].entries()) {
    await createStep(repo)
      .name('train')
      .parameters({ lr, epochs: 5 })
      .code('code/model.json')
      .results('results', `logistic regression, lr=${lr}`)
      .run(async (step) => {
        const reader = await openCheckout(repo, { revision: 'HEAD' });
        const xs = reader.column('features');
        const ys = reader.column('labels');
        let w0 = 0;
        let w1 = 0;
        let b = 0;
        for (let epoch = 0; epoch < 5; epoch++) {
          for await (const { keys, samples } of xs.batches({ size: 64, shuffle: true, seed: epoch })) {
            const target = (await ys.getMany(keys)).data;
            for (let k = 0; k < keys.length; k++) {
              const [x, y] = [samples.data[k * 2], samples.data[k * 2 + 1]];
              const p = 1 / (1 + Math.exp(-(w0 * x + w1 * y + b)));
              const e = p - target[k];
              w0 -= lr * e * x;
              w1 -= lr * e * y;
              b -= lr * e;
            }
          }
        }
        let correct = 0;
        let loss = 0;
        for await (const { keys, samples } of xs.batches({ size: 256 })) {
          const target = (await ys.getMany(keys)).data;
          for (let k = 0; k < keys.length; k++) {
            const p = 1 / (1 + Math.exp(-(w0 * samples.data[k * 2] + w1 * samples.data[k * 2 + 1] + b)));
            correct += (p > 0.5 ? 1 : 0) === target[k] ? 1 : 0;
            loss -= Math.log(target[k] ? p : 1 - p) / count;
          }
        }
        await reader.close();
        step.writeResults({ accuracy: correct / count, loss: Number(loss.toFixed(4)) });
      });
    const s = await commit(repo, { message: `train lr=${lr}`, tags: [`run-${run + 1}`] });
    console.log(`run-${run + 1}: lr=${lr}, results in ${s.resultsFolder}`);
  }

  const history = await historyReport(repo, { baseline: 'run-1' });
  for (const row of history.rows) console.log(row.tags.join(',') || '-', JSON.stringify(row.metrics));
  assert.equal(history.rows[0].tags[0], 'run-2');
  assert.ok(history.rows[0].metrics.accuracy > 0.5, 'the model learned something');
} finally {
  await repo.close();
}
