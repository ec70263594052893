/**
 * "Clear errors instead of internal errors": problems of the environment (a closed pipe, a full
 * disk, a read-only `.strata`, a missing module) are one line naming the path and the cause, with
 * exit 1 (exit 0 for a closed pipe), never "internal error" nor a stack trace.
 *
 * The full disk and the read-only folder are real mounts (a 2 MiB tmpfs, a read-only bind mount),
 * so the tests hold as root, which ignores file modes; where mounting is not permitted they skip
 * and say why.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { installedBin } from '../test-support/installed-bin.js';
import { TestMounts } from '../test-support/mounts.js';
import { runCli, type CliRun } from '../test-support/run-cli.js';

const roots: string[] = [];
const mounts = new TestMounts();
after(() => {
  mounts.releaseAll();
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'strata-env-'));
  roots.push(root);
  return root;
}

function assertOneLineError(r: CliRun, pattern: RegExp): void {
  assert.equal(r.code, 1, `exit code; stderr: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /internal error/);
  assert.match(lines[0]!, pattern);
}

/** A repository with a `data` resource holding `bytes` of incompressible data. */
function repoWithData(bytes: number): string {
  const root = tempRoot();
  assert.equal(runCli(root, ['init']).code, 0);
  mkdirSync(join(root, 'data'));
  writeFileSync(join(root, 'data', 'big.bin'), randomBytes(bytes));
  const added = runCli(root, ['resource', 'add', 'data', '--role', 'source-data']);
  assert.equal(added.code, 0, added.stderr);
  return root;
}

test('output piped into a reader that goes away (| head): no EPIPE stack trace, exit 0', async () => {
  const root = tempRoot();
  assert.equal(runCli(root, ['init']).code, 0);
  const child = spawn(process.execPath, [installedBin(), 'config'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  child.stdout.destroy(); // the reader is gone before the first line is written
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /EPIPE|\n\s+at /);
});

test('a missing compute module: one line naming the module, exit 1', () => {
  const root = tempRoot();
  assert.equal(runCli(root, ['init']).code, 0);
  const r = runCli(root, ['compute', 'run', 'c', 'a', '--module', 'nope.mjs']);
  assertOneLineError(r, /nope\.mjs.*not found/);
});

test('a full disk (ENOSPC) during commit: one line naming the file, exit 1, no temp files left', (t) => {
  const root = repoWithData(3 * 1024 * 1024);
  const strata = join(root, '.strata');
  const saved = join(tempRoot(), 'saved');
  cpSync(strata, saved, { recursive: true });
  const failed = mounts.mount(strata, '-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', strata);
  if (failed) return t.skip(`mount not permitted: ${failed}`);
  cpSync(saved, strata, { recursive: true });
  const r = runCli(root, ['commit', '-m', 'too big']);
  assertOneLineError(r, /\.strata\/objects\/.*: no space left on device \(ENOSPC\)/);
  assert.deepEqual(readdirSync(join(strata, 'objects', 'tmp')), []);
  assert.equal(runCli(root, ['lock', '--json']).stdout.trim(), '[]');
  mounts.umount(strata);
});

test('a read-only .strata (EROFS): one line naming the cause, exit 1', (t) => {
  const root = repoWithData(1000);
  const strata = join(root, '.strata');
  const failed =
    mounts.mount(strata, '--bind', strata, strata) ?? mounts.mount(strata, '-o', 'remount,ro,bind', strata);
  if (failed) return t.skip(`mount not permitted: ${failed}`);
  for (const args of [['commit', '-m', 'x'], ['status'], ['log']]) {
    const r = runCli(root, args);
    assertOneLineError(r, /read-only|cannot open the database/);
  }
  mounts.umount(strata);
});
