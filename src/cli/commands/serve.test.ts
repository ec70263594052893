import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_BIN, runCli } from '../test-support/run-cli.js';

test('strata token create|list|revoke: the secret is printed once and stored only as a hash', () => {
  const root = mkdtempSync(join(tmpdir(), 'strata-cli-token-'));
  try {
    assert.equal(runCli(root, ['init']).code, 0);
    const created = runCli(root, ['token', 'create', 'ci', '--scope', 'write', '--expires', '30d']);
    assert.equal(created.code, 0, created.stderr);
    const secret = created.stdout.split('\n')[0]!.trim();
    assert.match(secret, /^strata_[\w-]{43}$/);
    for (const file of ['catalog.db', 'catalog.db-wal']) {
      const bytes = (() => {
        try {
          return readFileSync(join(root, '.strata', file));
        } catch {
          return Buffer.alloc(0);
        }
      })();
      assert.ok(!bytes.includes(secret), `${file} holds the secret`);
    }
    const list = runCli(root, ['token', 'list', '--json']);
    assert.equal(list.code, 0, list.stderr);
    assert.ok(!list.stdout.includes(secret));
    assert.deepEqual(
      list
        .json<{ name: string; scope: string; revokedAt: string | null }[]>()
        .map((t) => [t.name, t.scope, t.revokedAt]),
      [['ci', 'write', null]],
    );
    const bad = runCli(root, ['token', 'create', 'x', '--scope', 'root']);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    assert.equal(runCli(root, ['token', 'revoke', 'ci']).code, 0);
    assert.match(runCli(root, ['token', 'list']).stdout, /revoked/);
    assert.equal(runCli(root, ['token', 'revoke', 'nobody']).code, 1);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('strata serve: refuses a non-loopback bind without tokens (one line, exit 1); serves health until SIGTERM', async () => {
  const root = mkdtempSync(join(tmpdir(), 'strata-cli-serve-'));
  try {
    assert.equal(runCli(root, ['init']).code, 0);
    const refused = runCli(root, ['serve', '--host', '0.0.0.0', '--port', '0']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /without any token/);
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);

    const child = spawn(process.execPath, [CLI_BIN, 'serve', '--port', '0'], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const match = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (match) resolve(match[1]!);
      });
      child.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
    });
    const health = (await (await fetch(`${url}/healthz`)).json()) as { ready: boolean };
    assert.equal(health.ready, true);
    assert.equal((await fetch(`${url}/api/refs`)).status, 401);
    child.kill('SIGTERM');
    assert.equal(await exited, 143);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
