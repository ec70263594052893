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

function oneLineError(r: CliRun): string {
  assert.equal(r.code, 1, `exit code; stderr: ${r.stderr}`);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  return r.stderr;
}

test('a git repository inside the workspace folder, following --branch: snapshot, restore of an old commit and of the tip', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-res-git-'));
  try {
    ok(runCli(dir, ['init']));
    // As the Data Workspaces quickstart does: a git repository cloned into the workspace.
    const code = join(dir, 'code');
    mkdirSync(code);
    git(code, 'init', '-q', '-b', 'main');
    writeFileSync(join(code, 'train.py'), 'v1\n');
    git(code, 'add', '.');
    git(code, 'commit', '-qm', 'one');
    git(code, 'branch', 'dev');

    oneLineError(runCli(dir, ['resource', 'add', 'git', 'code', '--role', 'code', '--branch', 'nosuch']));
    mkdirSync(join(dir, 'data'));
    assert.match(
      oneLineError(runCli(dir, ['resource', 'add', 'data', '--role', 'source-data', '--branch', 'dev'])),
      /git resources only/,
    );
    // A dirty repository is not switched to another branch.
    writeFileSync(join(code, 'train.py'), 'dirty\n');
    assert.match(
      oneLineError(runCli(dir, ['resource', 'add', 'git', 'code', '--role', 'code', '--branch', 'dev'])),
      /uncommitted changes/,
    );
    git(code, 'checkout', '-q', '--', 'train.py');

    const added = ok(
      runCli(dir, ['resource', 'add', 'git', 'code', '--role', 'code', '--branch', 'dev', '--json']),
    ).json<{ name: string; path: string; branch: string }>();
    assert.deepEqual([added.name, added.path, added.branch], ['code', 'code', 'dev']);
    assert.equal(git(code, 'symbolic-ref', '--short', 'HEAD'), 'dev');
    assert.match(ok(runCli(dir, ['resource', 'list'])).stdout, /branch dev/);

    const first = git(code, 'rev-parse', 'HEAD');
    ok(runCli(dir, ['snapshot', '-m', 'one', '-t', 'v1']));
    writeFileSync(join(code, 'train.py'), 'v2\n');
    git(code, 'commit', '-qam', 'two');
    const second = git(code, 'rev-parse', 'HEAD');
    ok(runCli(dir, ['snapshot', '-m', 'two', '-t', 'v2']));
    // The repository's .git folder is git's business, not a versioned file.
    const shown = ok(runCli(dir, ['status', '--json'])).stdout;
    assert.doesNotMatch(shown, /\.git\//);

    ok(runCli(dir, ['restore', 'v1']));
    assert.equal(git(code, 'rev-parse', 'HEAD'), first);
    assert.equal(readFileSync(join(code, 'train.py'), 'utf8'), 'v1\n');
    // The branch's tip brings the branch back, not a detached commit.
    ok(runCli(dir, ['restore', 'v2']));
    assert.equal(git(code, 'rev-parse', 'HEAD'), second);
    assert.equal(git(code, 'symbolic-ref', '--short', 'HEAD'), 'dev');
    assert.equal(ok(runCli(dir, ['fsck', '--json'])).json<{ ok: boolean }>().ok, true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
