import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { runCli } from '../test-support/run-cli.js';

test('assets parse --json: ok names with their fields, bad names with every error and exit 1', () => {
  const good = runCli(tmpdir(), [
    'assets',
    'parse',
    'p-cat001_s-spec001_d-running-cat_v001_c0000-0005_f0003.png',
    '--json',
  ]);
  assert.equal(good.code, 0, good.stderr);
  assert.deepEqual(good.json(), [
    {
      name: 'p-cat001_s-spec001_d-running-cat_v001_c0000-0005_f0003.png',
      ok: true,
      fields: {
        project: 'cat001',
        specification: 'spec001',
        descriptor: 'running-cat',
        version: 1,
        coordinate: [0, 5],
        coordinate_x: 0,
        coordinate_y: 5,
        frame: 3,
        extension: 'png',
      },
    },
  ]);
  const bad = runCli(tmpdir(), [
    'assets',
    'parse',
    'p-cat001_s-spec001.png',
    'p-c1_s-spec001_v000.png',
    '--json',
  ]);
  assert.equal(bad.code, 1);
  const rows = bad.json<{ name: string; ok: boolean; errors?: { field: string; offset: number }[] }[]>();
  assert.equal(rows[0]!.ok, true);
  assert.deepEqual(
    rows[1]!.errors!.map((e) => [e.field, e.offset]),
    [
      ['project', 3],
      ['version', 16],
    ],
  );
  const fields = runCli(tmpdir(), [
    'assets',
    'parse',
    'p-cat001_s-spec001.png',
    '--fields',
    'project,specification,descriptor,extension',
    '--json',
  ]);
  assert.equal(fields.code, 1);
  const unknown = runCli(tmpdir(), ['assets', 'parse', 'x', '--fields', 'project,colour']);
  assert.equal(unknown.code, 1);
  assert.equal(unknown.stderr.trim().split('\n').length, 1);
});
