import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliRun, ok } from '../test-support/run-cli.js';

const git = (dir: string, ...args: string[]) =>
  execFileSync('git', ['-C', dir, '-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], {
    encoding: 'utf8',
  }).trim();

function oneLineError(r: CliRun): void {
  assert.equal(r.code, 1, `exit code; stderr: ${r.stderr}`);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
}

interface Row {
  resource: string;
  name: string;
  value: string;
  default: boolean;
}

test('config --resource lists, shows and sets per-resource parameters, and they take effect', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-config-res-'));
  try {
    ok(runCli(dir, ['init']));
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data/a.txt'), 'v1');
    ok(runCli(dir, ['resource', 'add', 'data', '--role', 'source-data']));
    const code = join(dir, 'code');
    mkdirSync(code);
    git(code, 'init', '-q', '-b', 'main');
    writeFileSync(join(code, 'm.py'), '1\n');
    git(code, 'add', '.');
    git(code, 'commit', '-qm', 'one');
    git(code, 'branch', 'dev');
    ok(runCli(dir, ['resource', 'add', 'git', 'code', '--role', 'code']));

    const listed = ok(runCli(dir, ['config', '--resource', 'data', '--json'])).json<Row[]>();
    assert.deepEqual(
      listed.map((p) => [p.name, p.value, p.default]),
      [['read_only', 'false', true]],
    );
    const gitParams = ok(runCli(dir, ['config', '--resource', 'code', '--json'])).json<Row[]>();
    assert.deepEqual(
      gitParams.map((p) => p.name),
      ['read_only', 'branch'],
    );

    // A read-only resource is recorded but never written by a restore.
    ok(runCli(dir, ['snapshot', '-m', 'one', '-t', 'v1']));
    const set = ok(runCli(dir, ['config', '--resource', 'data', 'read_only', 'true', '--json'])).json<Row>();
    assert.deepEqual([set.resource, set.name, set.value, set.default], ['data', 'read_only', 'true', false]);
    assert.equal(
      ok(runCli(dir, ['resource', 'list', '--json'])).json<{ name: string; read_only: boolean }[]>()[1]!
        .read_only,
      true,
    );
    writeFileSync(join(dir, 'data/a.txt'), 'v2');
    ok(runCli(dir, ['restore', 'v1']));
    assert.equal(readFileSync(join(dir, 'data/a.txt'), 'utf8'), 'v2');
    assert.equal(
      ok(runCli(dir, ['config', '--resource', 'data', 'read_only', '--json'])).json<Row>().value,
      'true',
    );
    assert.match(ok(runCli(dir, ['config', '--resource', 'data'])).stdout, /read_only = true/);

    // Setting a git resource's branch switches the repository to it.
    ok(runCli(dir, ['config', '--resource', 'code', 'branch', 'dev']));
    assert.equal(git(code, 'symbolic-ref', '--short', 'HEAD'), 'dev');

    oneLineError(runCli(dir, ['config', '--resource', 'data', 'branch', 'dev']));
    oneLineError(runCli(dir, ['config', '--resource', 'data', 'read_only', 'maybe']));
    oneLineError(runCli(dir, ['config', '--resource', 'nope']));
    oneLineError(runCli(dir, ['config', '--resource', 'code', 'branch', 'no-such-branch']));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
