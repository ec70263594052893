import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { commit } from '../commit/create-commit.js';
import { readCommitTree } from '../objects/read-objects.js';
import { createTempRepo } from '../test-support/temp-repo.js';
import { status } from './status.js';

/**
 * The map a first commit builds as it hashes (leaf by leaf, see `hashFilesToMap`) must be the very
 * map the whole-list build made before: the root below was taken with that build on this tree.
 */
const EXPECTED_MAP = '06ecc45ba7469ffe8e73d199de8596f4c38e4b272016bfbd24029dd42f0333a7';

/** Deterministic bytes: the same tree on every run and machine. */
function bytes(seed: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

test('a first commit gives the pinned map: nested and empty folders, links, executables, a chunked file', async () => {
  const t = await createTempRepo();
  try {
    // Enough files that the map has several leaves and an internal level (fan-out 64).
    for (let d = 0; d < 6; d++) {
      for (let f = 0; f < 70; f++) t.write(`data/d${d}/f${f}.bin`, bytes(d * 100 + f, 40 + f));
    }
    t.write('data/top.txt', 'top');
    t.write('data/deep/a/b/c/leaf.txt', 'deep');
    t.write('data/d0-after.txt', 'sorts between a folder and its files');
    mkdirSync(join(t.root, 'data/empty/inner'), { recursive: true });
    t.write('data/run.sh', '#!/bin/sh\necho hi\n');
    chmodSync(join(t.root, 'data/run.sh'), 0o755);
    symlinkSync('top.txt', join(t.root, 'data/link-to-top'));
    symlinkSync('../d1', join(t.root, 'data/deep/link-to-folder'));
    // Big enough to be chunked (CHUNKED_FILE_MIN is 1 MiB).
    t.write('data/big/blob.bin', bytes(7, 3 * 1024 * 1024 + 123));
    const made = await commit(t.repo, { message: 'first' });
    assert.equal(made.changes, 6 * 70 + 7);
    const tree = await readCommitTree(t.repo, made.id);
    assert.equal(tree.resources.data!.files, 6 * 70 + 7);
    assert.equal(tree.resources.data!.map, EXPECTED_MAP);
    assert.deepEqual((await status(t.repo)).changes, []);
  } finally {
    await t.done();
  }
});
