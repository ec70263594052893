import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkCollectionName, checkId } from './names.js';
import { outputDirOf, slugOf } from './output-dir.js';

const HASH = 'f'.repeat(64);

test('output folders are one safe path component under computed/<collection>/, unique per key', () => {
  const ids = [
    'a/b',
    '..',
    '../../etc/passwd',
    '.hidden',
    '-rf',
    'ünï cödé 🦕',
    '',
    ' ',
    'x'.repeat(500),
    'a\\b',
    'A',
    'a',
  ];
  const dirs = new Set<string>();
  for (const id of ids) {
    const dir = outputDirOf({ collection: 'thumbs', id, argsHash: HASH });
    const parts = dir.split('/');
    assert.equal(parts.length, 3, dir);
    assert.deepEqual(parts.slice(0, 2), ['computed', 'thumbs']);
    assert.match(parts[2]!, /^[A-Za-z0-9_][A-Za-z0-9._-]*-[0-9a-f]{12}$/, dir);
    assert.ok(parts[2]!.length <= 53, dir);
    dirs.add(dir);
  }
  assert.equal(dirs.size, ids.length, 'every id gets its own folder');
  assert.notEqual(
    outputDirOf({ collection: 'thumbs', id: 'a', argsHash: HASH }),
    outputDirOf({ collection: 'thumbs', id: 'a', argsHash: 'e'.repeat(64) }),
  );
  assert.equal(slugOf('img/001.png'), 'img_001.png');
  assert.equal(slugOf('..'), '_');
});

test('collection names and ids are checked', () => {
  for (const bad of ['', '..', '.x', 'a/b', 'a b', 'é', 'x'.repeat(49), 42]) {
    assert.throws(() => checkCollectionName(bad), { code: 'E_INVALID_ARGUMENT' }, String(bad));
  }
  assert.equal(checkCollectionName('thumbs_v2.small-1'), 'thumbs_v2.small-1');
  assert.throws(() => checkId(7), { code: 'E_INVALID_ARGUMENT' });
  assert.throws(() => checkId('bad\ud800'), { code: 'E_INVALID_ARGUMENT' });
  assert.equal(checkId('ok 🦕/..'), 'ok 🦕/..');
});
