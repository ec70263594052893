import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createTempRepo } from '../repo/test-support/temp-repo.js';
import { openCheckout } from './checkout.js';
import { exportColumn, importIntoColumn } from './import-export.js';
import type { NdArray } from './schema.js';

const bytesOf = (s: NdArray) => Buffer.from(s.data.buffer, s.data.byteOffset, s.data.byteLength);

test('a column exported to npy, npz, IDX, CSV and images imports back equal, keyed from --start', async () => {
  const t = await createTempRepo({});
  try {
    const w = await openCheckout(t.repo, { write: true });
    const src = await w.createColumn({ name: 'src', dtype: 'uint8', shape: [3, 4] });
    for (let i = 0; i < 20; i++)
      await src.set(
        i,
        Uint8Array.from({ length: 12 }, (_, j) => (i * 12 + j) % 251),
      );
    const wide = await w.createColumn({ name: 'wide', dtype: 'float64', shape: [2] });
    for (let i = 0; i < 5; i++) await wide.set(i, Float64Array.of(i / 3, -i));
    await w.flush();
    for (const [file, column] of [
      ['a.npy', 'src'],
      ['a.npz', 'src'],
      ['a-ubyte', 'src'],
      ['a.csv', 'wide'],
      ['pngs', 'src'],
    ] as const) {
      const path = join(t.root, file);
      const exported = await exportColumn(w, column, path);
      assert.equal(exported.samples, column === 'src' ? 20 : 5, file);
      const name = `back_${file.replace(/\W/g, '_')}`;
      const imported = await importIntoColumn(w, name, path, { create: true, start: 100 });
      assert.equal(imported.samples, exported.samples, file);
      const back = w.column(name);
      assert.equal(await back.has(99), false);
      const original = (await w.column(column).get(3)) as NdArray;
      const copy = (await back.get(103)) as NdArray;
      assert.equal(copy.dtype, original.dtype, file);
      assert.deepEqual(bytesOf(copy), bytesOf(original), file);
    }
    await assert.rejects(
      importIntoColumn(w, 'nope', join(t.root, 'a.npy')),
      /no column 'nope'; create it first or pass --create/,
    );
    await assert.rejects(
      importIntoColumn(w, 'src', join(t.root, 'a.npy'), { start: -1 }),
      /--start must be a whole number/,
    );
    await w.close();
  } finally {
    await t.done();
  }
});
