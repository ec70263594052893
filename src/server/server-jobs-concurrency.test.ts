import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as api from '../api/index.js';
import { createServer } from './create-server.js';
import type { JobBody } from './job-kinds.js';
import { JOB_CONCURRENCY, ServerJobs } from './job-runner.js';
import { follow, type JobView } from './test-support/follow-job.js';

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

test('server jobs: a job waiting for another job or for a run slot shows queued, with what it waits for, in GET /api/jobs/:id and its event stream', async () => {
  assert.equal(JOB_CONCURRENCY, 2, 'the slot case below fills two slots');
  const root = mkdtempSync(join(tmpdir(), 'strata-server-jobs-'));
  const repo = await api.initRepository(root);
  const started: string[] = [];
  // `merge` and `assets.create` both write the branch; the compute runs write their collections.
  const merge = heldBody('merge', started);
  const create = heldBody('assets.create', started);
  const thumbs = heldBody('compute.run', started);
  const jobs = await ServerJobs.open(repo, undefined, {
    merge: merge.body,
    'assets.create': create.body,
    'compute.run': thumbs.body,
  });
  const app = await createServer({ repo, readOnly: false, searchTimeoutSeconds: 10, jobs });
  try {
    const { token } = await api.createToken(repo, { name: 'reader', scope: 'read' });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const get = async (id: string) => {
      const response = await fetch(`${url}/api/jobs/${id}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(response.status, 200);
      return (await response.json()) as JobView;
    };
    /** Polls the job until `want` holds (the worker leases jobs in the background). */
    const until = async (id: string, want: (job: JobView) => boolean) => {
      for (let job = await get(id); ; job = await get(id)) {
        if (want(job)) return job;
        if (['completed', 'failed', 'cancelled'].includes(job.state)) assert.fail(`ended: ${job.state}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };

    const a = await jobs.startJob('merge', { revision: 'x' });
    await merge.didStart;
    assert.equal((await until(a.id, (j) => j.state === 'running')).waiting, null);
    // Waits for the branch the merge writes: leased by the worker, yet shown queued.
    const b = await jobs.startJob('assets.create', {});
    const waitingB = await until(b.id, (j) => j.waiting !== null);
    assert.equal(waitingB.state, 'queued');
    assert.equal(waitingB.waiting, 'lock');
    assert.equal((await jobs.queue.getJob(b.id))!.state, 'running', 'the queue has leased it');
    // Two compute runs of other collections: the first takes the second slot, the next waits.
    const c = await jobs.startJob('compute.run', { collection: 'one', ids: ['1'] });
    await thumbs.didStart;
    const d = await jobs.startJob('compute.run', { collection: 'two', ids: ['1'] });
    const waitingD = await until(d.id, (j) => j.waiting !== null);
    assert.equal(waitingD.state, 'queued');
    assert.equal(waitingD.waiting, 'slot');
    assert.deepEqual(started, ['merge', 'compute.run']);

    // The event stream shows the wait, then the run once the merge and the slot holders let go.
    let released = false;
    const seen = await follow(`${url}/api/jobs/${b.id}/events`, token, (job) => {
      if (!released) {
        assert.equal(job.state, 'queued');
        assert.equal(job.waiting, 'lock');
        released = true;
        merge.letGo();
      }
      // Past the merge it may wait for a slot: the compute runs hold both.
      if (job.waiting === 'slot') thumbs.letGo();
      if (job.state === 'running') create.letGo();
      return false;
    });
    const states = seen.map((j) => `${j.state}${j.waiting ? `:${j.waiting}` : ''}`);
    assert.equal(states[0], 'queued:lock');
    assert.ok(states.includes('running'), states.join(' '));
    assert.equal(states.at(-1), 'completed');
    thumbs.letGo();
    for (const id of [a.id, c.id, d.id])
      assert.equal((await jobs.queue.waitForJob(id, { intervalMs: 20 })).state, 'completed');
  } finally {
    merge.letGo();
    create.letGo();
    thumbs.letGo();
    await app.close();
    await jobs.close();
    await repo.close();
    rmSync(root, { recursive: true, force: true });
  }
});
