import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { withProject } from './test-support/with-project.js';
import { hashArgs } from './args-hash.js';
import { openComputeStore } from './test-support/sqlite-compute-port.js';

test('a pending row whose lease expired, or whose claim this thread no longer holds, is stale and recomputed', async () => {
  await withProject(async (project, root) => {
    const store = await openComputeStore(join(root, '.strata', 'compute.db'));
    try {
      const c = project.collection('c', (id: string) => `done ${id}`, { leaseMs: 1000 });
      const key = (id: string) => ({ collection: 'c', id, argsHash: hashArgs(undefined).hash });
      // Another machine's claim, its lease long over.
      await store.claim({
        key: key('remote'),
        args: '{}',
        codeVersion: '0',
        holder: { pid: 1, host: 'elsewhere.invalid', token: 'remote-token' },
        nowMs: Date.now() - 10_000,
        leaseMs: 1000,
        force: false,
        isLive: () => true,
      });
      // A live process on this host with a live lease: not stale.
      await store.claim({
        key: key('live'),
        args: '{}',
        codeVersion: '0',
        holder: { pid: process.ppid, host: hostname(), token: 'live-token' },
        nowMs: Date.now(),
        leaseMs: 60_000,
        force: false,
        isLive: () => true,
      });
      assert.equal((await project.resource(c, 'remote')).stale, true);
      assert.equal((await project.resource(c, 'live')).stale, false);
      const counts = (await project.stats(c)).c!;
      assert.equal(counts.pending, 2);
      assert.equal(counts.stale, 1);
      const r = await project.fetch(c, 'remote');
      assert.equal(r.status, 'complete');
      assert.equal(r.attempts, 2);
      assert.equal(r.result, 'done remote');
      assert.equal((await project.resource(c, 'remote')).status, 'complete');
      await project.delete(c, 'live');
    } finally {
      await store.close();
    }
  });
});

test('one shared timer renews the lease of a long compute', async () => {
  await withProject(async (project, root) => {
    const store = await openComputeStore(join(root, '.strata', 'compute.db'));
    try {
      const key = { collection: 'long', id: 'x', argsHash: hashArgs(undefined).hash };
      const leases: number[] = [];
      const long = project.collection(
        'long',
        async () => {
          for (let i = 0; i < 4; i++) {
            await new Promise((resolve) => setTimeout(resolve, 150));
            const row = await store.get(key);
            assert.ok(row!.leaseUntilMs! > Date.now(), 'the lease never runs out while computing');
            leases.push(row!.leaseUntilMs!);
          }
          return 'done';
        },
        { leaseMs: 200 },
      );
      assert.equal((await project.fetch(long, 'x')).status, 'complete');
      assert.ok(leases[3]! > leases[0]!, `renewed: ${leases.join(', ')}`);
      assert.equal((await store.get(key))?.leaseUntilMs, null);
    } finally {
      await store.close();
    }
  });
});
