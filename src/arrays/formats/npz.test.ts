import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { DTYPES } from '../dtype.js';
import { writeNpz } from './npz-writer.js';
import { openArraySources } from './open-array-sources.js';
import { inputOf, makeTempDir, randomSamples, readAll } from './test-helpers.js';

for (const compress of [false, true]) {
  test(`npz (${compress ? 'deflated' : 'stored'}): every dtype as members, written then read back`, async () => {
    const { dir, cleanup } = makeTempDir('npz');
    try {
      const file = join(dir, 'arrays.npz');
      const arrays = DTYPES.map((dtype, i) => ({
        name: `a_${dtype}`,
        dtype,
        shape: [2, i + 1],
        data: randomSamples(dtype, [2, i + 1], 9 + i),
      }));
      await writeNpz(
        file,
        arrays.map((a) => ({ name: a.name, ...inputOf(a.dtype, a.shape, a.data, 13) })),
        { compress },
      );
      const sources = await openArraySources(file);
      assert.deepEqual(
        sources.map((s) => s.name),
        arrays.map((a) => a.name),
      );
      for (const [i, source] of sources.entries()) {
        const a = arrays[i]!;
        assert.equal(source.dtype, a.dtype);
        assert.deepEqual(source.sampleShape, a.shape);
        assert.equal(source.count, 9 + i);
        const { data, counts } = await readAll(source, { maxBytes: (3 * a.data.length) / (9 + i) });
        assert.deepEqual(data, a.data, a.name);
        assert.ok(counts.every((c) => c <= 3));
      }
    } finally {
      cleanup();
    }
  });
}

test('npz: a corrupt archive, a truncated member and a short writer are errors naming the file', async () => {
  const { dir, cleanup } = makeTempDir('npz');
  try {
    const file = join(dir, 'ok.npz');
    await writeNpz(file, [{ name: 'x', ...inputOf('int16', [100], randomSamples('int16', [100], 50)) }], {
      compress: true,
    });
    const bytes = readFileSync(file);

    const garbage = join(dir, 'garbage.npz');
    writeFileSync(garbage, Buffer.from('not a zip file at all'));
    await assert.rejects(
      openArraySources(garbage),
      (err: Error & { code: string; data: { file: string } }) => {
        assert.equal(err.code, 'E_INVALID_ARGUMENT');
        assert.equal(err.data.file, garbage);
        return true;
      },
    );

    // Damage the deflated data in the middle: the header still parses, the read fails.
    const damaged = join(dir, 'damaged.npz');
    const copy = Buffer.from(bytes);
    for (let i = 200; i < 600; i++) copy[i] = 0xff;
    writeFileSync(damaged, copy);
    await assert.rejects(
      (async () => {
        for (const source of await openArraySources(damaged)) await readAll(source);
      })(),
      (err: Error & { code: string; data: { file: string } }) => {
        assert.equal(err.code, 'E_INVALID_ARGUMENT');
        assert.match(err.data.file, /damaged\.npz/);
        return true;
      },
    );

    const short = join(dir, 'short.npz');
    await assert.rejects(
      writeNpz(short, [{ name: 'x', ...inputOf('uint8', [4], Buffer.alloc(10)), count: 3 }]),
      /need 12 bytes/,
    );
    assert.equal(existsSync(short), false);
  } finally {
    cleanup();
  }
});
