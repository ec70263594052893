import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import type { ImageSample } from '../formats/array-source.js';
import { openArraySources } from '../formats/open-array-sources.js';
import { makeTempDir, readAll } from '../formats/test-helpers.js';
import { writeImages } from './write-images.js';

function pixels(shape: readonly number[], seed: number): Buffer {
  const n = shape.reduce((a, b) => a * b, 1);
  return Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + seed * 11) & 0xff));
}

async function* samplesOf(list: ImageSample[]): AsyncGenerator<ImageSample> {
  yield* list;
}

/** A 16-bit greyscale PNG, encoded by hand so the test does not depend on how sharp writes one. */
function grey16Png(width: number, height: number, values: readonly number[]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 16; // bit depth
  ihdr[9] = 0; // greyscale
  const raw = Buffer.alloc(height * (1 + width * 2));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++)
      raw.writeUInt16BE(values[y * width + x]!, y * (1 + width * 2) + 1 + x * 2);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

test('images: grey, grey+alpha, RGB and RGBA written as PNG then read back exactly, by name', async () => {
  const { dir, cleanup } = makeTempDir('img');
  try {
    const list: ImageSample[] = [
      { name: 'a-grey', shape: [4, 5], data: pixels([4, 5], 1) },
      { name: 'b-grey', shape: [4, 5, 1], data: pixels([4, 5], 2) },
      { name: 'c-grey-alpha.jpg', shape: [3, 2, 2], data: pixels([3, 2, 2], 3) },
      { name: 'd-rgb', shape: [6, 7, 3], data: pixels([6, 7, 3], 4) },
      { name: 'e-rgba', shape: [2, 9, 4], data: pixels([2, 9, 4], 5) },
    ];
    const out = join(dir, 'out');
    assert.equal(await writeImages(out, samplesOf(list)), 5);
    assert.deepEqual(readdirSync(out), [
      'a-grey.png',
      'b-grey.png',
      'c-grey-alpha.png',
      'd-rgb.png',
      'e-rgba.png',
    ]);
    assert.deepEqual(readdirSync(dir), ['out'], 'no temp folder left');
    const [source] = await openArraySources(out);
    assert.equal(source!.name, 'out');
    assert.equal(source!.dtype, 'uint8');
    assert.equal(source!.sampleShape, null, 'shapes differ');
    assert.equal(source!.count, 5);
    assert.equal(source!.skipped, 0);
    const batches = [];
    for await (const batch of source!.batches()) batches.push({ ...batch, data: Buffer.from(batch.data) });
    // One batch per run of equal shapes: the two greys share [4, 5, 1].
    assert.deepEqual(
      batches.map((b) => [b.shape, b.names]),
      [
        [
          [4, 5, 1],
          ['a-grey.png', 'b-grey.png'],
        ],
        [[3, 2, 2], ['c-grey-alpha.png']],
        [[6, 7, 3], ['d-rgb.png']],
        [[2, 9, 4], ['e-rgba.png']],
      ],
    );
    assert.deepEqual(batches[0]!.data, Buffer.concat([list[0]!.data, list[1]!.data]));
    for (let i = 1; i < 4; i++) assert.deepEqual(batches[i]!.data, list[i + 1]!.data, list[i + 1]!.name);
  } finally {
    cleanup();
  }
});

test('images: a folder of one shape, non-images skipped and counted, JPEG and TIFF decoded, batches bounded', async () => {
  const { dir, cleanup } = makeTempDir('img');
  try {
    const folder = join(dir, 'digits');
    mkdirSync(join(folder, 'sub'), { recursive: true });
    writeFileSync(join(folder, 'README.txt'), 'not an image');
    const expected: Buffer[] = [];
    for (let i = 0; i < 12; i++) {
      // Smooth, so that JPEG stays close.
      const data = Buffer.from(
        Array.from({ length: 192 }, (_, j) => 40 + (j % 3) * 50 + Math.floor(j / 24) * 4 + i),
      );
      const image = sharp(data, { raw: { width: 8, height: 8, channels: 3 } });
      const name = `img${String(i).padStart(2, '0')}`;
      if (i % 3 === 0) await image.tiff({ compression: 'lzw' }).toFile(join(folder, `${name}.TIF`));
      else if (i % 3 === 1) await image.jpeg({ quality: 90 }).toFile(join(folder, `${name}.jpeg`));
      else await image.png().toFile(join(folder, `${name}.png`));
      expected.push(data);
    }
    const [source] = await openArraySources(folder);
    assert.deepEqual(source!.sampleShape, [8, 8, 3]);
    assert.equal(source!.count, 12);
    assert.equal(source!.skipped, 2);
    const names: string[] = [];
    let index = 0;
    let lastBytes = 0;
    for await (const batch of source!.batches({ maxBytes: 8 * 8 * 3 * 5, onBytes: (n) => (lastBytes = n) })) {
      assert.ok(batch.count <= 5);
      names.push(...batch.names!);
      for (let k = 0; k < batch.count; k++, index++) {
        const got = batch.data.subarray(k * 192, (k + 1) * 192);
        // JPEG is lossy: near; PNG and TIFF (LZW) exact.
        if (index % 3 === 1) assert.ok(got.every((v, j) => Math.abs(v - expected[index]![j]!) <= 12));
        else assert.deepEqual(Buffer.from(got), expected[index]);
      }
    }
    assert.equal(lastBytes, 12 * 192);
    assert.deepEqual(
      names,
      Array.from(
        { length: 12 },
        (_, i) => `img${String(i).padStart(2, '0')}.${['TIF', 'jpeg', 'png'][i % 3]}`,
      ),
    );
  } finally {
    cleanup();
  }
});

test('images: 16-bit PNGs decode to uint8, scaled to the top 8 bits', async () => {
  const { dir, cleanup } = makeTempDir('img');
  try {
    const folder = join(dir, 'deep');
    mkdirSync(folder);
    const values = [0, 257, 40000, 65535, 1000, 65280];
    writeFileSync(join(folder, 'x.png'), grey16Png(3, 2, values));
    const [source] = await openArraySources(folder);
    assert.equal(source!.dtype, 'uint8');
    assert.deepEqual(source!.sampleShape, [2, 3, 1]);
    const { data } = await readAll(source!);
    assert.deepEqual(
      [...data].map((v, i) => Math.abs(v - values[i]! / 257) <= 1),
      values.map(() => true),
      `got ${[...data].join(',')}`,
    );
  } finally {
    cleanup();
  }
});

test('images: an image that will not decode is an error naming the file', async () => {
  const { dir, cleanup } = makeTempDir('img');
  try {
    const folder = join(dir, 'bad');
    mkdirSync(folder);
    await sharp(pixels([16, 16, 3], 1), { raw: { width: 16, height: 16, channels: 3 } })
      .png()
      .toFile(join(folder, 'a.png'));
    writeFileSync(join(folder, 'b.png'), 'this is not a png');
    await assert.rejects(
      openArraySources(folder),
      (err: Error & { code: string; data: { file: string } }) => {
        assert.equal(err.code, 'E_INVALID_ARGUMENT');
        assert.equal(err.data.file, join(folder, 'b.png'));
        return true;
      },
    );
    // A header that reads but pixels that do not: caught when decoding, still naming the file.
    const good = readFileSync(join(folder, 'a.png'));
    writeFileSync(join(folder, 'b.png'), good.subarray(0, 200));
    const [source] = await openArraySources(folder);
    await assert.rejects(readAll(source!), (err: Error & { code: string; data: { file: string } }) => {
      assert.equal(err.code, 'E_INVALID_ARGUMENT');
      assert.equal(err.data.file, join(folder, 'b.png'));
      return true;
    });
    await assert.rejects(openArraySources(join(dir, 'empty-missing')), { code: 'E_NOT_FOUND' });
  } finally {
    cleanup();
  }
});

test('writeImages: a bad sample or a non-empty target leaves nothing behind', async () => {
  const { dir, cleanup } = makeTempDir('img');
  try {
    const out = join(dir, 'out');
    const list: ImageSample[] = [
      { name: 'ok', shape: [2, 2], data: pixels([2, 2], 1) },
      { name: 'bad', shape: [2, 2, 5], data: pixels([2, 2, 5], 1) },
    ];
    await assert.rejects(writeImages(out, samplesOf(list)), { code: 'E_INVALID_ARGUMENT' });
    await assert.rejects(
      writeImages(out, samplesOf([list[0]!, { ...list[0]!, name: 'ok.png' }])),
      /both be written as ok\.png/,
    );
    await assert.rejects(
      writeImages(out, samplesOf([{ ...list[0]!, name: '../x' }])),
      /cannot be an image file name/,
    );
    assert.deepEqual(readdirSync(dir), []);
    mkdirSync(out);
    writeFileSync(join(out, 'keep.txt'), 'x');
    await assert.rejects(writeImages(out, samplesOf([list[0]!])), { code: 'E_ALREADY_EXISTS' });
    assert.deepEqual(readdirSync(out), ['keep.txt']);
    assert.equal(existsSync(join(dir, 'out', 'ok.png')), false);
  } finally {
    cleanup();
  }
});
