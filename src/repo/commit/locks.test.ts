import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Catalog, LockHolder } from '../../catalog/catalog.js';
import { gc } from '../maintenance/gc.js';
import { readHead } from '../refs/refs.js';
import { Repository } from '../repository.js';
import { createTempRepo } from '../test-support/temp-repo.js';
import { commit } from './create-commit.js';
import { holdLocks, lockLeaseMs, setLockNoticeListener } from './locks.js';

const OTHER_HOST: LockHolder = {
  pid: 4242,
  host: 'other-host',
  startedAt: '2026-01-01T00:00:00.000Z',
  command: 'strata commit',
};

/**
 * `repo` on a catalog where another process takes every lock over as soon as this one has it (as
 * after a stall longer than the lease): the holder finds out only when it renews.
 */
function losingLocks(repo: Repository): Repository {
  const stolen: Catalog = new Proxy(repo.catalog, {
    get(target, prop) {
      if (prop === 'acquireLocks') {
        return async (...args: Parameters<Catalog['acquireLocks']>) => {
          const grant = await target.acquireLocks(...args);
          for (const name of args[0]) await target.forceReleaseLock(name);
          await target.acquireLocks(args[0], OTHER_HOST, { leaseMs: 600_000 });
          return grant;
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return new Repository(repo.root, repo.config, stolen, repo.store);
}

/** Polls `check` until it returns a value; bounded, so a broken condition fails instead of hanging. */
async function waitFor<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Runs `work` with `STRATA_LOCK_LEASE_MS` set to `ms`, then restores it. */
async function withLease<T>(ms: number, work: () => Promise<T>): Promise<T> {
  const saved = process.env.STRATA_LOCK_LEASE_MS;
  process.env.STRATA_LOCK_LEASE_MS = String(ms);
  try {
    return await work();
  } finally {
    if (saved === undefined) delete process.env.STRATA_LOCK_LEASE_MS;
    else process.env.STRATA_LOCK_LEASE_MS = saved;
  }
}

test('lock lease: the holder renews its lease in the background while it holds the lock', async () => {
  const t = await createTempRepo();
  try {
    await withLease(200, async () => {
      const held = await holdLocks(t.repo, ['x']);
      const [first] = await t.repo.catalog.listLocks();
      assert.ok(first?.leaseUntil);
      // Renewed without any call from us: the lease end moves forward.
      await waitFor('a renewal', async () => {
        const [now] = await t.repo.catalog.listLocks();
        return now && now.leaseUntil! > first.leaseUntil! ? true : undefined;
      });
      await held.assertStillHeld();
      await held.release();
      assert.deepEqual(await t.repo.catalog.listLocks(), []);
    });
  } finally {
    await t.done();
  }
});

test('lock lease: a commit whose lock was taken over stops with E_LOCK_LOST before the ref update', async () => {
  const t = await createTempRepo();
  try {
    t.write('data/a', 'a');
    const repo = losingLocks(t.repo);
    await assert.rejects(commit(repo, { message: 'after losing the lock' }), { code: 'E_LOCK_LOST' });
    assert.equal((await readHead(t.repo)).commit, null, 'nothing was made visible');
    // Its release left the new holder's locks alone.
    assert.deepEqual(
      (await t.repo.catalog.listLocks()).map((l) => [l.name, l.host]),
      [
        ['branch:main', 'other-host'],
        ['worktree', 'other-host'],
      ],
    );
  } finally {
    await t.done();
  }
});

test('lock lease: a commit takes over a lock whose lease expired on another host, with a notice', async () => {
  const t = await createTempRepo();
  const notices: string[] = [];
  const previous = setLockNoticeListener((message) => notices.push(message));
  try {
    t.write('data/a', 'a');
    await t.repo.catalog.acquireLocks(['worktree'], OTHER_HOST, { leaseMs: 200 });
    await waitFor('the lease to expire', async () =>
      (await t.repo.catalog.listLocks())[0]?.leaseExpired ? true : undefined,
    );
    const result = await commit(t.repo, { message: 'after the stale holder' });
    assert.equal((await readHead(t.repo)).commit, result.id);
    assert.equal(notices.length, 1);
    assert.match(notices[0]!, /took over lock 'worktree' from pid 4242 on other-host/);
    assert.deepEqual(await t.repo.catalog.listLocks(), []);
  } finally {
    setLockNoticeListener(previous);
    await t.done();
  }
});

test('lock lease: STRATA_LOCK_LEASE_MS sets the lease and a bad value is refused with E_CONFIG', async () => {
  await withLease(1234, async () => assert.equal(lockLeaseMs(), 1234));
  for (const bad of ['0', '-5', 'soon', '1.5']) {
    await withLease(0, async () => {
      process.env.STRATA_LOCK_LEASE_MS = bad;
      assert.throws(() => lockLeaseMs(), { code: 'E_CONFIG' });
    });
  }
});

test('lock lease: a gc whose exclusive lock was taken over deletes nothing and fails with E_LOCK_LOST', async () => {
  const t = await createTempRepo();
  try {
    // An object no ref reaches: garbage for gc.
    const writer = t.repo.store.createWriter();
    const orphan = await writer.add(Buffer.from('an object no ref reaches'));
    await writer.commit();
    const repo = losingLocks(t.repo);
    await assert.rejects(gc(repo), { code: 'E_LOCK_LOST' });
    assert.ok((await t.repo.store.hasMany([orphan])).has(orphan), 'the unreachable object is still there');
  } finally {
    await t.done();
  }
});
