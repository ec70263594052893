import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openRepository } from '../../api/index.js';
import { runCli } from '../test-support/run-cli.js';

/** A lock held from another machine with a short lease that nobody renews; returns once it expired. */
async function plantExpiredLock(root: string, name: string): Promise<void> {
  const repo = await openRepository(root);
  try {
    await repo.catalog.acquireLocks(
      [name],
      { pid: 4242, host: 'other-host', startedAt: '2026-01-01T00:00:00.000Z', command: 'strata commit' },
      { leaseMs: 200 },
    );
    const deadline = Date.now() + 20_000;
    while (!(await repo.catalog.listLocks()).find((l) => l.name === name)?.leaseExpired) {
      assert.ok(Date.now() < deadline, 'the lease never expired');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await repo.close();
  }
}

interface LockJson {
  name: string;
  host: string;
  lease_until: string | null;
  stale: boolean;
  stale_reason: string | null;
}

test('lock lease: strata lock shows an expired lease as stale, lock release frees it and says why', async () => {
  const root = mkdtempSync(join(tmpdir(), 'strata-lease-'));
  try {
    assert.equal(runCli(root, ['init', '--create-resources', 'source-data']).code, 0);
    await plantExpiredLock(root, 'worktree');
    const [lock, ...rest] = runCli(root, ['lock', '--json']).json<LockJson[]>();
    assert.deepEqual(rest, []);
    assert.deepEqual(
      [lock?.name, lock?.host, lock?.stale, lock?.stale_reason],
      ['worktree', 'other-host', true, 'lease-expired'],
    );
    assert.equal(typeof lock?.lease_until, 'string');
    assert.match(
      runCli(root, ['lock']).stdout,
      /worktree: pid 4242 on other-host .*stale: its lease expired/,
    );

    const release = runCli(root, ['lock', 'release']);
    assert.equal(release.code, 0, release.stderr);
    assert.match(
      release.stdout,
      /released lock 'worktree' held by pid 4242 on other-host .*its lease expired/,
    );
    assert.deepEqual(runCli(root, ['lock', '--json']).json(), []);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('lock lease: a commit takes over a lock whose lease expired, without --force, and says so on stderr', async () => {
  const root = mkdtempSync(join(tmpdir(), 'strata-lease-'));
  try {
    assert.equal(runCli(root, ['init', '--create-resources', 'source-data']).code, 0);
    writeFileSync(join(root, 'source-data', 'a.txt'), 'a');
    await plantExpiredLock(root, 'worktree');
    const committed = runCli(root, ['commit', '-m', 'after a stale holder']);
    assert.equal(committed.code, 0, committed.stderr);
    assert.match(committed.stderr, /took over lock 'worktree' from pid 4242 on other-host/);
    assert.deepEqual(runCli(root, ['lock', '--json']).json(), []);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
