import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { test } from 'node:test';
import { createTempRepo } from '../test-support/temp-repo.js';
import { listLocks, releaseLocks } from './lock-admin.js';

const holder = (pid: number, host: string) => ({
  pid,
  host,
  startedAt: '2026-01-01T00:00:00.000Z',
  command: 'strata commit',
});

/** The pid of a process that has exited (a holder that is gone on this host). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid!;
}

test('lock lease: a lock whose lease expired is stale whatever host held it, and release says why', async () => {
  const t = await createTempRepo();
  try {
    await t.repo.catalog.acquireLocks(['expired'], holder(4242, 'other-host'), { leaseMs: 200 });
    await t.repo.catalog.acquireLocks(['live'], holder(4343, 'other-host'), { leaseMs: 600_000 });
    await t.repo.catalog.acquireLocks(['dead'], holder(deadPid(), hostname()), { leaseMs: 600_000 });
    const deadline = Date.now() + 20_000;
    while (!(await t.repo.catalog.listLocks()).find((l) => l.name === 'expired')?.leaseExpired) {
      assert.ok(Date.now() < deadline, 'the lease never expired');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.deepEqual(
      (await listLocks(t.repo)).map((l) => [l.name, l.stale, l.staleReason]),
      [
        ['dead', true, 'dead-pid'],
        ['expired', true, 'lease-expired'],
        ['live', false, null],
      ],
    );
    // A live lease on another host is not stale: naming it is refused, releasing all skips it.
    await assert.rejects(releaseLocks(t.repo, { name: 'live' }), { code: 'E_INVALID_ARGUMENT' });
    const released = await releaseLocks(t.repo);
    assert.deepEqual(
      released.map((l) => [l.name, l.staleReason, l.forced]),
      [
        ['dead', 'dead-pid', false],
        ['expired', 'lease-expired', false],
      ],
    );
    assert.deepEqual(
      (await t.repo.catalog.listLocks()).map((l) => l.name),
      ['live'],
    );
  } finally {
    await t.done();
  }
});
