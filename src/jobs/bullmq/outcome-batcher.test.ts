import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobStore, TaskOutcome } from '../store/job-store.js';
import { OutcomeBatcher } from './outcome-batcher.js';

const outcome = (taskKey: string): TaskOutcome => ({
  jobId: 'j1',
  taskKey,
  worker: { id: 'w', host: 'h', pid: 1 },
  outcome: { type: 'done' },
});

/** A store whose writes wait until the test releases them, so batches can be watched forming. */
function gatedStore(failFirst = false) {
  const batches: string[][] = [];
  const gates: (() => void)[] = [];
  const store = {
    async recordOutcomes(outcomes: readonly TaskOutcome[]) {
      batches.push(outcomes.map((o) => o.taskKey));
      await new Promise<void>((resolve) => gates.push(resolve));
      if (failFirst && batches.length === 1) throw new Error('catalog away');
    },
  } as unknown as JobStore;
  const writeStarted = async (n: number) => {
    while (batches.length < n) await new Promise((resolve) => setImmediate(resolve));
  };
  return { store, batches, release: () => gates.shift()!(), writeStarted };
}

test('outcome batcher: outcomes of one turn go in one write; those arriving during it form the next', async () => {
  const { store, batches, release, writeStarted } = gatedStore();
  const batcher = new OutcomeBatcher(store);
  const first = [batcher.record(outcome('a')), batcher.record(outcome('b'))];
  await writeStarted(1);
  const second = [batcher.record(outcome('c')), batcher.record(outcome('d')), batcher.record(outcome('e'))];
  release();
  await Promise.all(first);
  await writeStarted(2);
  release();
  await Promise.all(second);
  assert.deepEqual(batches, [
    ['a', 'b'],
    ['c', 'd', 'e'],
  ]);
  await batcher.drain();
  assert.equal(batches.length, 2, 'nothing left to write');
});

test('outcome batcher: a failed write rejects its own batch only; drain waits for the write in flight', async () => {
  const { store, batches, release, writeStarted } = gatedStore(true);
  const batcher = new OutcomeBatcher(store);
  const failed = batcher.record(outcome('a'));
  await writeStarted(1);
  const later = batcher.record(outcome('b'));
  const drained = batcher.drain();
  release();
  await assert.rejects(failed, /catalog away/);
  await writeStarted(2);
  release();
  await later;
  await drained;
  assert.deepEqual(batches, [['a'], ['b']]);
});
