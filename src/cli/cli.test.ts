import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { COMMAND_MODULES, createProgram } from './main.js';
import { runCli, type CliRun } from './test-support/run-cli.js';

function oneLineError(r: CliRun, code = 1): void {
  assert.equal(r.code, code, `exit code; stderr: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'strata-cli-'));
}

test('every JSON shape of the foundation', () => {
  const dir = tempDir();
  try {
    assert.equal(runCli(dir, ['init', '--create-resources', 'code,results']).code, 0);
    mkdirSync(join(dir, 'code/pkg'), { recursive: true });
    writeFileSync(join(dir, 'code/pkg/train.py'), 'print(1)\n');
    writeFileSync(join(dir, 'code/README'), 'hi\n');

    const st = runCli(dir, ['status', '--json']).json<{ branch: string; head: null; changes: unknown[] }>();
    assert.deepEqual(st, {
      branch: 'main',
      head: null,
      changes: [
        { resource: 'code', path: 'README', change: 'added' },
        { resource: 'code', path: 'pkg/train.py', change: 'added' },
      ],
      lineage: { steps_changed: 0 },
      // Entries that cannot be versioned (FIFOs, sockets, devices, non-UTF-8 names): none here.
      skipped: [],
    });

    const c1 = runCli(dir, ['commit', '-m', 'first', '--tag', 'v1', '--json']).json<{
      id: string;
      branch: string;
      changes: number;
    }>();
    assert.match(c1.id, /^[0-9a-f]{64}$/);
    assert.equal(c1.branch, 'main');
    assert.equal(c1.changes, 2);

    writeFileSync(join(dir, 'code/README'), 'hello\n');
    const c2 = runCli(dir, ['snapshot', '-m', 'second', '--json']).json<{ id: string }>();

    const logged = runCli(dir, ['log', '--json']).json<Record<string, unknown>[]>();
    assert.equal(logged.length, 2);
    assert.deepEqual(Object.keys(logged[0]!).sort(), [
      'author',
      'author_email',
      'id',
      'message',
      'parents',
      'tags',
      'time',
    ]);
    assert.equal(logged[0]!.id, c2.id);
    assert.deepEqual(logged[0]!.parents, [c1.id]);
    assert.deepEqual(logged[1]!.tags, ['v1']);

    const diff = runCli(dir, ['diff', 'v1', 'HEAD', '--json']).json();
    assert.deepEqual(diff, {
      changes: [{ resource: 'code', path: 'README', change: 'modified', size_before: 3, size_after: 6 }],
    });

    assert.equal(runCli(dir, ['branch', 'exp']).code, 0);
    const branches = runCli(dir, ['branch', '--json']).json();
    assert.deepEqual(branches, [
      { name: 'exp', head: c2.id, current: false },
      { name: 'main', head: c2.id, current: true },
    ]);

    const ok = runCli(dir, ['fsck', '--json']);
    assert.equal(ok.code, 0);
    const report = ok.json<{ ok: boolean; objects: number; problems: unknown[] }>();
    assert.equal(report.ok, true);
    assert.ok(report.objects >= 8);
    assert.deepEqual(report.problems, []);

    const text = runCli(dir, ['log']);
    assert.match(text.stdout, /^\* [0-9a-f]{12} \(HEAD -> main, exp\) second/m);
    assert.match(text.stdout, /tag: v1/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('user mistakes: one line on stderr, exit 1, nothing changed', () => {
  const dir = tempDir();
  try {
    oneLineError(runCli(dir, ['status']));
    assert.match(runCli(dir, ['log']).stderr, /not a Strata repository/);
    oneLineError(runCli(dir, ['init', '--create-resources', 'code,bogus']));
    assert.equal(runCli(dir, ['status']).code, 1, 'a failed init leaves no repository behind');

    assert.equal(runCli(dir, ['init', '--create-resources', 'code']).code, 0);
    oneLineError(runCli(dir, ['init']));
    writeFileSync(join(dir, 'code/a'), 'a');
    assert.equal(runCli(dir, ['commit', '-m', 'one', '--tag', 'v1']).code, 0);
    oneLineError(runCli(dir, ['commit', '-m', 'nothing']));
    oneLineError(runCli(dir, ['checkout', 'nope']));
    oneLineError(runCli(dir, ['show', 'deadbeef']));
    oneLineError(runCli(dir, ['branch', 'bad..name']));
    oneLineError(runCli(dir, ['tag', 'v1']));
    oneLineError(runCli(dir, ['branch', '-d', 'main']));
    oneLineError(runCli(dir, ['resource', 'add', '../x', '--role', 'code']));
    oneLineError(runCli(dir, ['resource', 'add', '/etc', '--role', 'code']));
    oneLineError(runCli(dir, ['resource', 'add', 'code', '--role', 'nope']));
    // A checkout that would overwrite a local change (the target changes code/a) fails.
    writeFileSync(join(dir, 'code/a'), 'two');
    assert.equal(runCli(dir, ['commit', '-m', 'two']).code, 0);
    writeFileSync(join(dir, 'code/a'), 'changed');
    oneLineError(runCli(dir, ['checkout', 'v1~0', '--branch', 'side']));
    assert.deepEqual(
      runCli(dir, ['branch', '--json'])
        .json<{ name: string }[]>()
        .map((b) => b.name),
      ['main'],
      'the branch made for a failed checkout is gone',
    );
    const unknown = runCli(dir, ['frobnicate']);
    assert.equal(unknown.code, 1);
    assert.doesNotMatch(unknown.stderr, /\n\s+at /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--help everywhere and locks shown and released', () => {
  const dir = tempDir();
  try {
    for (const verb of [
      'init',
      'status',
      'commit',
      'log',
      'show',
      'diff',
      'branch',
      'tag',
      'checkout',
      'restore',
      'resource',
      'fsck',
      'gc',
      'lock',
    ]) {
      const r = runCli(dir, [verb, '--help']);
      assert.equal(r.code, 0, verb);
      assert.match(r.stdout, /Usage: strata/, verb);
    }
    assert.equal(runCli(dir, ['init', '--create-resources', 'code']).code, 0);
    assert.deepEqual(runCli(dir, ['lock', '--json']).json(), []);
    assert.match(runCli(dir, ['lock', 'release']).stdout, /no stale locks/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the command table names exactly the commands each module defines, and a start defines only its own', () => {
  const everyName: string[] = [];
  for (const { names, register } of COMMAND_MODULES) {
    const program = new Command('strata');
    register(program, () => ({ cwd: '.' }));
    const defined = program.commands.flatMap((c) => [c.name(), ...c.aliases()]);
    assert.deepEqual([...defined].sort(), [...names].sort());
    everyName.push(...defined);
  }
  const all = createProgram().commands.flatMap((c) => [c.name(), ...c.aliases()]);
  assert.deepEqual([...all].sort(), [...everyName].sort());
  const names = (argv: string[]) => createProgram(argv).commands.map((c) => c.name());
  assert.ok(names(['status']).includes('status') && !names(['status']).includes('remote'));
  assert.ok(names(['-C', '/x', 'snapshot', '-m', 'x']).includes('commit'));
  assert.ok(names(['--cwd=/x', 'push']).includes('push'));
  assert.deepEqual(names(['--version']), []);
  for (const argv of [[], ['help'], ['--help'], ['completion', 'bash'], ['no-such-command']])
    assert.deepEqual(
      names(argv).sort(),
      createProgram()
        .commands.map((c) => c.name())
        .sort(),
      argv.join(' '),
    );
});
