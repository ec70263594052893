import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { DTYPES, ITEM_SIZE, type DType } from '../dtype.js';
import { writeCsv } from './csv-writer.js';
import { float16Bits } from './float16.js';
import { openArraySources } from './open-array-sources.js';
import { inputOf, makeTempDir, randomSamples, readAll } from './test-helpers.js';

/** Random values of a dtype that CSV can carry exactly (floats without NaN payloads). */
function csvSamples(dtype: DType, elements: number): Buffer {
  if (!dtype.startsWith('float')) return randomSamples(dtype, [elements], 1);
  const out = Buffer.alloc(elements * ITEM_SIZE[dtype]);
  const special = [0, -0, Infinity, -Infinity, 1e-7, -3.5, 65504, 1 / 3];
  for (let i = 0; i < elements; i++) {
    const v =
      i < special.length ? special[i]! : (Math.random() - 0.5) * 10 ** Math.floor(Math.random() * 20 - 10);
    if (dtype === 'float64') out.writeDoubleLE(v, i * 8);
    else if (dtype === 'float32') out.writeFloatLE(v, i * 4);
    else out.writeUInt16LE(float16Bits(v), i * 2);
  }
  return out;
}

test('CSV: every dtype written then read back with that dtype byte for byte', async () => {
  const { dir, cleanup } = makeTempDir('csv');
  try {
    for (const dtype of DTYPES) {
      const shape = [2, 3];
      const data = csvSamples(dtype, 6 * 40);
      const file = join(dir, `${dtype}.csv`);
      await writeCsv(file, inputOf(dtype, shape, data, 5));
      assert.equal(readFileSync(file, 'utf8').split('\n').length, 41);
      const [source] = await openArraySources(file, { dtype });
      assert.equal(source!.dtype, dtype);
      assert.deepEqual(source!.sampleShape, [6]);
      assert.equal(source!.count, 40);
      const { data: back, counts } = await readAll(source!, { maxBytes: 6 * ITEM_SIZE[dtype] * 16 });
      assert.deepEqual(back, data, dtype);
      assert.deepEqual(counts, [16, 16, 8]);
    }
  } finally {
    cleanup();
  }
});

test('CSV: header detected, dtype inferred (int64 for whole numbers, else float64), CRLF and blank lines', async () => {
  const { dir, cleanup } = makeTempDir('csv');
  try {
    const ints = join(dir, 'ints.csv');
    writeFileSync(ints, 'a,b,c\r\n1,2,3\r\n\r\n-4, 5 ,"6"\r\n9007199254740991,0,0\r\n');
    const [i] = await openArraySources(ints);
    assert.equal(i!.dtype, 'int64');
    assert.equal(i!.count, 3);
    assert.deepEqual(i!.sampleShape, [3]);
    const back = new BigInt64Array(new Uint8Array((await readAll(i!)).data).buffer);
    assert.deepEqual([...back], [1n, 2n, 3n, -4n, 5n, 6n, 9007199254740991n, 0n, 0n]);

    const floats = join(dir, 'floats.csv');
    writeFileSync(floats, '1,2\n3.5,nan\n1e3,-inf');
    const [f] = await openArraySources(floats);
    assert.equal(f!.dtype, 'float64');
    assert.equal(f!.count, 3, 'no header: the first row is numbers');
    const values = new Float64Array(new Uint8Array((await readAll(f!)).data).buffer);
    assert.deepEqual([...values], [1, 2, 3.5, Number.NaN, 1000, -Infinity]);

    // Whole numbers beyond 2^53 are not safe as int64 guesses: float64.
    writeFileSync(join(dir, 'huge.csv'), '1\n9007199254740993\n');
    assert.equal((await openArraySources(join(dir, 'huge.csv')))[0]!.dtype, 'float64');

    // csvHeader: true drops a numeric first row; false refuses a text one.
    const [h] = await openArraySources(floats, { csvHeader: true });
    assert.equal(h!.count, 2);
    await assert.rejects(
      openArraySources(ints, { csvHeader: false }),
      /line 1, column 1: 'a' is not a number/,
    );
  } finally {
    cleanup();
  }
});

test('CSV: ragged rows, non-numbers and out-of-range values are refused naming file, line and column', async () => {
  const { dir, cleanup } = makeTempDir('csv');
  try {
    const ragged = join(dir, 'ragged.csv');
    writeFileSync(ragged, 'x,y\n1,2\n3,4,5\n');
    await assert.rejects(
      openArraySources(ragged),
      (err: Error & { code: string; data: Record<string, unknown> }) => {
        assert.equal(err.code, 'E_INVALID_ARGUMENT');
        assert.deepEqual([err.data.file, err.data.line], [ragged, 3]);
        assert.match(err.message, /ragged\.csv: line 3: has 3 values where 2 are expected/);
        return true;
      },
    );
    const word = join(dir, 'word.csv');
    writeFileSync(word, '1,2\n3,four\n');
    await assert.rejects(openArraySources(word), (err: Error & { data: Record<string, unknown> }) => {
      assert.deepEqual([err.data.file, err.data.line, err.data.column], [word, 2, 2]);
      assert.match(err.message, /line 2, column 2: 'four' is not a number/);
      return true;
    });
    writeFileSync(join(dir, 'big.csv'), '1\n256\n');
    await assert.rejects(
      openArraySources(join(dir, 'big.csv'), { dtype: 'uint8' }),
      /line 2, column 1: '256' is out of range for uint8/,
    );
    writeFileSync(join(dir, 'frac.csv'), '1.5\n');
    await assert.rejects(openArraySources(join(dir, 'frac.csv'), { dtype: 'int32' }), /not a whole number/);

    const short = join(dir, 'short.csv');
    await assert.rejects(
      writeCsv(short, { ...inputOf('uint8', [4], Buffer.alloc(10)), count: 3 }),
      /need 12 bytes/,
    );
    assert.equal(existsSync(short), false);
  } finally {
    cleanup();
  }
});
