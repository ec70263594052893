import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runLeaseConformance } from './catalog-lease-conformance.js';
import type { Catalog, LockHolder, LockRecord } from './catalog.js';

/** The catalog under test, fresh for each test (set by the suite's `beforeEach`). */
export interface CatalogTestContext {
  catalog: Catalog;
  /** A second catalog object on the same storage, when the adapter offers one. */
  reopen: (() => Promise<Catalog>) | undefined;
}

/** A lock holder for tests: distinct pids (and hosts) stand for distinct processes. */
export function holderFor(pid: number, host = 'host-a'): LockHolder {
  return { pid, host, startedAt: '2024-05-01T12:00:00.000Z', command: `strata test ${pid}` };
}

/** An `assert.rejects` check: E_LOCKED, with `data.holder` naming who holds the lock. */
function lockedBy(expected: Partial<LockRecord>): (err: unknown) => boolean {
  return (err) => {
    const e = err as { code?: string; data?: { holder?: Record<string, unknown> } };
    assert.equal(e.code, 'E_LOCKED', String(err));
    for (const [key, value] of Object.entries(expected)) assert.equal(e.data?.holder?.[key], value);
    return true;
  };
}

/** Lock records without their lease fields, for comparing holders. */
export function withoutLease(
  records: readonly LockRecord[],
): Omit<LockRecord, 'leaseUntil' | 'leaseExpired'>[] {
  return records.map(({ leaseUntil: _until, leaseExpired: _expired, ...rest }) => rest);
}

/** Runs `attempts` concurrently and returns how many fulfilled; every rejection must be E_LOCKED. */
async function countWinners(attempts: Promise<unknown>[]): Promise<number> {
  const results = await Promise.allSettled(attempts);
  for (const r of results) {
    if (r.status === 'rejected')
      assert.equal((r.reason as { code?: string }).code, 'E_LOCKED', String(r.reason));
  }
  return results.filter((r) => r.status === 'fulfilled').length;
}

/** The lock part of `runCatalogConformance`: acquisition rules, release, force release, races. */
export function runLockConformance(ctx: CatalogTestContext): void {
  describe('locks', () => {
    it('acquires and lists locks, sorted by name, with their holders', async () => {
      await ctx.catalog.acquireLocks(['branch:main', 'worktree'], holderFor(11));
      await ctx.catalog.acquireLocks(['branch:dev'], holderFor(12, 'host-b'));
      assert.deepEqual(withoutLease(await ctx.catalog.listLocks()), [
        { name: 'branch:dev', ...holderFor(12, 'host-b') },
        { name: 'branch:main', ...holderFor(11) },
        { name: 'worktree', ...holderFor(11) },
      ]);
    });

    it('refuses a held lock with E_LOCKED naming the holder', async () => {
      await ctx.catalog.acquireLocks(['worktree'], holderFor(11));
      await assert.rejects(
        ctx.catalog.acquireLocks(['worktree'], holderFor(12, 'host-b')),
        lockedBy({ name: 'worktree', pid: 11, host: 'host-a' }),
      );
    });

    it('takes all names or none', async () => {
      await ctx.catalog.acquireLocks(['b'], holderFor(11));
      await assert.rejects(ctx.catalog.acquireLocks(['a', 'b', 'c'], holderFor(12)), { code: 'E_LOCKED' });
      assert.deepEqual(
        (await ctx.catalog.listLocks()).map((l) => l.name),
        ['b'],
      );
      await ctx.catalog.acquireLocks(['a', 'c', 'a'], holderFor(12));
      assert.deepEqual(
        (await ctx.catalog.listLocks()).map((l) => l.name),
        ['a', 'b', 'c'],
      );
    });

    it('rejects an empty list of names', async () => {
      await assert.rejects(ctx.catalog.acquireLocks([], holderFor(11)), { code: 'E_INVALID_ARGUMENT' });
    });

    it('blocks an exclusive acquisition while any lock is held', async () => {
      await ctx.catalog.acquireLocks(['branch:main'], holderFor(11));
      await assert.rejects(
        ctx.catalog.acquireLocks(['gc'], holderFor(12), { exclusive: true }),
        lockedBy({ name: 'branch:main', pid: 11, host: 'host-a' }),
      );
      assert.equal((await ctx.catalog.listLocks()).length, 1);
    });

    it('blocks every acquisition while an exclusive lock is held', async () => {
      await ctx.catalog.acquireLocks(['gc'], holderFor(11), { exclusive: true });
      for (const holder of [holderFor(12), holderFor(11)]) {
        await assert.rejects(
          ctx.catalog.acquireLocks(['branch:main'], holder),
          lockedBy({ name: 'gc', pid: 11 }),
        );
      }
      await ctx.catalog.releaseLocks(['gc'], holderFor(11));
      await ctx.catalog.acquireLocks(['branch:main'], holderFor(12));
    });

    it("releases only the caller's locks (same pid and host)", async () => {
      await ctx.catalog.acquireLocks(['a', 'b'], holderFor(11));
      await ctx.catalog.releaseLocks(['a', 'b'], { pid: 12, host: 'host-a' });
      await ctx.catalog.releaseLocks(['a', 'b'], { pid: 11, host: 'host-b' });
      assert.equal((await ctx.catalog.listLocks()).length, 2);
      await ctx.catalog.releaseLocks(['a', 'missing'], { pid: 11, host: 'host-a' });
      await ctx.catalog.releaseLocks([], { pid: 11, host: 'host-a' });
      assert.deepEqual(
        (await ctx.catalog.listLocks()).map((l) => l.name),
        ['b'],
      );
      await ctx.catalog.acquireLocks(['a'], holderFor(12));
    });

    it('force-releases a lock whoever holds it and returns the removed record', async () => {
      await ctx.catalog.acquireLocks(['worktree', 'other'], holderFor(11, 'host-b'));
      const removed = await ctx.catalog.forceReleaseLock('worktree');
      assert.deepEqual(withoutLease(removed ? [removed] : []), [
        { name: 'worktree', ...holderFor(11, 'host-b') },
      ]);
      assert.equal(await ctx.catalog.forceReleaseLock('worktree'), undefined);
      assert.deepEqual(
        (await ctx.catalog.listLocks()).map((l) => l.name),
        ['other'],
      );
      await ctx.catalog.acquireLocks(['worktree'], holderFor(12));
    });

    it('lets exactly one of 20 concurrent acquisitions of one name win', async () => {
      const attempts = Array.from({ length: 20 }, (_, i) =>
        ctx.catalog.acquireLocks(['x'], holderFor(100 + i)),
      );
      assert.equal(await countWinners(attempts), 1);
      assert.equal((await ctx.catalog.listLocks()).length, 1);
    });

    it('lets exactly one of concurrent overlapping multi-name acquisitions win', async () => {
      const attempts = Array.from({ length: 20 }, (_, i) =>
        ctx.catalog.acquireLocks(i % 2 ? ['a', 'b'] : ['b', 'c'], holderFor(100 + i), {
          exclusive: i % 5 === 0,
        }),
      );
      assert.equal(await countWinners(attempts), 1);
      const pids = new Set((await ctx.catalog.listLocks()).map((l) => l.pid));
      assert.equal(pids.size, 1);
    });

    it('serialises acquisitions made through two catalog objects', async (t) => {
      if (!ctx.reopen) return t.skip('adapter offers no second connection');
      const other = await ctx.reopen();
      const attempts = Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? other : ctx.catalog).acquireLocks(['x'], holderFor(100 + i)),
      );
      assert.equal(await countWinners(attempts), 1);
      assert.deepEqual(withoutLease(await other.listLocks()), withoutLease(await ctx.catalog.listLocks()));
    });
  });
  runLeaseConformance(ctx);
}
