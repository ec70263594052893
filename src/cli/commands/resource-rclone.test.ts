import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliRun, ok } from '../test-support/run-cli.js';

function oneLineError(r: CliRun): string {
  assert.equal(r.code, 1, `exit code; stderr: ${r.stderr}`);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  return r.stderr;
}

test('an rclone resource: a local copy of a remote, brought in step before each snapshot and versioned like a folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-rclone-'));
  const remote = mkdtempSync(join(tmpdir(), 'strata-rclone-remote-'));
  const other = mkdtempSync(join(tmpdir(), 'strata-rclone-other-'));
  try {
    ok(runCli(dir, ['init']));
    writeFileSync(join(remote, 'a.txt'), 'a1');
    writeFileSync(join(remote, 'b.txt'), 'b1');
    mkdirSync(join(remote, 'sub'));
    writeFileSync(join(remote, 'sub/c.txt'), 'c1');

    // A missing rclone binary is one clear line, and nothing is registered.
    const missing = runCli(
      dir,
      ['resource', 'add', 'rclone', `:local:${remote}`, 'copy', '--role', 'source-data'],
      {
        PATH: '/nonexistent',
      },
    );
    assert.match(oneLineError(missing), /rclone command is not installed/);
    assert.deepEqual(ok(runCli(dir, ['resource', 'list', '--json'])).json(), []);
    oneLineError(runCli(dir, ['resource', 'add', 'rclone', `:local:${remote}`, '--role', 'source-data']));
    oneLineError(runCli(dir, ['resource', 'add', 'rclone', 'not-a-remote', 'copy', '--role', 'source-data']));

    // On-the-fly remote, copy mode: the copy inside the workspace is filled when added.
    const added = ok(
      runCli(dir, [
        'resource',
        'add',
        'rclone',
        `:local:${remote}`,
        'copy',
        '--role',
        'source-data',
        '--json',
      ]),
    ).json<{ name: string; type: string; remote: string }>();
    assert.deepEqual([added.name, added.type, added.remote], ['copy', 'rclone', `:local:${remote}`]);
    assert.equal(readFileSync(join(dir, 'copy/sub/c.txt'), 'utf8'), 'c1');
    ok(runCli(dir, ['snapshot', '-m', 'one', '-t', 'v1']));

    writeFileSync(join(remote, 'a.txt'), 'a2-longer');
    rmSync(join(remote, 'b.txt'));
    writeFileSync(join(remote, 'd.txt'), 'd2');
    ok(runCli(dir, ['snapshot', '-m', 'two', '-t', 'v2']));
    assert.equal(readFileSync(join(dir, 'copy/a.txt'), 'utf8'), 'a2-longer');
    // copy mode never deletes from the local copy.
    assert.equal(readFileSync(join(dir, 'copy/b.txt'), 'utf8'), 'b1');
    const changed = ok(runCli(dir, ['diff', 'v1', 'v2', '--json'])).json<{ changes: { path: string }[] }>();
    assert.deepEqual(changed.changes.map((c) => c.path).sort(), ['a.txt', 'd.txt']);

    // Versioned like a folder: a restore brings the snapshot's files back into the copy.
    ok(runCli(dir, ['restore', 'v1']));
    assert.equal(readFileSync(join(dir, 'copy/a.txt'), 'utf8'), 'a1');
    assert.equal(existsSync(join(dir, 'copy/d.txt')), false);
    // The remote is the master: a restore never writes to it.
    assert.equal(readFileSync(join(remote, 'a.txt'), 'utf8'), 'a2-longer');

    // A named remote (from RCLONE_CONFIG_* variables), sync mode, a copy elsewhere on disk.
    const env = { RCLONE_CONFIG_MYDISK_TYPE: 'local' };
    writeFileSync(join(other, 'x.txt'), 'x');
    const outside = join(dir, '..', `${other.split('/').pop()}-copy`);
    try {
      ok(
        runCli(
          dir,
          [
            'resource',
            'add',
            'rclone',
            `mydisk:${other}`,
            outside,
            '--role',
            'source-data',
            '--name',
            'mirror',
          ],
          env,
        ),
      );
      ok(runCli(dir, ['config', '--resource', 'mirror', 'sync_mode', 'sync']));
      ok(runCli(dir, ['config', '--resource', 'mirror', 'size_only', 'true']));
      rmSync(join(other, 'x.txt'));
      writeFileSync(join(other, 'y.txt'), 'y');
      ok(runCli(dir, ['resource', 'refresh', 'mirror', '--json'], env));
      assert.equal(existsSync(join(outside, 'x.txt')), false, 'sync mode deletes');
      assert.equal(readFileSync(join(outside, 'y.txt'), 'utf8'), 'y');
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  } finally {
    for (const d of [dir, remote, other]) rmSync(d, { recursive: true, force: true });
  }
});
