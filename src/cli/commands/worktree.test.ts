import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listenOnSocket, makeFifo } from '../../repo/test-support/special-files.js';
import { runCli } from '../test-support/run-cli.js';

test('CLI status and commit: symlinks are versioned, special files and non-UTF-8 names are reported', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-cli-'));
  const outside = mkdtempSync(join(tmpdir(), 'strata-outside-'));
  mkdirSync(join(dir, 'data'));
  const server = await listenOnSocket(join(dir, 'data/app.sock'));
  try {
    assert.equal(runCli(dir, ['init']).code, 0);
    writeFileSync(join(dir, 'data/a.txt'), 'a');
    symlinkSync('a.txt', join(dir, 'data/link'));
    const fifo = makeFifo(join(dir, 'data/pipe'));
    writeFileSync(Buffer.concat([Buffer.from(join(dir, 'data/x')), Buffer.from([0xff])]), 'x');
    assert.equal(runCli(dir, ['resource', 'add', 'data', '--role', 'source-data']).code, 0);
    const st = runCli(dir, ['status', '--json']).json<{ changes: unknown[]; skipped: unknown[] }>();
    assert.deepEqual(st.changes, [
      { resource: 'data', path: 'a.txt', change: 'added' },
      { resource: 'data', path: 'link', change: 'added' },
    ]);
    const skipped = [
      { resource: 'data', path: 'app.sock', reason: 'socket' },
      ...(fifo ? [{ resource: 'data', path: 'pipe', reason: 'fifo' }] : []),
      { resource: 'data', path: 'x\\xff', reason: 'non-utf8-name' },
    ];
    assert.deepEqual(st.skipped, skipped);
    const human = runCli(dir, ['status']);
    assert.match(human.stdout, /Not versioned \(\d\):/);
    assert.match(human.stdout, /data\/x\\xff {2}\(non-utf8-name\)/);
    const made = runCli(dir, ['commit', '-m', 'one', '--json']);
    assert.equal(made.code, 0, made.stderr);
    assert.deepEqual(made.json<{ skipped: unknown[] }>().skipped, skipped);
    assert.equal(made.stderr.match(/warning: not versioned: /g)?.length, skipped.length, made.stderr);
    // A resource linked out of the repository is refused with a clear error, exit 1.
    symlinkSync(outside, join(dir, 'etc'));
    const refused = runCli(dir, ['resource', 'add', 'etc', '--role', 'source-data']);
    assert.equal(refused.code, 1);
    assert.ok(refused.stderr.includes(realpathSync(outside)), refused.stderr);
  } finally {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
});
