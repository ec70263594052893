import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { runCli } from '../test-support/run-cli.js';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  frameName,
  sequenceFolder,
  tempFolder,
  tinyPng,
  writeConfig,
  writeTree,
} from '../../assets/traits/test-fixture.js';

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

// ---- update, search, graph and parse --config in a real repository ----

async function withRepo(work: (root: string) => Promise<void> | void): Promise<void> {
  const root = tempFolder('strata-assets-cli-');
  try {
    const init = runCli(root, ['init']);
    assert.equal(init.code, 0, init.stderr);
    const png = await tinyPng();
    const seq = (d: string, fs: number[]) =>
      Object.fromEntries(fs.map((f) => [path.join('ingress', sequenceFolder(d), frameName(d, f)), png]));
    writeTree(root, {
      ...seq('good', [1, 2]),
      ...seq('bad', [1, 3]),
      'ingress/misc/p-cat001_s-nope001_d-x_v001.txt': 'x',
    });
    await work(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('assets update --json: counts and every error with path, field and offset; unchanged second run', async () => {
  await withRepo((root) => {
    writeConfig(root);
    const first = runCli(root, ['assets', 'update', '--json']);
    assert.equal(first.code, 0, first.stderr);
    const report = first.json<{
      files: number;
      assets: number;
      valid: number;
      invalid: number;
      errors: Record<string, unknown>[];
    }>();
    assert.deepEqual(
      { files: report.files, assets: report.assets, valid: report.valid, invalid: report.invalid },
      { files: 5, assets: 2, valid: 1, invalid: 1 },
    );
    assert.deepEqual(Object.keys(first.json<object>()).sort(), [
      'assets',
      'errors',
      'files',
      'invalid',
      'valid',
    ]);
    assert.deepEqual(report.errors, [
      {
        path: 'misc/p-cat001_s-nope001_d-x_v001.txt',
        field: 'specification',
        offset: 11,
        message: "unknown specification 'nope001'; known: cpx001, fil001, seq001",
      },
      { path: sequenceFolder('bad'), field: 'frame', message: 'frame: frames missing: 2' },
    ]);
    const second = runCli(root, ['assets', 'update', '--json']);
    assert.deepEqual(second.json(), first.json());
    const human = runCli(root, ['assets', 'update']);
    assert.equal(human.code, 0);
    assert.match(human.stdout, /5 files, 2 assets: 1 valid, 1 invalid/);
  });
});

test('assets search: rows by file or by asset with every error column; writes refused with exit 1', async () => {
  await withRepo((root) => {
    writeConfig(root);
    const before = runCli(root, ['assets', 'search', 'SELECT * FROM data']);
    assert.equal(before.code, 1);
    assert.match(before.stderr, /run `strata assets update` first/);
    assert.equal(runCli(root, ['assets', 'update']).code, 0);
    const files = runCli(root, [
      'assets',
      'search',
      "SELECT * FROM data WHERE specification = 'seq001' ORDER BY file_path",
      '--json',
    ]);
    assert.equal(files.code, 0, files.stderr);
    const rows = files.json<Record<string, unknown>[]>();
    assert.equal(rows.length, 4);
    for (const key of ['file_error', 'asset_error', 'asset_valid', 'width', 'frame', 'asset_path'])
      assert.ok(key in rows[0]!, key);
    assert.equal(rows[0]!.asset_valid, false);
    assert.deepEqual(rows[0]!.asset_error, [{ field: 'frame', message: 'frame: frames missing: 2' }]);
    const assets = runCli(root, [
      'assets',
      'search',
      'SELECT asset_path, asset_valid, asset_error, file_error FROM data ORDER BY asset_path',
      '--group-by',
      'asset',
      '--json',
    ]);
    assert.deepEqual(
      assets.json<Record<string, unknown>[]>().map((r) => [r.asset_path, r.asset_valid]),
      [
        [sequenceFolder('bad'), false],
        [sequenceFolder('good'), true],
      ],
    );
    for (const sql of ['DELETE FROM files', 'DROP VIEW file_view', 'UPDATE assets SET valid = 1']) {
      const refused = runCli(root, ['assets', 'search', sql]);
      assert.equal(refused.code, 1, sql);
      assert.equal(refused.stderr.trim().split('\n').length, 1);
      assert.match(refused.stderr, /only statements that read/);
    }
    assert.equal(runCli(root, ['assets', 'search', 'SELECT * FROM data', '--group-by', 'folder']).code, 1);
    const after = runCli(root, ['assets', 'search', 'SELECT count(*) AS n FROM files', '--json']);
    assert.deepEqual(after.json(), [{ n: 5 }]);
  });
});

test('assets graph: json tree and dot with validity', async () => {
  await withRepo((root) => {
    writeConfig(root);
    runCli(root, ['assets', 'update']);
    const json = runCli(root, ['assets', 'graph', '--format', 'json']);
    assert.equal(json.code, 0, json.stderr);
    const tree = json.json<{ children: { name: string; status: string }[] }>();
    assert.deepEqual(
      tree.children.map((c) => [c.name, c.status]),
      [
        ['misc', 'other'],
        [sequenceFolder('bad'), 'invalid'],
        [sequenceFolder('good'), 'valid'],
      ],
    );
    const dot = runCli(root, ['assets', 'graph', '--format', 'dot']);
    assert.match(dot.stdout, /^digraph assets/);
    assert.equal(runCli(root, ['assets', 'graph', '--format', 'svg']).code, 1);
  });
});

test("assets parse --config: without --fields a name must have its specification's fields", async () => {
  await withRepo((root) => {
    const config = writeConfig(root);
    const name = 'p-cat001_s-seq001_d-x_v001.png';
    const loose = runCli(tmpdir(), ['assets', 'parse', name, '--json']);
    assert.equal(loose.code, 0);
    const strict = runCli(tmpdir(), ['assets', 'parse', name, '--config', config, '--json']);
    assert.equal(strict.code, 1);
    assert.equal(strict.json<{ errors: { field: string }[] }[]>()[0]!.errors[0]!.field, 'extension');
    // Inside the repository, strata-assets.yaml is found by itself.
    assert.equal(runCli(root, ['assets', 'parse', name]).code, 1);
    assert.equal(runCli(root, ['assets', 'parse', frameName('x', 1)]).code, 0);
  });
});

test('config mistakes: one line, exit 1, naming the key; secrets never printed', async () => {
  await withRepo((root) => {
    const none = runCli(root, ['assets', 'update']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no asset config/);
    writeConfig(root, 'workers: two\n');
    const wrongType = runCli(root, ['assets', 'update']);
    assert.equal(wrongType.code, 1);
    assert.match(wrongType.stderr, /workers/);
    assert.equal(wrongType.stderr.trim().split('\n').length, 1);
    writeConfig(
      root,
      "exporters:\n  - name: postgres\n    url: postgres://me:hunter2@db/x\n    schema: 'no spaces allowed'\n",
    );
    const secret = runCli(root, ['assets', 'update']);
    assert.equal(secret.code, 1);
    assert.match(secret.stderr, /exporters\.0\.schema/);
    assert.doesNotMatch(secret.stderr + secret.stdout, /hunter2/);
    writeConfig(root);
    assert.match(
      runCli(root, ['assets', 'update', '--config', '../strata-assets.yaml']).stderr,
      /must not contain '\.\.'/,
    );
    writeFileSync(
      path.join(root, 'bad.yaml'),
      'ingress_directory: ingress\nstaging_directory: s\nspecification_files: [../specs.mjs]\n',
    );
    const climb = runCli(root, ['assets', 'update', '--config', 'bad.yaml']);
    assert.equal(climb.code, 1);
    assert.match(climb.stderr, /specification_files.*'\.\.'/);
    writeFileSync(path.join(root, 'broken.mjs'), 'export default {');
    writeFileSync(
      path.join(root, 'b.yaml'),
      'ingress_directory: ingress\nstaging_directory: s\nspecification_files: [broken.mjs]\n',
    );
    const broken = runCli(root, ['assets', 'update', '--config', 'b.yaml']);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /broken\.mjs does not load/);
    mkdirSync(path.join(root, 'elsewhere'));
    const outside = runCli(tempFolder('strata-not-repo-'), ['assets', 'update']);
    assert.equal(outside.code, 1);
    assert.match(outside.stderr, /not a Strata repository/);
  });
});

test('the config can come from STRATA_* variables', async () => {
  await withRepo((root) => {
    writeConfig(root);
    rmSync(path.join(root, 'strata-assets.yaml'));
    const r = runCli(root, ['assets', 'update', '--json'], {
      STRATA_INGRESS_DIRECTORY: 'ingress',
      STRATA_STAGING_DIRECTORY: 'staging',
      STRATA_SPECIFICATION_FILES: '[specs.mjs]',
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json<{ files: number }>().files, 5);
  });
});
