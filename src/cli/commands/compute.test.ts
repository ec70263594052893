import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, type CliRun } from '../test-support/run-cli.js';

function oneLineError(r: CliRun, code = 1): void {
  assert.equal(r.code, code, `exit code; stderr: ${r.stderr}`);
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line on stderr, got: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

const MODULE = `
export function lengths(id, args, ctx) {
  ctx.log.info('measuring', id);
  if (id.startsWith('bad')) throw new TypeError('cannot measure ' + id);
  return { length: id.length * (args.scale ?? 1) };
}
`;

test('strata compute: run, stats --json, list, show, log, error, clear', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-cli-compute-'));
  try {
    assert.equal(runCli(dir, ['init']).code, 0);
    writeFileSync(join(dir, 'fns.mjs'), MODULE);
    assert.deepEqual(runCli(dir, ['compute', 'stats', '--json']).json(), { collections: {} });

    const run = runCli(dir, [
      'compute',
      'run',
      'lengths',
      'a',
      'b/c',
      'ü ✓',
      'bad1',
      '--module',
      'fns.mjs',
      '--json',
    ]);
    // compute run exits 1 when any resource failed (bad1), after reporting every result.
    assert.equal(run.code, 1, run.stderr);
    assert.deepEqual(
      (({ total, complete, error }) => ({ total, complete, error }))(run.json<Record<string, number>>()),
      { total: 4, complete: 3, error: 1 },
    );
    const again = runCli(dir, [
      'compute',
      'run',
      'lengths',
      'a',
      '--module',
      'fns.mjs',
      '--args',
      '{"scale":2}',
      '--threads',
      '0',
      '--json',
    ]);
    assert.equal(again.code, 0, again.stderr);

    assert.deepEqual(runCli(dir, ['compute', 'stats', '--json']).json(), {
      collections: { lengths: { total: 5, unavailable: 0, pending: 0, complete: 4, error: 1, stale: 0 } },
    });
    assert.deepEqual(
      runCli(dir, ['compute', 'stats', 'lengths', '--json']).json<{ collections: object }>().collections,
      {
        lengths: { total: 5, unavailable: 0, pending: 0, complete: 4, error: 1, stale: 0 },
      },
    );
    assert.match(runCli(dir, ['compute', 'stats']).stdout, /lengths\s+5\s+4\s+1\s+0\s+0/);

    const errors = runCli(dir, ['compute', 'list', 'lengths', '--status', 'error', '--json']).json<
      { id: string; status: string }[]
    >();
    assert.deepEqual(
      errors.map((e) => [e.id, e.status]),
      [['bad1', 'error']],
    );
    assert.equal(runCli(dir, ['compute', 'list', 'lengths', '--json']).json<unknown[]>().length, 5);

    const shown = runCli(dir, ['compute', 'show', 'lengths', 'b/c', '--json']).json<
      Record<string, unknown>
    >();
    assert.equal(shown.status, 'complete');
    assert.deepEqual(shown.result, { length: 3 });
    assert.equal(shown.attempts, 1);
    assert.equal(typeof shown.started_at, 'string');
    const scaled = runCli(dir, ['compute', 'show', 'lengths', 'a', '--args', '{"scale":2}', '--json']).json<{
      result: unknown;
    }>();
    assert.deepEqual(scaled.result, { length: 2 });

    assert.match(runCli(dir, ['compute', 'log', 'lengths', 'ü ✓']).stdout, /INFO +measuring ü ✓\n$/);
    const error = runCli(dir, ['compute', 'error', 'lengths', 'bad1']);
    assert.equal(error.code, 0);
    assert.match(error.stdout, /^TypeError: cannot measure bad1\n\s+at /);

    // The caller's mistakes: one line, exit 1.
    oneLineError(runCli(dir, ['compute', 'show', 'lengths', 'nope']));
    oneLineError(runCli(dir, ['compute', 'show', 'lengths', 'a']), 1); // two args variants: needs --args
    oneLineError(runCli(dir, ['compute', 'show', 'lengths', 'a', '--args', '{not json']));
    oneLineError(runCli(dir, ['compute', 'error', 'lengths', 'b/c']));
    oneLineError(runCli(dir, ['compute', 'list', 'lengths', '--status', 'weird']));
    oneLineError(runCli(dir, ['compute', 'stats', '../evil']));
    oneLineError(
      runCli(dir, ['compute', 'run', 'lengths', 'x', '--module', 'fns.mjs', '--export', 'nothing']),
    );

    assert.deepEqual(runCli(dir, ['compute', 'clear', 'lengths', '--status', 'error', '--json']).json(), {
      removed: 1,
    });
    assert.deepEqual(runCli(dir, ['compute', 'clear', 'lengths', '--json']).json(), { removed: 4 });
    assert.deepEqual(runCli(dir, ['compute', 'stats', '--json']).json(), { collections: {} });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
