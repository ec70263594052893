import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { DTYPES, ITEM_SIZE, swapBytes } from '../dtype.js';
import { encodeNpyHeader } from './npy.js';
import { writeNpy } from './npy-writer.js';
import { openArraySources } from './open-array-sources.js';
import { inputOf, makeTempDir, randomSamples, readAll } from './test-helpers.js';

test('npy: every dtype written then read back byte for byte, in batches of whole samples', async () => {
  const { dir, cleanup } = makeTempDir('npy');
  try {
    for (const dtype of DTYPES) {
      const shape = [3, 5];
      const data = randomSamples(dtype, shape, 17);
      const file = join(dir, `${dtype}.npy`);
      await writeNpy(file, inputOf(dtype, shape, data, 7));
      const [source] = await openArraySources(file);
      assert.equal(source!.name, dtype);
      assert.equal(source!.dtype, dtype);
      assert.deepEqual(source!.sampleShape, shape);
      assert.equal(source!.count, 17);
      const sampleBytes = 15 * ITEM_SIZE[dtype];
      const { data: back, counts } = await readAll(source!, { maxBytes: sampleBytes * 4 + 1 });
      assert.deepEqual(back, data, dtype);
      assert.deepEqual(counts, [4, 4, 4, 4, 1]);
    }
    // Nothing but the files: no temp files left.
    assert.equal(readdirSync(dir).filter((f) => f.startsWith('.tmp')).length, 0);
  } finally {
    cleanup();
  }
});

test('npy: the header is what numpy writes, scalars per sample and empty arrays work', async () => {
  const { dir, cleanup } = makeTempDir('npy');
  try {
    const file = join(dir, 'labels.npy');
    await writeNpy(file, inputOf('int64', [], Buffer.alloc(8 * 5, 1)));
    const head = Buffer.alloc(128);
    const { readSync, openSync, closeSync } = await import('node:fs');
    const fd = openSync(file, 'r');
    readSync(fd, head, 0, 128, 0);
    closeSync(fd);
    assert.match(head.toString('latin1'), /\{'descr': '<i8', 'fortran_order': False, 'shape': \(5,\), \}/);
    assert.equal(statSync(file).size % 64, (8 * 5) % 64, 'data starts on a 64-byte boundary');
    const [source] = await openArraySources(file);
    assert.deepEqual(source!.sampleShape, []);
    assert.deepEqual((await readAll(source!)).data, Buffer.alloc(40, 1));

    const empty = join(dir, 'empty.npy');
    await writeNpy(empty, inputOf('float32', [4], Buffer.alloc(0)));
    const [e] = await openArraySources(empty);
    assert.equal(e!.count, 0);
    assert.deepEqual((await readAll(e!)).counts, []);
  } finally {
    cleanup();
  }
});

test('npy: big-endian files are swapped to little-endian', async () => {
  const { dir, cleanup } = makeTempDir('npy');
  try {
    const values = new Int32Array([1, -2, 300000, 7, 8, 9]);
    const big = Buffer.from(new Uint8Array(values.buffer.slice(0)));
    swapBytes(big, 4);
    const header = encodeNpyHeader('int32', [3, 2]);
    const text = header.toString('latin1').replace("'<i4'", "'>i4'");
    const file = join(dir, 'be.npy');
    writeFileSync(file, Buffer.concat([Buffer.from(text, 'latin1'), big]));
    const [source] = await openArraySources(file);
    assert.equal(source!.dtype, 'int32');
    assert.deepEqual((await readAll(source!)).data, Buffer.from(values.buffer));
  } finally {
    cleanup();
  }
});

test('npy: fortran order, truncated data, a lying header and a short writer are refused naming the file', async () => {
  const { dir, cleanup } = makeTempDir('npy');
  try {
    const header = encodeNpyHeader('uint8', [4, 4]);
    const fortran = join(dir, 'f.npy');
    writeFileSync(
      fortran,
      Buffer.concat([
        Buffer.from(header.toString('latin1').replace('False', 'True '), 'latin1'),
        Buffer.alloc(16),
      ]),
    );
    await assert.rejects(
      openArraySources(fortran),
      (err: Error & { code: string; data: { file: string } }) => {
        assert.equal(err.code, 'E_INVALID_ARGUMENT');
        assert.equal(err.data.file, fortran);
        assert.match(err.message, /Fortran/);
        return true;
      },
    );
    const truncated = join(dir, 't.npy');
    writeFileSync(truncated, Buffer.concat([header, Buffer.alloc(15)]));
    await assert.rejects(
      openArraySources(truncated),
      (err: Error & { code: string; data: { file: string } }) => {
        assert.equal(err.code, 'E_INVALID_ARGUMENT');
        assert.equal(err.data.file, truncated);
        assert.match(err.message, /needs 16 bytes of data, the file has 15/);
        return true;
      },
    );
    const lying = join(dir, 'l.npy');
    writeFileSync(lying, Buffer.concat([header, Buffer.alloc(17)]));
    await assert.rejects(openArraySources(lying), /l\.npy.*header says 16 bytes of data but the file has 17/);
    const badHeader = join(dir, 'b.npy');
    writeFileSync(badHeader, Buffer.from('\x93NUMPY\x01\x00\xff\x00{', 'latin1'));
    await assert.rejects(openArraySources(badHeader), { code: 'E_INVALID_ARGUMENT' });

    // A writer given fewer bytes than count × shape leaves no file and no temp file.
    const short = join(dir, 'short.npy');
    await assert.rejects(writeNpy(short, { ...inputOf('uint8', [4], Buffer.alloc(10)), count: 3 }), {
      code: 'E_INVALID_ARGUMENT',
    });
    await assert.rejects(
      writeNpy(short, { ...inputOf('uint8', [4], Buffer.alloc(14)), count: 3 }),
      /need 12 bytes/,
    );
    assert.equal(existsSync(short), false);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.includes('short')),
      [],
    );
  } finally {
    cleanup();
  }
});

test('npy: a 64 MB file read in batches keeps every batch within maxBytes (+ one sample)', async () => {
  const { dir, cleanup } = makeTempDir('npy');
  try {
    const file = join(dir, 'big.npy');
    const shape = [1000, 1000];
    const count = 16; // 16 × 1000 × 1000 × 4 bytes = 64 MB
    const sample = Buffer.alloc(4_000_000);
    await writeNpy(file, {
      dtype: 'float32',
      sampleShape: shape,
      count,
      chunks: (async function* () {
        for (let i = 0; i < count; i++) {
          sample.fill(i);
          yield sample;
        }
      })(),
    });
    const [source] = await openArraySources(file);
    const maxBytes = 10_000_000;
    let seen = 0;
    let reported = 0;
    for await (const batch of source!.batches({ maxBytes, onBytes: (n) => (reported = n) })) {
      assert.ok(batch.data.byteLength <= maxBytes + 4_000_000, `batch of ${batch.data.byteLength} bytes`);
      assert.equal(batch.data.byteLength, batch.count * 4_000_000);
      for (let i = 0; i < batch.count; i++) assert.equal(batch.data[i * 4_000_000 + 123], seen + i);
      seen += batch.count;
    }
    assert.equal(seen, count);
    assert.equal(reported, 64_000_000);
    // maxBytes smaller than one sample: one sample per batch.
    const { counts } = await readAll(source!, { maxBytes: 10 });
    assert.deepEqual(counts, new Array(16).fill(1));
    // A file cut short after it was opened: the read fails naming the file, expected and got bytes.
    truncateSync(file, 30_000_000);
    await assert.rejects(readAll(source!), (err: Error & { code: string; data: Record<string, unknown> }) => {
      assert.equal(err.code, 'E_INVALID_ARGUMENT');
      assert.equal(err.data.file, file);
      assert.equal(err.data.gotBytes, 30_000_000);
      return true;
    });
  } finally {
    cleanup();
  }
});

test('openArraySources: a missing path and an unknown kind are clear errors', async () => {
  const { dir, cleanup } = makeTempDir('npy');
  try {
    await assert.rejects(openArraySources(join(dir, 'nope.npy')), { code: 'E_NOT_FOUND' });
    writeFileSync(join(dir, 'x.bin'), 'hi');
    await assert.rejects(openArraySources(join(dir, 'x.bin')), /cannot tell the file's kind/);
  } finally {
    cleanup();
  }
});
