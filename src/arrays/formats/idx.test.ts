import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import test from 'node:test';
import type { DType } from '../dtype.js';
import { writeIdx } from './idx-writer.js';
import { openArraySources } from './open-array-sources.js';
import { inputOf, makeTempDir, randomSamples, readAll } from './test-helpers.js';

const IDX_DTYPES: DType[] = ['uint8', 'int8', 'int16', 'int32', 'float32', 'float64'];

test('IDX: every IDX dtype written big-endian then read back little-endian', async () => {
  const { dir, cleanup } = makeTempDir('idx');
  try {
    for (const dtype of IDX_DTYPES) {
      const data = randomSamples(dtype, [28, 28], 11);
      const file = join(dir, `${dtype}-images-idx3-ubyte`);
      await writeIdx(file, inputOf(dtype, [28, 28], data, 333));
      const [source] = await openArraySources(file);
      assert.equal(source!.name, `${dtype}-images`);
      assert.equal(source!.dtype, dtype);
      assert.deepEqual(source!.sampleShape, [28, 28]);
      assert.equal(source!.count, 11);
      assert.deepEqual((await readAll(source!, { maxBytes: 5000 })).data, data, dtype);
    }
    // The bytes on disk are what MNIST's format says: magic, type code, dims, big-endian data.
    await writeIdx(
      join(dir, 'labels.idx1-ubyte'),
      inputOf('int32', [], Buffer.from([1, 0, 0, 0, 2, 0, 0, 0])),
    );
    assert.deepEqual(
      [...readFileSync(join(dir, 'labels.idx1-ubyte'))],
      [0, 0, 0x0c, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2],
    );
    const [labels] = await openArraySources(join(dir, 'labels.idx1-ubyte'));
    assert.equal(labels!.name, 'labels');
    assert.deepEqual(labels!.sampleShape, []);
  } finally {
    cleanup();
  }
});

test('IDX: truncated data, wrong magic and unsupported dtypes are refused naming the file', async () => {
  const { dir, cleanup } = makeTempDir('idx');
  try {
    const file = join(dir, 'train-images-idx3-ubyte');
    await writeIdx(file, inputOf('uint8', [28, 28], randomSamples('uint8', [28, 28], 3)));
    const bytes = readFileSync(file);
    const truncated = join(dir, 'cut-idx3-ubyte');
    writeFileSync(truncated, bytes.subarray(0, bytes.length - 1));
    await assert.rejects(
      openArraySources(truncated),
      (err: Error & { code: string; data: { file: string } }) => {
        assert.equal(err.code, 'E_INVALID_ARGUMENT');
        assert.equal(err.data.file, truncated);
        assert.match(err.message, /2352 bytes of data\) but the file has 2351/);
        return true;
      },
    );
    const magic = join(dir, 'magic.idx3');
    writeFileSync(magic, Buffer.concat([Buffer.from([1, 0]), bytes.subarray(2)]));
    await assert.rejects(
      openArraySources(magic),
      /magic\.idx3: not a valid IDX file: missing the two zero magic/,
    );
    const type = join(dir, 'type.idx3');
    writeFileSync(type, Buffer.concat([Buffer.from([0, 0, 0x0a]), bytes.subarray(3)]));
    await assert.rejects(openArraySources(type), /unknown type code 0xa/);

    for (const dtype of ['int64', 'uint16', 'bool', 'float16'] as const) {
      const out = join(dir, `${dtype}.idx`);
      await assert.rejects(writeIdx(out, inputOf(dtype, [2], randomSamples(dtype, [2], 2))), {
        code: 'E_INVALID_ARGUMENT',
      });
      assert.equal(existsSync(out), false);
    }
  } finally {
    cleanup();
  }
});

test('IDX: gzipped files (as MNIST is downloaded) read as they stream; damage is named', async () => {
  const { dir, cleanup } = makeTempDir('idx');
  try {
    const plain = join(dir, 'train-images-idx3-ubyte');
    const data = randomSamples('float32', [28, 28], 30);
    await writeIdx(plain, inputOf('float32', [28, 28], data));
    const gz = join(dir, 'train-images-idx3-ubyte.gz');
    const zipped = gzipSync(readFileSync(plain));
    writeFileSync(gz, zipped);
    const [source] = await openArraySources(gz);
    assert.equal(source!.name, 'train-images');
    assert.deepEqual([source!.dtype, source!.sampleShape, source!.count], ['float32', [28, 28], 30]);
    const { data: back, counts } = await readAll(source!, { maxBytes: 28 * 28 * 4 * 7 });
    assert.deepEqual(back, data);
    assert.deepEqual(counts, [7, 7, 7, 7, 2]);

    // Cut short (trailer gone), and damaged in the middle (trailer intact): both named.
    const cut = join(dir, 'cut-idx3-ubyte.gz');
    writeFileSync(cut, zipped.subarray(0, zipped.length - 100));
    const damaged = join(dir, 'damaged-idx3-ubyte.gz');
    const copy = Buffer.from(zipped);
    copy.fill(0xaa, 2000, 2400);
    writeFileSync(damaged, copy);
    for (const file of [cut, damaged]) {
      await assert.rejects(
        (async () => {
          for (const s of await openArraySources(file)) await readAll(s);
        })(),
        (err: Error & { code: string; data: { file: string } }) => {
          assert.equal(err.code, 'E_INVALID_ARGUMENT');
          assert.equal(err.data.file, file);
          return true;
        },
      );
    }
  } finally {
    cleanup();
  }
});
