import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { hashBytes } from '../../util/hash.js';
import { DEFAULT_GRAMMAR } from '../naming/grammar.js';
import type { FileTrait } from '../specs/specification.js';
import { readFile, type ReadRequest } from './read-file.js';
import { readFiles } from './read-pool.js';
import { tempFolder, tinyPng } from './test-fixture.js';

const IMAGE_TRAITS: [string, string | null][] = [
  ['width', 'width'],
  ['height', 'height'],
  ['channels', 'channels'],
  ['bit_depth', 'bit_depth'],
];
const request = (file: string, traits = IMAGE_TRAITS, index = 0): ReadRequest => ({
  index,
  path: file,
  relativePath: path.basename(file),
  fields: {},
  traits,
  spec: 'spec001',
});
const none = async () => undefined;

async function inFolder(work: (dir: string) => Promise<void>) {
  const dir = tempFolder('strata-traits-');
  try {
    await work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('image traits come from the header: width, height, channels, bit depth; content hash too', async () => {
  await inFolder(async (dir) => {
    const png = path.join(dir, 'a.png');
    writeFileSync(png, await tinyPng(5, 2, 4));
    const r = await readFile(request(png), none);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.traits, { width: 5, height: 2, channels: 4, bit_depth: 8 });
    assert.match(r.contentHash!, /^[0-9a-f]{64}$/);
    const deep = path.join(dir, 'b.png');
    writeFileSync(
      deep,
      await sharp({ create: { width: 2, height: 2, channels: 3, background: '#fff' } })
        .png()
        .toColourspace('rgb16')
        .toBuffer(),
    );
    assert.equal((await readFile(request(deep), none)).traits.bit_depth, 16);
  });
});

test('the header is read once per file, however many traits ask', async () => {
  await inFolder(async (dir) => {
    const png = path.join(dir, 'a.png');
    writeFileSync(png, await tinyPng());
    const seen: Promise<unknown>[] = [];
    const asks: FileTrait = (f) => {
      const p = f.image();
      seen.push(p);
      return p.then((h) => h.width);
    };
    const r = await readFile(request(png, [...IMAGE_TRAITS, ['a', null], ['b', null]]), async () => asks);
    assert.deepEqual(r.errors, []);
    assert.equal(seen.length, 2);
    assert.equal(seen[0], seen[1]);
  });
});

test('corrupt, truncated and missing images become errors on the file, not crashes', async () => {
  await inFolder(async (dir) => {
    const png = await tinyPng();
    const cases: [string, Buffer | undefined, RegExp][] = [
      [
        'garbage.png',
        Buffer.from('not an image at all'),
        /traits width, height, channels, bit_depth: cannot read image header/,
      ],
      ['cut.png', png.subarray(0, png.length - 20), /truncated PNG|cannot read image/],
      ['header-only.png', png.subarray(0, 33), /truncated PNG|cannot read image/],
      ['empty.png', Buffer.alloc(0), /cannot read image header/],
      ['gone.png', undefined, /cannot read file/],
    ];
    for (const [name, bytes, message] of cases) {
      const file = path.join(dir, name);
      if (bytes) writeFileSync(file, bytes);
      const r = await readFile(request(file), none);
      assert.equal(r.errors.length, 1, name);
      assert.match(r.errors[0]!.message, message, name);
    }
  });
});

test('a trait function that throws is an error naming the trait; the others still run', async () => {
  await inFolder(async (dir) => {
    const file = path.join(dir, 'x.txt');
    writeFileSync(file, 'hello');
    const traits: Record<string, FileTrait> = {
      bad: () => {
        throw new Error('kaput');
      },
      size: (f) => f.size,
      strange: () => {
        throw 'a string';
      },
    };
    const r = await readFile(
      request(file, [
        ['bad', null],
        ['size', null],
        ['strange', null],
        ['missing', null],
      ]),
      async (_spec, name) => traits[name],
    );
    assert.deepEqual(r.traits, { size: 5 });
    assert.deepEqual(
      r.errors.map((e) => [e.field, e.message]),
      [
        ['bad', 'trait bad: kaput'],
        ['strange', 'trait strange: a string'],
        ['missing', "trait missing: no trait function 'missing'"],
      ],
    );
  });
});

test('the worker pool reads batches on every core and keeps the order of requests', async () => {
  await inFolder(async (dir) => {
    const good = await tinyPng(3, 7);
    const requests: ReadRequest[] = [];
    for (let i = 0; i < 1200; i++) {
      const file = path.join(dir, `f${i}.png`);
      writeFileSync(file, i % 100 === 5 ? Buffer.from('broken') : good);
      requests.push(request(file, IMAGE_TRAITS, i));
    }
    let last = 0;
    const results = await readFiles(requests, {
      modules: {},
      grammar: DEFAULT_GRAMMAR,
      threads: 2,
      onProgress: (done) => (last = done),
    });
    assert.equal(last, 1200);
    assert.equal(results.length, 1200);
    results.forEach((r, i) => {
      assert.equal(r.index, i);
      if (i % 100 === 5) assert.equal(r.errors.length, 1);
      else assert.deepEqual(r.traits, { width: 3, height: 7, channels: 3, bit_depth: 8 });
    });
  });
});

test('a scanned size saves the fstat, yet a file that grew or shrank since the scan is hashed whole', async () => {
  await inFolder(async (dir) => {
    const file = path.join(dir, 'a.bin');
    const content = Buffer.from('0123456789abcdef');
    writeFileSync(file, content);
    const hashWith = async (sizeHint: number) =>
      (await readFile({ ...request(file, []), sizeHint }, none)).contentHash;
    assert.equal(await hashWith(content.length), hashBytes(content));
    assert.equal(await hashWith(4), hashBytes(content), 'grew since the scan');
    assert.equal(await hashWith(40), hashBytes(content), 'shrank since the scan');
    writeFileSync(file, '');
    assert.equal(await hashWith(16), hashBytes(Buffer.alloc(0)), 'emptied since the scan');
  });
});
