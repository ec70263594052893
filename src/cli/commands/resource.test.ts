import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, ok } from '../test-support/run-cli.js';

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'strata-res-cli-'));

interface Unrestorable {
  resource: string;
  path: string;
  action: string;
  reason: string;
}

test('issue 10, CLI: a local folder is stored and restored; --reference-only lists what restore cannot bring back', () => {
  const dir = tempDir();
  const stored = tempDir();
  const ref = tempDir();
  try {
    ok(runCli(dir, ['init']));
    writeFileSync(join(stored, 'a.txt'), 'stored v1');
    writeFileSync(join(ref, 'b.txt'), 'ref v1');
    ok(runCli(dir, ['resource', 'add', 'local', stored, '--role', 'source-data', '--name', 'st']));
    const added = ok(
      runCli(dir, [
        'resource',
        'add',
        'local',
        ref,
        '--role',
        'source-data',
        '--name',
        'rf',
        '--reference-only',
        '--json',
      ]),
    ).json<{ reference_only: boolean }>();
    assert.equal(added.reference_only, true);
    const list = ok(runCli(dir, ['resource', 'list', '--json'])).json<
      { name: string; reference_only?: boolean }[]
    >();
    assert.deepEqual(
      list.map((r) => `${r.name}:${r.reference_only}`),
      ['rf:true', 'st:false'],
    );
    assert.match(ok(runCli(dir, ['resource', 'list'])).stdout, /reference-only/);
    // --reference-only and --no-hash are for local folders only.
    assert.equal(runCli(dir, ['resource', 'add', 'git', ref, '--role', 'code', '--reference-only']).code, 1);

    ok(runCli(dir, ['snapshot', '-m', 'one', '-t', 'v1']));
    writeFileSync(join(stored, 'a.txt'), 'stored v2');
    writeFileSync(join(ref, 'b.txt'), 'ref v2');

    // Human output names every file it left; exit status 0 (the rest was restored).
    const human = ok(runCli(dir, ['restore', 'v1', '--force']));
    assert.match(human.stdout, /skipped rf: contents not stored/);
    assert.match(human.stdout, /not written {2}rf\/b\.txt {2}\(reference-only\)/);
    assert.equal(readFileSync(join(stored, 'a.txt'), 'utf8'), 'stored v1');
    assert.equal(readFileSync(join(ref, 'b.txt'), 'utf8'), 'ref v2');

    writeFileSync(join(stored, 'a.txt'), 'stored v3');
    const json = ok(runCli(dir, ['restore', 'v1', '--force', '--json'])).json<{
      updated: number;
      unrestorable: Unrestorable[];
    }>();
    assert.equal(json.updated, 1);
    assert.deepEqual(json.unrestorable, [
      { resource: 'rf', path: 'b.txt', action: 'write', reason: 'reference-only' },
    ]);

    // restore PATH lists the same, --strict turns it into exit 1 with nothing written.
    const paths = ok(runCli(dir, ['restore', '--source', 'v1', join(ref, 'b.txt'), '--json'])).json<{
      unrestorable: Unrestorable[];
    }>();
    assert.deepEqual(
      paths.unrestorable.map((f) => f.path),
      ['b.txt'],
    );
    writeFileSync(join(stored, 'a.txt'), 'stored v4');
    const strict = runCli(dir, ['restore', 'v1', '--force', '--strict']);
    assert.equal(strict.code, 1, strict.stderr);
    assert.equal(strict.stderr.trim().split('\n').length, 1);
    assert.equal(readFileSync(join(stored, 'a.txt'), 'utf8'), 'stored v4', 'strict changes nothing');
    const strictPath = runCli(dir, ['restore', '--strict', '--source', 'v1', join(ref, 'b.txt')]);
    assert.equal(strictPath.code, 1, strictPath.stderr);

    // checkout reports them too.
    ok(runCli(dir, ['commit', '-m', 'two']));
    const co = ok(runCli(dir, ['checkout', 'v1', '--force', '--json'])).json<{
      unrestorable: Unrestorable[];
    }>();
    assert.deepEqual(
      co.unrestorable.map((f) => `${f.resource}/${f.path}`),
      ['rf/b.txt'],
    );
    assert.equal(readFileSync(join(stored, 'a.txt'), 'utf8'), 'stored v1');
  } finally {
    for (const d of [dir, stored, ref]) rmSync(d, { recursive: true, force: true });
  }
});
