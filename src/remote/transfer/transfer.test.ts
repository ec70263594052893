import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { initRepository } from '../../backends/open-backends.js';
import { CorruptTransferError } from '../../errors/index.js';
import { commit } from '../../repo/commit/create-commit.js';
import type { Repository } from '../../repo/repository.js';
import { addResource } from '../../repo/resources/resources.js';
import type { ObjectStore } from '../../store/object-store.js';
import { readChunkedBytes, readChunkManifest } from '../../store/chunked/index.js';
import { planTransfer } from './plan-transfer.js';
import { sendObjects } from './send-objects.js';

async function twoRepos(): Promise<{
  root: string;
  src: Repository;
  dst: Repository;
  done(): Promise<void>;
}> {
  const root = mkdtempSync(join(tmpdir(), 'strata-transfer-'));
  const src = await initRepository(join(root, 'src'));
  await addResource(src, { path: 'data', role: 'source-data', cwd: src.root, create: true });
  const dst = await initRepository(join(root, 'dst'));
  return {
    root,
    src,
    dst,
    async done() {
      await src.close();
      await dst.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

function write(repo: Repository, path: string, content: string | Buffer): void {
  mkdirSync(dirname(join(repo.root, path)), { recursive: true });
  writeFileSync(join(repo.root, path), content);
}

const send = (source: ObjectStore, dst: Repository, plan: Awaited<ReturnType<typeof planTransfer>>) =>
  sendObjects(source, dst.store, plan, {
    tempDir: join(dst.strataDir, 'tmp', 't'),
    remote: 'test',
    packBytes: 64 * 1024,
  });

test('negotiation after a one-file change reads only the changed path and sends O(changes) objects', async () => {
  const { src, dst, done } = await twoRepos();
  try {
    for (let i = 0; i < 3000; i++) write(src, `data/d${i % 60}/f${i}.txt`, `content ${i}`);
    const first = (await commit(src, { message: 'one' })).id;
    const full = await planTransfer(src.store, dst.store, [first]);
    assert.equal(full.files.length, 3000);
    assert.ok(full.walked > 20, `a first transfer opens every node (${full.walked})`);
    const sent = await send(src.store, dst, full);
    assert.ok(sent.packs > 1);
    assert.deepEqual(await planTransfer(src.store, dst.store, [first]), {
      chunks: [],
      files: [],
      nodes: [],
      trees: [],
      commits: [],
      walked: 0,
    });

    write(src, 'data/d7/f7.txt', 'changed');
    const second = (await commit(src, { message: 'two' })).id;
    const incremental = await planTransfer(src.store, dst.store, [second]);
    assert.deepEqual(
      incremental.files.map((f) => f.size),
      ['changed'.length],
    );
    assert.equal(incremental.commits.length, 1);
    // The commit, its root tree and one path of nodes from the root to the changed leaf.
    assert.ok(incremental.walked <= 2 + 4, `walked ${incremental.walked} objects`);
    await send(src.store, dst, incremental);
    for (const id of [second, first]) assert.ok(await dst.store.has(id));
  } finally {
    await done();
  }
});

test('an object whose bytes were altered in transit is refused and nothing of its pack lands', async () => {
  const { src, dst, done } = await twoRepos();
  try {
    for (let i = 0; i < 20; i++) write(src, `data/f${i}.txt`, `content ${i}`);
    const tip = (await commit(src, { message: 'one' })).id;
    const plan = await planTransfer(src.store, dst.store, [tip]);
    const victim = plan.files[5]!.id;
    const tampering: ObjectStore = Object.assign(Object.create(src.store) as ObjectStore, {
      async getMany(ids: readonly string[]) {
        const got = await src.store.getMany(ids);
        if (got.has(victim)) got.set(victim, Buffer.concat([got.get(victim)!, Buffer.from('!')]));
        return got;
      },
    });
    await assert.rejects(
      sendObjects(tampering, dst.store, plan, { tempDir: join(dst.strataDir, 'tmp', 't'), remote: 'test' }),
      (err: unknown) => err instanceof CorruptTransferError && err.data.id === victim,
    );
    const landed = await dst.store.hasMany([...plan.files.map((f) => f.id), tip]);
    assert.equal(landed.size, 0, 'the pack holding the altered object was dropped whole');
  } finally {
    await done();
  }
});

test('big objects travel alone through a file and arrive verified', async () => {
  const { src, dst, done } = await twoRepos();
  try {
    const big = Buffer.alloc(6 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE(i, i);
    // Files this big are chunked; a section's data object is what stays one big object.
    const writer = src.store.createWriter();
    const bigId = await writer.add(big);
    await writer.commit();
    write(src, 'data/small.txt', 'small');
    const tip = (await commit(src, { message: 'big', sections: { blob: { refs: [bigId] } } })).id;
    const plan = await planTransfer(src.store, dst.store, [tip]);
    const sent = await send(src.store, dst, plan);
    assert.equal(sent.bytes >= big.length, true);
    assert.deepEqual(await dst.store.get(bigId), big);
    await dst.store.verify(tip);
  } finally {
    await done();
  }
});

test('a chunked file travels as its chunks, before its manifest, and only new chunks go again', async () => {
  const { src, dst, done } = await twoRepos();
  try {
    const big = Buffer.allocUnsafe(3 * 1024 * 1024);
    let x = 7;
    for (let i = 0; i < big.length; i++) big[i] = (x = (Math.imul(x, 1103515245) + 12345) | 0) >>> 24;
    write(src, 'data/big.bin', big);
    const first = (await commit(src, { message: 'one' })).id;
    const plan = await planTransfer(src.store, dst.store, [first]);
    assert.ok(plan.chunks.length > 10, `${plan.chunks.length} chunks planned`);
    await send(src.store, dst, plan);
    const manifest = await readChunkManifest(dst.store, plan.files[0]!.id);
    assert.ok((await readChunkedBytes(dst.store, plan.files[0]!.id)).equals(big));
    assert.equal(manifest.chunks.length, plan.chunks.length);

    big.fill(1, 1_500_000, 1_510_000);
    write(src, 'data/big.bin', big);
    const second = (await commit(src, { message: 'two' })).id;
    const again = await planTransfer(src.store, dst.store, [second]);
    assert.ok(again.chunks.length >= 1 && again.chunks.length <= 3, `${again.chunks.length} chunks resent`);
    await send(src.store, dst, again);
    assert.ok((await readChunkedBytes(dst.store, again.files[0]!.id)).equals(big));
  } finally {
    await done();
  }
});
