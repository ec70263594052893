import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Catalog, LockHolder, LockRecord } from './catalog.js';

/** A lease short enough that tests see it expire, long enough to be taken at all on a busy machine. */
const SHORT_LEASE_MS = 200;
/** A lease no test outlives. */
const LONG_LEASE_MS = 600_000;
/** How long a test waits for a condition before failing (generous: the machine may be busy). */
const WAIT_LIMIT_MS = 20_000;

function holder(pid: number, host: string): LockHolder {
  return { pid, host, startedAt: '2024-05-01T12:00:00.000Z', command: `strata test ${pid}` };
}

/**
 * Polls until `check` returns a value (not undefined), or fails after `WAIT_LIMIT_MS`. Waiting is
 * for a condition, never for a fixed time, so a slow machine only makes the test slower.
 */
async function waitFor<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits until the catalog's own clock says the lease of `name` has expired; returns its record. */
function expiredLock(catalog: Catalog, name: string): Promise<LockRecord> {
  return waitFor(`the lease of '${name}' to expire`, async () =>
    (await catalog.listLocks()).find((l) => l.name === name && l.leaseExpired),
  );
}

/**
 * Lease rules every adapter must follow: an unrenewed lease makes a lock stale for any host, a
 * renewal keeps it, and a holder whose lock was taken over finds out when it renews (which is what
 * stops its commit).
 */
export function runLeaseConformance(ctx: { catalog: Catalog }): void {
  describe('lock leases', () => {
    it('gives each lock a lease that, while it runs, blocks other hosts', async () => {
      const grant = await ctx.catalog.acquireLocks(['x'], holder(11, 'host-a'), { leaseMs: LONG_LEASE_MS });
      assert.equal(typeof grant.token, 'string');
      assert.deepEqual(grant.takenOver, []);
      const [lock] = await ctx.catalog.listLocks();
      assert.equal(lock?.leaseUntil, grant.leaseUntil);
      assert.equal(lock?.leaseExpired, false);
      await assert.rejects(ctx.catalog.acquireLocks(['x'], holder(12, 'host-b')), { code: 'E_LOCKED' });
    });

    it('makes a lock whose lease expired stale from another host, which takes it over', async () => {
      await ctx.catalog.acquireLocks(['x', 'y'], holder(11, 'host-a'), { leaseMs: SHORT_LEASE_MS });
      await expiredLock(ctx.catalog, 'x');
      const grant = await ctx.catalog.acquireLocks(['x'], holder(12, 'host-b'), { leaseMs: LONG_LEASE_MS });
      assert.deepEqual(
        grant.takenOver.map((l) => [l.name, l.pid, l.host, l.leaseExpired]),
        [['x', 11, 'host-a', true]],
      );
      const locks = await ctx.catalog.listLocks();
      assert.deepEqual(
        locks.map((l) => [l.name, l.pid, l.host]),
        [
          ['x', 12, 'host-b'],
          ['y', 11, 'host-a'],
        ],
      );
    });

    it('takes over an expired exclusive lock, so its holder cannot renew it', async () => {
      const gc = await ctx.catalog.acquireLocks(['gc'], holder(11, 'host-a'), {
        exclusive: true,
        leaseMs: SHORT_LEASE_MS,
      });
      await expiredLock(ctx.catalog, 'gc');
      const grant = await ctx.catalog.acquireLocks(['branch:main'], holder(12, 'host-b'));
      assert.deepEqual(
        grant.takenOver.map((l) => l.name),
        ['gc'],
      );
      assert.equal(await ctx.catalog.renewLocks(['gc'], gc.token, LONG_LEASE_MS), false);
    });

    it('keeps a lock alive by renewal: renewed, even after expiry, it blocks other hosts again', async () => {
      const grant = await ctx.catalog.acquireLocks(['x'], holder(11, 'host-a'), { leaseMs: SHORT_LEASE_MS });
      await expiredLock(ctx.catalog, 'x');
      // Nobody took it over: the renewal (a compare-and-swap on the token) still succeeds.
      assert.equal(await ctx.catalog.renewLocks(['x'], grant.token, LONG_LEASE_MS), true);
      const [lock] = await ctx.catalog.listLocks();
      assert.equal(lock?.leaseExpired, false);
      assert.ok(lock.leaseUntil! > grant.leaseUntil, `${lock.leaseUntil} is not after ${grant.leaseUntil}`);
      await assert.rejects(ctx.catalog.acquireLocks(['x'], holder(12, 'host-b')), { code: 'E_LOCKED' });
    });

    it('tells a holder whose lease was taken over that it lost the lock (so it cannot commit)', async () => {
      const first = await ctx.catalog.acquireLocks(['x'], holder(11, 'host-a'), { leaseMs: SHORT_LEASE_MS });
      await expiredLock(ctx.catalog, 'x');
      const second = await ctx.catalog.acquireLocks(['x'], holder(12, 'host-b'), { leaseMs: LONG_LEASE_MS });
      assert.equal(await ctx.catalog.renewLocks(['x'], first.token, LONG_LEASE_MS), false);
      // Its release by token leaves the new holder's lock alone; the new holder renews fine.
      await ctx.catalog.releaseLocks(['x'], { pid: 11, host: 'host-a', token: first.token });
      assert.deepEqual(
        (await ctx.catalog.listLocks()).map((l) => l.pid),
        [12],
      );
      assert.equal(await ctx.catalog.renewLocks(['x'], second.token, LONG_LEASE_MS), true);
    });

    it('reports a renewal as lost when only some of the names are still held', async () => {
      const grant = await ctx.catalog.acquireLocks(['a', 'b'], holder(11, 'host-a'), {
        leaseMs: LONG_LEASE_MS,
      });
      await ctx.catalog.forceReleaseLock('b');
      assert.equal(await ctx.catalog.renewLocks(['a', 'b'], grant.token, LONG_LEASE_MS), false);
    });

    it('force-releases with ifLeaseExpired only a lock whose lease has expired', async () => {
      await ctx.catalog.acquireLocks(['live'], holder(11, 'host-a'), { leaseMs: LONG_LEASE_MS });
      await ctx.catalog.acquireLocks(['old'], holder(12, 'host-b'), { leaseMs: SHORT_LEASE_MS });
      assert.equal(await ctx.catalog.forceReleaseLock('live', { ifLeaseExpired: true }), undefined);
      await expiredLock(ctx.catalog, 'old');
      const removed = await ctx.catalog.forceReleaseLock('old', { ifLeaseExpired: true });
      assert.deepEqual([removed?.name, removed?.pid, removed?.leaseExpired], ['old', 12, true]);
      assert.deepEqual(
        (await ctx.catalog.listLocks()).map((l) => l.name),
        ['live'],
      );
    });

    it('refuses a lease that is not a positive number of ms', async () => {
      await assert.rejects(ctx.catalog.acquireLocks(['x'], holder(11, 'host-a'), { leaseMs: 0 }), {
        code: 'E_INVALID_ARGUMENT',
      });
    });
  });
}
