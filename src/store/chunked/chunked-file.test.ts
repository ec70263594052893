import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { HashMismatchError } from '../../errors/index.js';
import { corruptStored, createTestStore } from '../fs/fs-test-helpers.js';
import { decodeChunkManifest } from './chunk-manifest.js';
import { chunkBoundaries } from './gear-chunker.js';
import { addFileContent, CHUNKED_FILE_MIN, hashFileContentSync } from './chunked-file.js';
import {
  chunkedReadBatches,
  openChunkedReadStream,
  readChunkedToFile,
  readChunkManifest,
} from './read-chunked.js';

function patterned(length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = 12345;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) | 0;
    out[i] = x >>> 24;
  }
  return out;
}

test('a big file is stored as verified chunks and restored byte for byte', async () => {
  const t = await createTestStore();
  try {
    const content = patterned(3 * 1024 * 1024 + 17);
    const source = join(t.dir, 'big.bin');
    writeFileSync(source, content);
    const writer = t.store.createWriter();
    const stored = await addFileContent(writer, source);
    await writer.commit();
    assert.equal(stored.chunked, true);
    assert.equal(stored.size, content.length);
    assert.deepEqual(hashFileContentSync(source), stored, 'hashing alone gives the id storing gives');

    const manifest = await readChunkManifest(t.store, stored.id);
    assert.equal(manifest.size, content.length);
    assert.ok(manifest.chunks.length > 10);
    assert.deepEqual(decodeChunkManifest(await t.store.get(stored.id), stored.id), manifest);

    const restored = join(t.dir, 'restored.bin');
    await readChunkedToFile(t.store, stored.id, restored);
    assert.ok(readFileSync(restored).equals(content));

    const parts: Buffer[] = [];
    for await (const part of await openChunkedReadStream(t.store, stored.id, {
      start: 100_000,
      end: 2_000_000,
    }))
      parts.push(part as Buffer);
    assert.ok(Buffer.concat(parts).equals(content.subarray(100_000, 2_000_001)), 'a range streams exactly');

    // One flipped byte in one chunk: the restore fails naming that chunk, and writes nothing.
    const victim = manifest.chunks[5]!.id;
    await corruptStored(t.store, t.index, victim, 10);
    const again = join(t.dir, 'again.bin');
    await assert.rejects(
      readChunkedToFile(t.store, stored.id, again),
      (err: unknown) => err instanceof HashMismatchError && JSON.stringify(err.data).includes(victim),
    );
    assert.throws(() => readFileSync(again), /ENOENT/);
  } finally {
    await t.cleanup();
  }
});

test('batches for a download are exact, every range, and read into a few reused buffers', async () => {
  // Chunks packed as in a real repository (the test threshold keeps chunks above 64 KiB loose).
  const t = await createTestStore({ largeObjectThreshold: 1024 * 1024 });
  try {
    // 20 MiB: five batches of about 4 MiB, so buffers of the first ones come back for later ones.
    const content = patterned(20 * 1024 * 1024 + 5);
    const source = join(t.dir, 'big.bin');
    writeFileSync(source, content);
    const writer = t.store.createWriter();
    const stored = await addFileContent(writer, source);
    await writer.commit();
    for (const range of [undefined, { start: 0, end: 0 }, { start: 4_000_000, end: 13_000_123 }]) {
      const parts: Buffer[] = [];
      const memory = new Set<ArrayBufferLike>();
      let batches = 0;
      for await (const batch of chunkedReadBatches(t.store, stored.id, range)) {
        batches++;
        // Copied: a batch is valid only until the next one is asked for.
        for (const slice of batch) {
          memory.add(slice.buffer);
          parts.push(Buffer.from(slice));
        }
      }
      const want = range ? content.subarray(range.start, range.end + 1) : content;
      assert.ok(Buffer.concat(parts).equals(want), `range ${JSON.stringify(range)} is exact`);
      if (range === undefined) {
        assert.ok(batches >= 5, `${batches} batches`);
        assert.ok(memory.size < batches * 3, `${memory.size} buffers for ${batches} batches: reused`);
      }
    }
    // A corrupt chunk ends the batches with the error naming it.
    const manifest = await readChunkManifest(t.store, stored.id);
    const victim = manifest.chunks[manifest.chunks.length - 3]!.id;
    await corruptStored(t.store, t.index, victim, 10);
    await assert.rejects(
      (async () => {
        for await (const batch of chunkedReadBatches(t.store, stored.id)) void batch;
      })(),
      (err: unknown) => err instanceof HashMismatchError && JSON.stringify(err.data).includes(victim),
    );
  } finally {
    await t.cleanup();
  }
});

test('files below the threshold stay whole objects', async () => {
  const t = await createTestStore();
  try {
    const source = join(t.dir, 'small.bin');
    const content = patterned(CHUNKED_FILE_MIN - 1);
    writeFileSync(source, content);
    const writer = t.store.createWriter();
    const stored = await addFileContent(writer, source);
    await writer.commit();
    assert.equal(stored.chunked, false);
    assert.deepEqual(await t.store.get(stored.id), content);
    assert.deepEqual(hashFileContentSync(source), stored);
  } finally {
    await t.cleanup();
  }
});

test('a file is cut where the reference chunker cuts, across read blocks', async () => {
  const t = await createTestStore();
  try {
    // Over several 4 MiB read blocks, so cuts near a block's end are made after the next read.
    const content = patterned(19 * 1024 * 1024 + 5);
    const source = join(t.dir, 'bigger.bin');
    writeFileSync(source, content);
    const writer = t.store.createWriter();
    const stored = await addFileContent(writer, source);
    await writer.commit();
    const ends = chunkBoundaries(content);
    const manifest = await readChunkManifest(t.store, stored.id);
    assert.deepEqual(
      manifest.chunks.map((c) => c.size),
      ends.map((end, i) => end - (i === 0 ? 0 : ends[i - 1]!)),
    );
  } finally {
    await t.cleanup();
  }
});
