import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { tempFolder, writeTree } from '../traits/test-fixture.js';
import { scanIngress, scanIngressParallel } from './scan-ingress.js';

test('scan: every file in path order with its stat; include and exclude on the relative path', async () => {
  const root = tempFolder('strata-scan-');
  try {
    writeTree(root, {
      'a-b/x.png': '1',
      'a/z.png': '22',
      'a/y.exr': '333',
      'top.png': '4',
      '.DS_Store': '',
      'a/.DS_Store': '',
    });
    symlinkSync(path.join(root, 'a'), path.join(root, 'loop'));
    symlinkSync(path.join(root, 'top.png'), path.join(root, 'link.png'));
    const all = scanIngress(root, { exclude: '\\.DS_Store' });
    assert.deepEqual(
      all.map((f) => f.path),
      ['a-b/x.png', 'a/y.exr', 'a/z.png', 'link.png', 'top.png'],
    );
    assert.equal(all[1]!.size, 3);
    assert.equal(all[1]!.absolutePath, path.join(root, 'a/y.exr'));
    assert.ok(all.every((f) => f.ino > 0 && f.mtimeMs > 0));
    assert.deepEqual(
      scanIngress(root, { include: '\\.png$', exclude: '^a/' }).map((f) => f.path),
      ['a-b/x.png', 'link.png', 'top.png'],
    );
    assert.throws(() => scanIngress(path.join(root, 'missing')), {
      code: 'E_CONFIG',
      message: /ingress_directory/,
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the parallel scan finds exactly what the single-thread scan finds', async () => {
  const root = tempFolder('strata-scan-');
  try {
    const files: Record<string, string> = {};
    for (let d = 0; d < 150; d++)
      for (let f = 0; f < 3; f++) files[`g${d % 3}/d${d}/f${f}.txt`] = `${d}-${f}`;
    writeTree(root, files);
    mkdirSync(path.join(root, 'empty'));
    const one = scanIngress(root);
    const many = await scanIngressParallel(root, { threads: 2 });
    assert.equal(one.length, 450);
    assert.deepEqual(many, one);
    assert.deepEqual(await scanIngressParallel(root, { threads: 1 }), one);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
