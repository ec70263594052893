import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jobWrites, NamedLocks, Slots } from './job-locks.js';

test('job locks: overlapping names run one after the other, disjoint ones at once; an aborted waiter gives up its place', async () => {
  const locks = new NamedLocks();
  const order: string[] = [];
  const releaseA = await locks.acquire(['assets', 'worktree']);
  // Disjoint: granted while A holds its names.
  const releaseC = await locks.acquire(['compute:thumbs']);
  let bHeld = false;
  const b = locks.acquire(['worktree']).then((release) => {
    bHeld = true;
    order.push('b');
    return release;
  });
  const aborted = new AbortController();
  const d = locks.acquire(['assets'], aborted.signal);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(bHeld, false, 'b got worktree while a held it');
  aborted.abort(new Error('cancelled'));
  await assert.rejects(d, /cancelled/);
  order.push('a');
  releaseA();
  (await b)();
  releaseC();
  assert.deepEqual(order, ['a', 'b']);
  // Everything released: nothing is held or waited for, and the names can be taken again.
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(locks.busy, []);
  (await locks.acquire(['assets', 'worktree']))();
});

test('job locks: what each job kind writes', () => {
  assert.deepEqual(jobWrites('merge', {}), ['worktree']);
  assert.deepEqual(jobWrites('assets.create', {}), ['assets', 'worktree']);
  assert.deepEqual(jobWrites('assets.update', {}), ['assets']);
  assert.deepEqual(jobWrites('compute.run', { collection: 'thumbs' }), ['compute:thumbs']);
  assert.ok(jobWrites('something.new', {}).includes('worktree'));
});

test('job slots: at most size holders; a released slot goes to the next waiter; an aborted waiter leaves the queue', async () => {
  const slots = new Slots(2);
  const one = await slots.acquire();
  const two = await slots.acquire();
  let thirdHeld = false;
  const third = slots.acquire().then((release) => ((thirdHeld = true), release));
  const aborted = new AbortController();
  const fourth = slots.acquire(aborted.signal);
  aborted.abort(new Error('cancelled'));
  await assert.rejects(fourth, /cancelled/);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(thirdHeld, false);
  one();
  one(); // a second release of the same slot changes nothing
  (await third)();
  two();
  // Both slots free again: two more are granted at once.
  (await slots.acquire())();
  await Promise.all([slots.acquire(), slots.acquire()]);
});
