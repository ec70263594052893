import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliRun, ok } from '../test-support/run-cli.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'strata-ws-cli-'));
}

function oneLineError(r: CliRun): void {
  assert.equal(r.code, 1, `exit code; stderr: ${r.stderr}`);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
}

test('a crash in the middle of moving results: fsck passes, nothing is stranded, the same tag works next', () => {
  const dir = tempDir();
  try {
    ok(runCli(dir, ['init', '--create-resources', 'results']));
    ok(runCli(dir, ['config', 'hostname', 'h']));
    for (let i = 0; i < 20; i++) writeFileSync(join(dir, `results/r${i}.txt`), String(i));
    writeFileSync(join(dir, 'results/results.json'), '{"accuracy": 0.5}');
    const crashed = runCli(dir, ['snapshot', '-m', 'x', '-t', 'run-1'], {
      STRATA_TEST_CRASH_AFTER_MOVES: '7',
    });
    assert.notEqual(crashed.code, 0, 'the process was killed');
    assert.ok(existsSync(join(dir, 'results/snapshots/h-run-1')), 'the move had started');

    const fsck = ok(runCli(dir, ['fsck', '--json'])).json<{ ok: boolean }>();
    assert.equal(fsck.ok, true);
    // status finishes the move: the snapshot never committed, so every file goes back.
    ok(runCli(dir, ['status']));
    assert.equal(readdirSync(join(dir, 'results')).filter((f) => f !== 'snapshots').length, 21);
    assert.ok(!existsSync(join(dir, 'results/snapshots/h-run-1')));

    const next = ok(runCli(dir, ['snapshot', '-m', 'x', '-t', 'run-1', '--json'])).json<{
      results_folder: string;
      results_moved: number;
    }>();
    assert.deepEqual(next.results_folder, 'snapshots/h-run-1');
    assert.equal(next.results_moved, 21);
    assert.equal(ok(runCli(dir, ['fsck', '--json'])).json<{ ok: boolean }>().ok, true);
    const history = ok(runCli(dir, ['report', 'history', '--json'])).json<{ metrics: unknown }[]>();
    assert.deepEqual(history[0]!.metrics, { accuracy: 0.5 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a crash right before the commit is rolled back by the next snapshot itself', () => {
  const dir = tempDir();
  try {
    ok(runCli(dir, ['init', '--create-resources', 'results']));
    for (let i = 0; i < 3; i++) writeFileSync(join(dir, `results/r${i}.txt`), String(i));
    const crashed = runCli(dir, ['snapshot', '-m', 'x', '-t', 'a'], { STRATA_TEST_CRASH_AFTER_MOVES: '3' });
    assert.notEqual(crashed.code, 0);
    const next = ok(runCli(dir, ['snapshot', '-m', 'x', '-t', 'a', '--json'])).json<{
      results_moved: number;
    }>();
    assert.equal(next.results_moved, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('resource add local|git, report history --json, restore REF versus restore PATH, bad input', () => {
  const dir = tempDir();
  const ext = tempDir();
  const gitDir = tempDir();
  try {
    ok(runCli(dir, ['init', '--create-resources', 'code,results']));
    writeFileSync(join(ext, 'a.csv'), '1\n');
    execFileSync('git', ['-C', gitDir, 'init', '-q']);
    writeFileSync(join(gitDir, 'm.py'), 'x\n');
    execFileSync('git', ['-C', gitDir, 'add', '.']);
    execFileSync('git', ['-C', gitDir, '-c', 'user.email=t@e', '-c', 'user.name=t', 'commit', '-qm', 'i']);

    ok(
      runCli(dir, ['resource', 'add', 'local', ext, '--role', 'source-data', '--name', 'ext', '--read-only']),
    );
    ok(runCli(dir, ['resource', 'add', 'git', gitDir, '--role', 'code', '--name', 'lib']));
    oneLineError(runCli(dir, ['resource', 'add', 'ftp', ext, '--role', 'code']));
    oneLineError(runCli(dir, ['resource', 'add', 'git', ext, '--role', 'code', '--name', 'nogit']));
    const list = ok(runCli(dir, ['resource', 'list', '--json'])).json<{ name: string; type: string }[]>();
    assert.deepEqual(
      list.map((r) => `${r.name}:${r.type}`),
      ['code:folder', 'ext:local', 'lib:git', 'results:folder'],
    );

    writeFileSync(join(dir, 'code/train.py'), 'v1\n');
    writeFileSync(join(dir, 'results/results.json'), '{"metrics": {"accuracy": 0.7, "loss": 1.5}}');
    const c1 = ok(runCli(dir, ['snapshot', '-m', 'one', '-t', 'v1', '--json'])).json<
      Record<string, unknown>
    >();
    assert.deepEqual(Object.keys(c1).slice(0, 3), ['id', 'branch', 'changes']);
    writeFileSync(join(dir, 'code/train.py'), 'v2\n');
    writeFileSync(join(dir, 'results/results.json'), '{"metrics": {"accuracy": 0.6, "loss": 1.0}}');
    ok(runCli(dir, ['commit', '-m', 'two', '-t', 'v2']));
    oneLineError(runCli(dir, ['snapshot', '-m', 'again', '-t', 'v2']));

    const history = ok(runCli(dir, ['report', 'history', '--json'])).json<Record<string, unknown>[]>();
    assert.deepEqual(
      history.map((h) => Object.keys(h)),
      [
        ['id', 'tags', 'time', 'message', 'metrics', 'branches'],
        ['id', 'tags', 'time', 'message', 'metrics', 'branches'],
      ],
    );
    assert.deepEqual(history[0]!.tags, ['v2']);
    assert.deepEqual(history[0]!.metrics, { accuracy: 0.6, loss: 1 });
    const table = ok(runCli(dir, ['report', 'history', '--baseline', 'v1'])).stdout;
    assert.match(table, /accuracy/);
    assert.match(table, /▼/);
    assert.match(table, /▲/);
    assert.equal(
      ok(runCli(dir, ['report', 'history', '--limit', '1', '--json'])).json<unknown[]>().length,
      1,
    );

    const diff = ok(runCli(dir, ['diff', 'v1', 'v2', '--json'])).json<{ metrics: { name: string }[] }>();
    assert.deepEqual(
      diff.metrics.map((m) => m.name),
      ['accuracy', 'loss'],
    );

    // A path inside a resource is restored as a path; a revision restores the whole snapshot.
    writeFileSync(join(dir, 'code/train.py'), 'edited\n');
    ok(runCli(dir, ['restore', 'code/train.py', '--force']));
    const whole = ok(runCli(dir, ['restore', 'v1', '--json'])).json<{
      updated: number;
      skipped: unknown[];
    }>();
    assert.equal(whole.updated, 1);
    oneLineError(runCli(dir, ['restore', 'v9']));
    // A dirty git resource stops the restore of a snapshot.
    writeFileSync(join(gitDir, 'm.py'), 'dirty\n');
    const dirty = runCli(dir, ['restore', 'v2']);
    oneLineError(dirty);
    assert.match(dirty.stderr, /uncommitted changes/);

    const cfg = ok(runCli(dir, ['config', '--json'])).json<{ name: string; help: string }[]>();
    assert.ok(cfg.some((p) => p.name === 'hostname' && p.help.length > 0));
    oneLineError(runCli(dir, ['config', 'nope']));
    assert.equal(
      ok(runCli(dir, ['report', 'status', '--json'])).json<{ resources: unknown[] }>().resources.length,
      4,
    );
    ok(runCli(dir, ['report', 'results', 'v1']));
    ok(runCli(dir, ['report', 'lineage', 'v1']));
    ok(runCli(dir, ['delete-snapshot', 'v1']));
    assert.equal(ok(runCli(dir, ['report', 'history', '--json'])).json<unknown[]>().length, 1);
    mkdirSync(join(dir, 'results/x'));
  } finally {
    for (const d of [dir, ext, gitDir]) rmSync(d, { recursive: true, force: true });
  }
});
