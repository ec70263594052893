import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, type CliRun, ok } from '../test-support/run-cli.js';

function oneLineError(r: CliRun, code = 1): void {
  assert.equal(r.code, code, `exit code; stderr: ${r.stderr}`);
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line on stderr, got: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

/** A repository with the given resources (folders created) and files. */
function makeRepo(prefix: string, resources: Record<string, string>, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  ok(runCli(dir, ['init']));
  for (const [path, role] of Object.entries(resources)) {
    mkdirSync(join(dir, path), { recursive: true });
    ok(runCli(dir, ['resource', 'add', path, '--role', role]));
  }
  for (const [path, content] of Object.entries(files)) writeFileSync(join(dir, path), content);
  return dir;
}

const PREP = `
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
mkdirSync('features', { recursive: true });
writeFileSync('features/f.csv', readFileSync('raw/x.csv', 'utf8').toUpperCase());
`;

interface ShowJson {
  steps: {
    name: string;
    parameters: Record<string, unknown>;
    inputs: { resource: string; path?: string; hash: string }[];
    outputs: { resource: string; path?: string; hash: string | null }[];
    status: string;
  }[];
}

test('strata run and lineage show / graph / export / import through the real CLI', () => {
  const dir = makeRepo(
    'strata-cli-lineage-',
    { raw: 'source-data', features: 'intermediate-data', code: 'code', results: 'results' },
    { 'raw/x.csv': 'a,b\n', 'code/prep.mjs': PREP },
  );
  const other = makeRepo('strata-cli-lineage-b-', { upstream: 'source-data' }, {});
  try {
    const run = ok(
      runCli(dir, [
        'run',
        '--input',
        'raw/x.csv',
        '--output',
        'features',
        '--code',
        'code/prep.mjs',
        '--param',
        'bins=4',
        '--param',
        'mode=fast',
        '--',
        process.execPath,
        'code/prep.mjs',
      ]),
    );
    assert.match(run.stderr, /recorded step 'prep' \(complete\)/);
    assert.equal(readFileSync(join(dir, 'features/f.csv'), 'utf8'), 'A,B\n');

    // The command's exit code passes through; its outputs are then unknown.
    const failed = runCli(dir, [
      'run',
      '-n',
      'train',
      '-i',
      'features',
      '--results',
      'results',
      '--',
      process.execPath,
      '-e',
      'process.exit(3)',
    ]);
    assert.equal(failed.code, 3);

    const show = ok(runCli(dir, ['lineage', 'show', '--json'])).json<ShowJson>();
    assert.deepEqual(
      show.steps.map((s) => [s.name, s.status]),
      [
        ['prep', 'complete'],
        ['train', 'failed'],
      ],
    );
    const prep = show.steps[0]!;
    assert.deepEqual(prep.parameters, { bins: 4, mode: 'fast' });
    assert.deepEqual(Object.keys(prep.inputs[0]!).sort(), ['hash', 'path', 'resource']);
    assert.equal(prep.inputs[0]!.resource, 'raw');
    assert.equal(prep.inputs[0]!.path, 'x.csv');
    assert.match(prep.inputs[0]!.hash, /^[0-9a-f]{64}$/);
    assert.deepEqual(Object.keys(prep.outputs[0]!).sort(), ['hash', 'resource']);
    assert.deepEqual(show.steps[1]!.outputs, [{ resource: 'results', hash: null }]);
    const table = ok(runCli(dir, ['lineage', 'show'])).stdout;
    assert.match(table, /prep\s+complete/);
    assert.match(table, /results@unknown/);

    ok(runCli(dir, ['lineage', 'graph', '--format', 'html', '-o', 'lineage.html']));
    const html = readFileSync(join(dir, 'lineage.html'), 'utf8');
    assert.match(html, /<svg /);
    assert.doesNotMatch(html, /https?:\/\//);
    assert.match(ok(runCli(dir, ['lineage', 'graph', '--resource', 'features'])).stdout, /"step:prep"/);

    // show --snapshot reads a snapshot's section (empty until the snapshot verb adds it).
    ok(runCli(dir, ['commit', '-m', 'one']));
    const saved = ok(runCli(dir, ['lineage', 'show', '--snapshot', 'HEAD', '--json'])).json<ShowJson>();
    assert.ok(Array.isArray(saved.steps));
    oneLineError(runCli(dir, ['lineage', 'show', '--snapshot', 'no-such-tag']));

    // Export the features' lineage and import it where a copy of them lives.
    ok(
      runCli(dir, [
        'lineage',
        'export',
        'features',
        '-o',
        join(other, 'features.lineage.json'),
        '--origin',
        'a',
      ]),
    );
    writeFileSync(join(other, 'upstream/f.csv'), 'A,B\n');
    const imported = ok(
      runCli(other, ['lineage', 'import', 'features.lineage.json', '--resource', 'upstream', '--json']),
    ).json();
    assert.deepEqual(imported, { resource: 'upstream', steps: ['a:prep'], matches: true });
    const there = ok(runCli(other, ['lineage', 'show', '--json'])).json<ShowJson>();
    assert.deepEqual(
      there.steps.map((s) => [s.name, s.status, s.outputs[0]!.resource]),
      [['a:prep', 'imported', 'upstream']],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(other, { recursive: true, force: true });
  }
});

test('strata run: an input outside every resource exits 1 with one line and runs nothing', () => {
  const dir = makeRepo('strata-cli-lineage-err-', { raw: 'source-data' }, { 'loose.txt': 'x' });
  try {
    const r = runCli(dir, [
      'run',
      '-i',
      'loose.txt',
      '--',
      process.execPath,
      '-e',
      "require('fs').writeFileSync('ran', '')",
    ]);
    oneLineError(r);
    assert.match(r.stderr, /loose\.txt/);
    assert.throws(() => readFileSync(join(dir, 'ran')));
    oneLineError(runCli(dir, ['lineage', 'graph', '--format', 'svg']));
    oneLineError(runCli(dir, ['run', '--param', 'novalue', '--', process.execPath, '-e', '0']));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
