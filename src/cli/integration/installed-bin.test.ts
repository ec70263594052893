/**
 * "The installed command is the tested command": every command that starts worker threads or
 * loads a module by path, run through the file package.json's `bin` points to (the bundle
 * dist/strata.js, what `npx strata` runs), with inputs big enough that the workers really start.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { writeNpy } from '../../api/index.js';
import {
  frameName,
  sequenceFolder,
  tempFolder,
  tinyPng,
  writeConfig,
  writeTree,
} from '../../assets/traits/test-fixture.js';
import { installedBin } from '../test-support/installed-bin.js';
import { runCli } from '../test-support/run-cli.js';

test('the CLI tests run the file package.json names as bin (the bundle)', () => {
  const bin = installedBin();
  assert.match(bin, /dist[/\\]strata\.js$/);
  const version = runCli(tempFolder('strata-bin-'), ['--version']);
  assert.equal(version.code, 0, version.stderr);
});

test('every worker-using command works through the installed bin: compute run, column import, assets update and create', async () => {
  const root = tempFolder('strata-bin-workers-');
  try {
    assert.equal(runCli(root, ['init']).code, 0);

    // compute run with a module: fetch-many-worker.js threads (the bug: not found from the bundle).
    writeTree(root, { 'fns.mjs': 'export function lengths(id) { return { length: id.length }; }\n' });
    const ids = Array.from({ length: 40 }, (_, i) => `item-${i}`);
    const computed = runCli(root, [
      'compute',
      'run',
      'lengths',
      ...ids,
      '--module',
      'fns.mjs',
      '--threads',
      '2',
      '--json',
    ]);
    assert.equal(computed.code, 0, computed.stderr);
    assert.equal(computed.json<{ complete: number }>().complete, ids.length);

    // column import of 64-byte samples, at least 2 × 8192 of them: the digest worker pool.
    const count = 20_000;
    const data = Uint8Array.from({ length: count * 64 }, (_, i) => (i * 31) & 0xff);
    await writeNpy(join(root, 'wide.npy'), {
      dtype: 'uint8',
      sampleShape: [64],
      count,
      chunks: (async function* () {
        yield data;
      })(),
    });
    const imported = runCli(root, ['column', 'import', 'wide', 'wide.npy', '--create', '--json']);
    assert.equal(imported.code, 0, imported.stderr);
    assert.equal(imported.json<{ samples: number }>().samples, count);
    // Committed: assets create refuses while a branch has staged column changes.
    const committed = runCli(root, ['commit', '-m', 'wide column']);
    assert.equal(committed.code, 0, committed.stderr);

    // assets update over 70 folders × 16 PNG frames: scan workers (≥ 64 folders) and trait
    // workers (≥ 512 files, importing the specification module and sharp); assets create with
    // `workers: 2` copies the 1,120 files (> 1,000 operations) in file-ops worker threads.
    const png = await tinyPng();
    const tree: Record<string, Buffer> = {};
    for (let d = 0; d < 70; d++)
      for (let f = 1; f <= 16; f++)
        tree[join('ingress', 'cat001', sequenceFolder(`d${d}`), frameName(`d${d}`, f))] = png;
    writeTree(root, tree);
    writeConfig(root, 'workers: 2\n');
    const updated = runCli(root, ['assets', 'update', '--json']);
    assert.equal(updated.code, 0, updated.stderr);
    assert.deepEqual(
      (({ files, assets, valid }) => ({ files, assets, valid }))(
        updated.json<{ files: number; assets: number; valid: number }>(),
      ),
      { files: 1120, assets: 70, valid: 70 },
    );
    const created = runCli(root, ['assets', 'create', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const staged = readdirSync(join(root, 'staging'), { recursive: true }).filter((p) =>
      String(p).endsWith('.png'),
    );
    assert.equal(staged.length, 1120);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('no compiled module loads a sibling by a path relative to its own URL (that path breaks in the bundle)', () => {
  // Workers and out-of-bundle modules go through util/compiled-module-url.ts, which works from
  // both the bundle and dist/src; `new URL('./x.js', import.meta.url)` works only from dist/src.
  // Tests and conformance suites run from dist/src only, never from the bundle.
  const srcRoot = fileURLToPath(new URL('../../', import.meta.url));
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (
        entry.name.endsWith('.js') &&
        !/(\.test|-conformance|compiled-module-url)\.js$/.test(entry.name) &&
        !full.includes('test-support')
      ) {
        if (
          /new URL\(\s*[`'"]\.{1,2}\/[^`'"]*\.js[`'"]\s*,\s*import\.meta\.url/.test(
            readFileSync(full, 'utf8'),
          )
        )
          offenders.push(relative(srcRoot, full));
      }
    }
  };
  walk(srcRoot);
  assert.deepEqual(offenders, []);
});
