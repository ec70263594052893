import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { frameName, sequenceFolder, tinyPng, writeConfig, writeTree } from '../assets/traits/test-fixture.js';
import { ApiError } from '../protocol/client.js';
import { follow, type JobView } from './test-support/follow-job.js';
import { serveRepo, updateAssetsAt } from './test-support/serve-repo.js';

test('jobs: an asset update runs as a job (202, SSE progress, record); one cancelled midway leaves the tables as they were', async () => {
  const frames = 1500;
  let root = '';
  const s = await serveRepo(undefined, {
    prepare: async (dir) => {
      root = dir;
      const png = await tinyPng();
      writeTree(dir, {
        [path.join('ingress', sequenceFolder('good'), frameName('good', 1))]: png,
        [path.join('ingress', sequenceFolder('good'), frameName('good', 2))]: png,
      });
      writeConfig(dir);
      await updateAssetsAt(dir);
    },
  });
  try {
    const c = s.client(s.tokens.write);
    const count = async () => (await c.search({ sql: 'SELECT count(*) AS n FROM data' })).rows[0]!.n;
    assert.equal(await count(), 2);
    await assert.rejects(
      s.client(s.tokens.read).startJob('/api/assets/update'),
      (e: ApiError) => e.status === 403,
    );

    // Many more frames, so the update is still reading when it is cancelled.
    const png = await tinyPng(64, 64);
    const more: Record<string, Buffer> = {};
    for (let f = 1; f <= frames; f++)
      more[path.join('ingress', sequenceFolder('many'), frameName('many', f))] = png;
    writeTree(root, more);

    const { job } = await c.startJob('/api/assets/update');
    const events = await follow(`${s.url}/api/jobs/${job}/events`, s.tokens.read, async (j) => {
      if (j.progress && j.progress.done > 0 && j.progress.done < j.progress.total) {
        await c.request('POST', `/api/jobs/${job}/cancel`);
        return true;
      }
      assert.ok(!['completed', 'failed'].includes(j.state), `ended before it could be cancelled: ${j.state}`);
      return false;
    });
    assert.ok(events.length > 0);
    // The cancel reaches the running task at its next progress report.
    for (let i = 0; i < 600; i++) {
      const record = (await c.job(job)) as unknown as JobView;
      if (record.state === 'cancelled') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(((await c.job(job)) as unknown as JobView).state, 'cancelled');
    // Nothing half-committed: the tables hold what the last finished update wrote.
    assert.equal(await count(), 2);
    await assert.rejects(c.request('POST', `/api/jobs/${job}/cancel`), (e: ApiError) => e.status === 409);

    // Run to the end, followed over SSE until it completes.
    const second = await c.startJob('/api/assets/update');
    const seen = await follow(`${s.url}/api/jobs/${second.job}/events`, s.tokens.read, () => false);
    assert.equal(seen.at(-1)!.state, 'completed');
    assert.equal(await count(), 2 + frames);
    const listed = await c.request<{ jobs: JobView[] }>('GET', '/api/jobs');
    assert.deepEqual(
      listed.jobs.map((j) => j.state),
      ['completed', 'cancelled'],
    );
  } finally {
    await s.close();
  }
});
