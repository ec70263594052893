import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as api from '../api/index.js';
import type { JobBody } from './job-kinds.js';
import { JOB_CONCURRENCY, ServerJobs } from './job-runner.js';

/** A job body that reports when it starts and ends when the test lets it. */
function heldBody(name: string, started: string[]) {
  let letGo!: () => void;
  const held = new Promise<void>((resolve) => (letGo = resolve));
  let onStart!: () => void;
  const didStart = new Promise<void>((resolve) => (onStart = resolve));
  const body: JobBody = async () => {
    started.push(name);
    onStart();
    await held;
    return { name };
  };
  return { body, letGo, didStart };
}

test('server jobs: two jobs that write different things run at once; one writing the same branch waits for the other', async () => {
  assert.ok(JOB_CONCURRENCY >= 2);
  const root = mkdtempSync(join(tmpdir(), 'strata-server-jobs-'));
  const repo = await api.initRepository(root);
  const started: string[] = [];
  // `merge` and `columns.import` both write the working folder's branch; `compute.run` does not.
  const first = heldBody('merge', started);
  const second = heldBody('columns.import', started);
  const compute = heldBody('compute.run', started);
  const jobs = await ServerJobs.open(repo, undefined, {
    merge: first.body,
    'columns.import': second.body,
    'compute.run': compute.body,
  });
  try {
    const a = await jobs.startJob('merge', { revision: 'x' });
    await first.didStart;
    const b = await jobs.startJob('columns.import', { column: 'c', path: 'p' });
    const c = await jobs.startJob('compute.run', { collection: 'thumbs', ids: ['1'] });
    // The compute job runs beside the merge; the import is leased but waits for the branch.
    await compute.didStart;
    assert.deepEqual(started, ['merge', 'compute.run']);
    assert.deepEqual(jobs.lockedNames.sort(), ['compute:thumbs', 'worktree']);
    compute.letGo();
    assert.equal((await jobs.queue.waitForJob(c.id, { intervalMs: 20 })).state, 'completed');
    assert.deepEqual(started, ['merge', 'compute.run'], 'the import started while the merge ran');
    first.letGo();
    await second.didStart;
    assert.deepEqual(started, ['merge', 'compute.run', 'columns.import']);
    second.letGo();
    for (const id of [a.id, b.id])
      assert.equal((await jobs.queue.waitForJob(id, { intervalMs: 20 })).state, 'completed');
    assert.deepEqual(jobs.lockedNames, []);
  } finally {
    await jobs.close();
    await repo.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('server jobs: a job cancelled while it waits for another never starts its work', async () => {
  const root = mkdtempSync(join(tmpdir(), 'strata-server-jobs-'));
  const repo = await api.initRepository(root);
  const started: string[] = [];
  const first = heldBody('merge', started);
  const second = heldBody('assets.create', started);
  const jobs = await ServerJobs.open(repo, undefined, { merge: first.body, 'assets.create': second.body });
  try {
    const a = await jobs.startJob('merge', { revision: 'x' });
    await first.didStart;
    const b = await jobs.startJob('assets.create', {});
    // Wait until the second job is leased (running) and so waiting for the branch.
    for (let record = await jobs.queue.getJob(b.id); record?.state !== 'running';) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      record = await jobs.queue.getJob(b.id);
    }
    await jobs.cancel(b.id);
    assert.equal((await jobs.queue.waitForJob(b.id, { intervalMs: 20 })).state, 'cancelled');
    first.letGo();
    second.letGo();
    assert.equal((await jobs.queue.waitForJob(a.id, { intervalMs: 20 })).state, 'completed');
    assert.deepEqual(started, ['merge']);
  } finally {
    await jobs.close();
    await repo.close();
    rmSync(root, { recursive: true, force: true });
  }
});
