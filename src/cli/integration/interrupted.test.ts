/**
 * Issue 10, "interrupted operations are journaled and explained": a checkout or merge killed with
 * SIGKILL midway (after a fixed number of files, `STRATA_TEST_CRASH_AFTER_FILES`: sized by work
 * done, never by wall time) is explained by `status`, blocks `commit`, and is finished by
 * `--continue` / `strata recover` or undone by `--abort`; fsck passes and no temporary file is
 * left in a working folder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, ok } from '../test-support/run-cli.js';

const FILES = 12;
const CRASH = { STRATA_TEST_CRASH_AFTER_FILES: '5' };

function write(dir: string, path: string, content: string): void {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), content);
}

/** Every file of the `code` resource with its content (temporary files included, to catch them). */
function contents(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(join(dir, 'code'), { recursive: true, encoding: 'utf8' }).sort()) {
    const p = join(dir, 'code', String(name));
    try {
      out[String(name)] = readFileSync(p, 'utf8');
    } catch {
      // a folder
    }
  }
  return out;
}

interface Status {
  branch: string | null;
  head: string | null;
  changes: unknown[];
  interrupted?: { operation: string; target: string; continue: string; abort: string };
}

/** A repository with branch `main` (files `v1`) and branch `exp` (every file `v2`, one more). */
function twoBranches(): string {
  const dir = mkdtempSync(join(tmpdir(), 'strata-interrupted-'));
  ok(runCli(dir, ['init', '--create-resources', 'code']));
  for (let i = 0; i < FILES; i++) write(dir, `code/d${i % 3}/f${i}`, 'v1');
  ok(runCli(dir, ['commit', '-m', 'one']));
  ok(runCli(dir, ['checkout', '-b', 'exp', 'main']));
  for (let i = 0; i < FILES; i++) write(dir, `code/d${i % 3}/f${i}`, 'v2');
  write(dir, 'code/only-exp', 'x');
  ok(runCli(dir, ['commit', '-m', 'two']));
  ok(runCli(dir, ['checkout', 'main']));
  return dir;
}

/** What every recovery must leave: a clean status, fsck ok, no temporary file anywhere. */
function assertSettled(dir: string, branch: string): void {
  const st = ok(runCli(dir, ['status', '--json'])).json<Status>();
  assert.equal(st.branch, branch);
  assert.deepEqual(st.changes, []);
  assert.equal(st.interrupted, undefined);
  assert.equal(ok(runCli(dir, ['fsck', '--json'])).json<{ ok: boolean }>().ok, true);
  assert.deepEqual(
    Object.keys(contents(dir)).filter((n) => n.includes('tmp')),
    [],
  );
  assert.deepEqual(readdirSync(join(dir, '.strata', 'tmp')), []);
}

test('issue 10: a checkout killed midway is explained, blocks commit, and --continue finishes it', () => {
  const dir = twoBranches();
  try {
    ok(runCli(dir, ['checkout', 'exp']));
    const target = contents(dir);
    ok(runCli(dir, ['checkout', 'main']));
    const killed = runCli(dir, ['checkout', 'exp'], CRASH);
    assert.equal(killed.code, -1, 'killed by SIGKILL');

    const human = ok(runCli(dir, ['status']));
    assert.match(human.stdout, /a checkout to 'exp' was interrupted/);
    assert.match(human.stdout, /strata checkout --continue/);
    const st = ok(runCli(dir, ['status', '--json'])).json<Status>();
    assert.equal(st.interrupted?.operation, 'checkout');
    assert.equal(st.interrupted?.target, 'exp');

    const commit = runCli(dir, ['commit', '-m', 'half']);
    assert.equal(commit.code, 1, 'commit refused while the checkout is unfinished');
    assert.match(commit.stderr, /interrupted/);
    assert.equal(runCli(dir, ['checkout', 'main']).code, 1, 'a new checkout is refused, with the reason');

    ok(runCli(dir, ['checkout', '--continue']));
    assert.deepEqual(contents(dir), target);
    assertSettled(dir, 'exp');
    assert.equal(ok(runCli(dir, ['log', '--json'])).json<unknown[]>().length, 2, 'nothing was committed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('issue 10: --abort undoes a killed checkout, and strata recover finishes one', () => {
  const dir = twoBranches();
  try {
    const before = contents(dir);
    assert.equal(runCli(dir, ['checkout', 'exp'], CRASH).code, -1);
    assert.notDeepEqual(contents(dir), before, 'the kill happened midway');
    ok(runCli(dir, ['checkout', '--abort']));
    assert.deepEqual(contents(dir), before);
    assertSettled(dir, 'main');

    assert.equal(runCli(dir, ['checkout', 'exp'], CRASH).code, -1);
    assert.equal(runCli(dir, ['merge', '--continue']).code, 1, 'the pending operation is a checkout');
    ok(runCli(dir, ['recover']));
    assertSettled(dir, 'exp');
    assert.equal(readFileSync(join(dir, 'code/only-exp'), 'utf8'), 'x');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** `main` and `feat` diverged: `feat` rewrites every file, `main` changes one other file. */
function diverged(): { dir: string; ours: string } {
  const dir = twoBranches();
  write(dir, 'code/main-only', 'm');
  ok(runCli(dir, ['commit', '-m', 'main side']));
  const ours = ok(runCli(dir, ['status', '--json'])).json<Status>().head!;
  return { dir, ours };
}

test('issue 10: a merge killed midway is never committed half-merged; --continue makes the merge commit', () => {
  const { dir, ours } = diverged();
  try {
    assert.equal(runCli(dir, ['merge', 'exp'], CRASH).code, -1);
    const st = ok(runCli(dir, ['status', '--json'])).json<Status>();
    assert.equal(st.interrupted?.operation, 'merge');
    assert.equal(st.head, ours);
    assert.match(ok(runCli(dir, ['status'])).stdout, /a merge of 'exp' was interrupted/);
    assert.equal(runCli(dir, ['commit', '-m', 'half-merged']).code, 1);
    assert.equal(ok(runCli(dir, ['status', '--json'])).json<Status>().head, ours, 'no commit landed');

    ok(runCli(dir, ['merge', '--continue']));
    assertSettled(dir, 'main');
    const [merge] = ok(runCli(dir, ['log', '--json'])).json<{ parents: string[]; message: string }[]>();
    assert.equal(merge!.parents.length, 2);
    assert.equal(merge!.parents[0], ours);
    for (let i = 0; i < FILES; i++)
      assert.equal(readFileSync(join(dir, `code/d${i % 3}/f${i}`), 'utf8'), 'v2');
    assert.equal(readFileSync(join(dir, 'code/main-only'), 'utf8'), 'm');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('issue 10: merge --abort after a kill puts every file back and leaves the branch where it was', () => {
  const { dir, ours } = diverged();
  try {
    const before = contents(dir);
    assert.equal(runCli(dir, ['merge', 'exp'], CRASH).code, -1);
    ok(runCli(dir, ['merge', '--abort']));
    assert.deepEqual(contents(dir), before);
    assertSettled(dir, 'main');
    assert.equal(ok(runCli(dir, ['status', '--json'])).json<Status>().head, ours);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('issue 10: a restore killed midway is explained; restore --continue and --abort settle it', () => {
  const dir = twoBranches();
  try {
    const before = contents(dir);
    assert.equal(runCli(dir, ['restore', 'code', '--source', 'exp', '--force'], CRASH).code, -1);
    assert.match(ok(runCli(dir, ['status'])).stdout, /a restore of code from 'exp' was interrupted/);
    assert.equal(runCli(dir, ['commit', '-m', 'half']).code, 1);
    ok(runCli(dir, ['restore', '--abort']));
    assert.deepEqual(contents(dir), before);
    assertSettled(dir, 'main');

    assert.equal(runCli(dir, ['restore', 'code', '--source', 'exp', '--force'], CRASH).code, -1);
    ok(runCli(dir, ['restore', '--continue']));
    for (let i = 0; i < FILES; i++)
      assert.equal(readFileSync(join(dir, `code/d${i % 3}/f${i}`), 'utf8'), 'v2');
    assert.equal(ok(runCli(dir, ['status', '--json'])).json<Status>().interrupted, undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
