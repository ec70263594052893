import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readChunkManifest } from '../../store/chunked/index.js';
import { corruptStored } from '../../store/fs/fs-test-helpers.js';
import type { FsObjectStore } from '../../store/fs/fs-object-store.js';
import { commit } from '../commit/create-commit.js';
import { fsck } from '../maintenance/fsck.js';
import { gc } from '../maintenance/gc.js';
import { createTempRepo } from '../test-support/temp-repo.js';
import { checkout } from '../worktree/checkout.js';
import { status } from '../worktree/status.js';
import { readCommitTree } from './read-objects.js';
import { getMapValue } from '../merkle/read-map.js';
import { decodeFileEntry } from './file-entry.js';

function patterned(length: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) | 0;
    out[i] = x >>> 24;
  }
  return out;
}

test('a big file is committed as chunks: an edit stores only nearby chunks, and checkout, fsck and gc follow manifests', async () => {
  const t = await createTempRepo();
  try {
    const v1 = patterned(4 * 1024 * 1024, 1);
    t.write('data/big.bin', v1);
    t.write('data/small.txt', 'small');
    const first = await commit(t.repo, { message: 'one' });
    const entryOf = async (id: string) => {
      const tree = await readCommitTree(t.repo, id);
      const value = await getMapValue(t.repo.nodes, tree.resources.data!.map, 'big.bin');
      return decodeFileEntry(value!);
    };
    const e1 = await entryOf(first.id);
    assert.equal(e1.chunked, true);
    assert.equal(e1.size, v1.length);
    assert.equal((await status(t.repo)).changes.length, 0, 'status agrees with the committed manifest');

    const v2 = Buffer.from(v1);
    patterned(100 * 1024, 2).copy(v2, 2 * 1024 * 1024);
    t.write('data/big.bin', v2);
    const second = await commit(t.repo, { message: 'two' });
    const e2 = await entryOf(second.id);
    const old = new Set((await readChunkManifest(t.repo.store, e1.hash)).chunks.map((c) => c.id));
    const fresh = (await readChunkManifest(t.repo.store, e2.hash)).chunks.filter((c) => !old.has(c.id));
    const freshBytes = fresh.reduce((n, c) => n + c.size, 0);
    assert.ok(freshBytes < 1024 * 1024, `the edit stored ${freshBytes} new bytes`);

    await checkout(t.repo, first.id);
    assert.ok(readFileSync(join(t.root, 'data/big.bin')).equals(v1), 'checkout restores the old bytes');
    await checkout(t.repo, second.id);
    assert.ok(readFileSync(join(t.root, 'data/big.bin')).equals(v2));

    // Chunks are reachable only through manifests: gc must keep them all.
    await gc(t.repo);
    const report = await fsck(t.repo);
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.ok(report.objects > old.size, 'fsck walked every chunk');

    const victim = fresh[0]!.id;
    await corruptStored(t.repo.store as FsObjectStore, t.repo.catalog.packIndex, victim, 3);
    const broken = await fsck(t.repo);
    assert.equal(broken.ok, false);
    assert.deepEqual(
      broken.problems.map((p) => [p.object, p.problem]),
      [[victim, 'corrupt']],
    );
  } finally {
    await t.done();
  }
});

test('a big file cached as one whole object (before chunking) keeps that object, unflagged', async () => {
  const t = await createTempRepo();
  try {
    const content = patterned(2 * 1024 * 1024, 5);
    t.write('data/big.bin', content);
    // What an older version left: the whole file as one object, and a stat-cache row naming it.
    const writer = t.repo.store.createWriter();
    const whole = await writer.add(content);
    await writer.commit();
    const st = statSync(join(t.root, 'data/big.bin'));
    await t.repo.catalog.updateStatCache(
      [
        {
          resource: 'data',
          path: 'big.bin',
          size: st.size,
          mtimeMs: st.mtimeMs,
          ino: st.ino,
          hash: whole,
          recordedMs: st.mtimeMs + 5000,
        },
      ],
      [],
    );
    const made = await commit(t.repo, { message: 'one' });
    const tree = await readCommitTree(t.repo, made.id);
    const entry = decodeFileEntry((await getMapValue(t.repo.nodes, tree.resources.data!.map, 'big.bin'))!);
    assert.deepEqual([entry.hash, entry.chunked], [whole, undefined]);
    assert.equal((await fsck(t.repo)).ok, true);
  } finally {
    await t.done();
  }
});
