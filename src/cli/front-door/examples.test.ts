import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT, binFolder, tempDir, userEnv } from './project.js';

// Each program in examples/ runs against a fresh repository, as a user runs it from a checkout:
// `node examples/x.mjs DIR`, where `import … from 'strata'` resolves through package.json's
// name and "exports" (a package may import itself by name).
const EXAMPLES = join(PROJECT_ROOT, 'examples');
const programs = readdirSync(EXAMPLES).filter((f) => f.endsWith('.mjs') || f.endsWith('.sh'));

test('examples: the folder dataset, training loop, computed collection and asset spec are there', () => {
  for (const name of [
    'folder-dataset.mjs',
    'training-loop.mjs',
    'computed-collection.mjs',
    'asset-spec.mjs',
    'asset-ingest.sh',
  ]) {
    assert.ok(existsSync(join(EXAMPLES, name)), `examples/${name} is missing`);
  }
});

for (const name of programs.filter((f) => f !== 'asset-spec.mjs' && f !== 'girder-exporter.mjs')) {
  test(`examples/${name} runs against a temporary repository`, () => {
    const dir = join(tempDir('example'), 'repo');
    const [cmd, args] = name.endsWith('.sh')
      ? ['sh', [join('examples', name), dir]]
      : [process.execPath, [join('examples', name), dir]];
    const r = spawnSync(cmd, args, { cwd: PROJECT_ROOT, encoding: 'utf8', env: userEnv(binFolder()) });
    assert.equal(r.status, 0, `examples/${name} failed:\n${r.stdout}\n${r.stderr}`);
    assert.ok(existsSync(join(dir, '.strata')), 'it made its repository in the folder given');
  });
}

test('examples/asset-spec.mjs is used by examples/asset-ingest.sh', () => {
  const r = spawnSync('sh', [join('examples', 'asset-ingest.sh'), join(tempDir('example'), 'repo')], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: userEnv(binFolder()),
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /1 valid, 1 invalid/);
  assert.match(r.stdout, /staged 1 asset/);
});
