import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listenOnSocket, makeFifo } from '../test-support/special-files.js';
import { loadIgnoreRules } from './ignore/ignore-rules.js';
import { scanTree } from './scan-folder.js';

test('scan: symbolic links are listed with their target and never followed', () => {
  const root = mkdtempSync(join(tmpdir(), 'strata-scan-'));
  const outside = mkdtempSync(join(tmpdir(), 'strata-outside-'));
  try {
    writeFileSync(join(outside, 'secret'), 'outside');
    mkdirSync(join(root, 'sub'));
    writeFileSync(join(root, 'sub/file'), 'inside');
    symlinkSync('sub/file', join(root, 'rel-link'));
    symlinkSync(outside, join(root, 'dir-link'));
    symlinkSync('/nowhere/at/all', join(root, 'dangling'));
    const { files, skipped } = scanTree(root);
    assert.deepEqual(
      files.map((f) => [f.path, f.linkTarget?.toString() ?? null, f.size]),
      [
        ['dangling', '/nowhere/at/all', 15],
        ['dir-link', outside, Buffer.byteLength(outside)],
        ['rel-link', 'sub/file', 8],
        ['sub/file', null, 6],
      ],
    );
    assert.deepEqual(skipped, []);
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
});

test('scan: FIFOs, sockets and non-UTF-8 names are reported as skipped, never silently dropped', async () => {
  const root = mkdtempSync(join(tmpdir(), 'strata-scan-'));
  const server = await listenOnSocket(join(root, 'sock'));
  try {
    writeFileSync(join(root, 'ok.txt'), 'x');
    const fifo = makeFifo(join(root, 'pipe'));
    const bad = Buffer.concat([Buffer.from(root + '/bad'), Buffer.from([0xff, 0xfe]), Buffer.from('.bin')]);
    writeFileSync(bad, 'latin-1 name');
    const badDir = Buffer.concat([Buffer.from(root + '/dir'), Buffer.from([0xe9])]);
    mkdirSync(badDir);
    mkdirSync(join(root, 'back\\slash'));
    writeFileSync(Buffer.concat([Buffer.from(join(root, 'back\\slash/')), Buffer.from([0xff])]), 'x');
    const { files, skipped } = scanTree(root);
    assert.deepEqual(
      files.map((f) => f.path),
      ['ok.txt'],
    );
    assert.deepEqual(skipped, [
      { path: 'back\\\\slash/\\xff', reason: 'non-utf8-name' },
      { path: 'bad\\xff\\xfe.bin', reason: 'non-utf8-name' },
      { path: 'dir\\xe9', reason: 'non-utf8-name' },
      ...(fifo ? [{ path: 'pipe', reason: 'fifo' }] : []),
      { path: 'sock', reason: 'socket' },
    ]);
  } finally {
    await new Promise((r) => server.close(r));
    rmSync(root, { recursive: true, force: true });
  }
});

test('scan: ignored folders are not entered and ignored entries are not reported', async () => {
  const root = mkdtempSync(join(tmpdir(), 'strata-scan-'));
  try {
    mkdirSync(join(root, 'pkg/__pycache__'), { recursive: true });
    writeFileSync(join(root, 'pkg/__pycache__/m.cpython-312.pyc'), 'x');
    writeFileSync(join(root, 'pkg/m.py'), 'x');
    writeFileSync(join(root, '.DS_Store'), 'x');
    writeFileSync(join(root, '.strataignore'), 'tmp-*\n');
    makeFifo(join(root, 'tmp-pipe'));
    const asked: string[] = [];
    const rules = loadIgnoreRules({ resourceRoot: root, repoRoot: root });
    const ignore = {
      ignores: (p: string, dir: boolean) => {
        asked.push(p);
        return rules.ignores(p, dir);
      },
    };
    const { files, skipped } = scanTree(root, { ignore });
    assert.deepEqual(
      files.map((f) => f.path),
      ['.strataignore', 'pkg/m.py'],
    );
    assert.deepEqual(skipped, []);
    // Nothing under an ignored folder is even asked about.
    assert.ok(!asked.some((p) => p.startsWith('pkg/__pycache__/')), asked.join(','));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
