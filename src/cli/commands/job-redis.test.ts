import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../test-support/run-cli.js';

test('strata job cancel with Redis down: one clear line, exit 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-cli-job-redis-'));
  try {
    // A port nothing listens on: the Redis is down at start.
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    server.close();
    await once(server, 'close');
    assert.equal(runCli(dir, ['init']).code, 0);
    const r = runCli(dir, ['job', 'cancel', 'some-job', '--queue', `redis://127.0.0.1:${port}`]);
    assert.equal(r.code, 1, `exit code; stderr: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line on stderr, got: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`job queue at redis://127\\.0\\.0\\.1:${port} cannot be reached`));
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
