/**
 * One phase of `npm run bench -- columns` in its own process, so that its peak RSS is its own:
 *
 *   node dist/bench/lib/columns-child.js strata-write|strata-read|lance-write|lance-read DATA REPO GETS
 *
 * DATA holds images.npy and labels.npy; REPO is the repository (Strata) or database (Lance)
 * folder. Prints one JSON object of seconds per phase.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { initRepository, openCheckout, openRepository } from '../../src/api/index.js';
import { parseNpyHeader } from '../../src/arrays/formats/npy.js';
import type { DType } from '../../src/arrays/dtype.js';

interface Loaded {
  readonly dtype: DType;
  readonly shape: number[];
  readonly data: Uint8Array;
}

/** A whole .npy file's array, read into one buffer (the caller's data, as a library user has it). */
function loadNpy(path: string): Loaded {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(size, 4096));
    readSync(fd, head, 0, head.length, 0);
    const header = parseNpyHeader(head, size, path);
    const data = Buffer.allocUnsafe(header.dataLength);
    let at = 0;
    while (at < data.length) at += readSync(fd, data, at, data.length - at, header.dataOffset + at);
    return { dtype: header.dtype, shape: header.shape, data };
  } finally {
    closeSync(fd);
  }
}

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

/** The keys of the random gets: the same in every process and peer. */
export function randomKeys(gets: number, n: number): number[] {
  return Array.from({ length: gets }, (_, i) => (i * 7919) % n);
}

async function strataWrite(data: string, root: string): Promise<Record<string, number>> {
  const images = loadNpy(join(data, 'images.npy'));
  const labels = loadNpy(join(data, 'labels.npy'));
  const n = images.shape[0]!;
  const t = process.hrtime.bigint();
  const repo = await initRepository(root);
  const w = await openCheckout(repo, { write: true });
  await w.bulk(async () => {
    for (const [name, a] of [
      ['images', images],
      ['labels', labels],
    ] as const) {
      const shape = a.shape.slice(1);
      const column = await w.createColumn({ name, dtype: a.dtype, shape });
      await column.setBatch({ start: 0 }, { dtype: a.dtype, shape, count: n, data: a.data });
    }
  });
  await w.commitChanges('bench');
  await w.close();
  await repo.close();
  return { write_commit_s: seconds(t) };
}

async function strataRead(root: string, gets: number): Promise<Record<string, number>> {
  let t = process.hrtime.bigint();
  const repo = await openRepository(root);
  const r = await openCheckout(repo);
  let samples = 0;
  for (const name of ['images', 'labels'])
    for await (const batch of r.column(name).batches({ size: 4096 })) samples += batch.keys.length;
  const readAll = seconds(t);
  const images = r.column('images');
  const n = await images.size();
  if (samples !== 2 * n) throw new Error(`read ${samples} samples, expected ${2 * n}`);
  const keys = randomKeys(gets, n);
  for (const k of keys) await images.get(k); // warm-up pass, as the peers do
  t = process.hrtime.bigint();
  for (const k of keys) await images.get(k);
  const getsS = seconds(t);
  t = process.hrtime.bigint();
  const many = await images.getMany(keys);
  const getManyS = seconds(t);
  if (many.shape[0] !== gets) throw new Error(`getMany returned ${many.shape[0]} samples, not ${gets}`);
  await r.close();
  await repo.close();
  return { read_all_s: readAll, gets_s: getsS, get_many_s: getManyS };
}

async function lanceWrite(data: string, folder: string): Promise<Record<string, number>> {
  const lancedb = await import('@lancedb/lancedb');
  // lancedb is CommonJS: its arrow classes are the CommonJS build's (an ESM import would give
  // other classes, and lancedb would silently write an empty table).
  const arrow = createRequire(import.meta.url)('apache-arrow') as typeof import('apache-arrow');
  const images = loadNpy(join(data, 'images.npy'));
  const labels = loadNpy(join(data, 'labels.npy'));
  const n = images.shape[0]!;
  const width = images.shape[1]!;
  const t = process.hrtime.bigint();
  const pixels = arrow.makeData({ type: new arrow.Uint8(), length: n * width, data: images.data });
  const listType = new arrow.FixedSizeList(width, new arrow.Field('item', new arrow.Uint8(), false));
  const table = new arrow.Table({
    images: arrow.makeVector(arrow.makeData({ type: listType, length: n, nullCount: 0, child: pixels })),
    labels: arrow.makeVector(
      arrow.makeData({
        type: new arrow.Int64(),
        length: n,
        data: new BigInt64Array(labels.data.buffer, labels.data.byteOffset, n),
      }),
    ),
  });
  const db = await lancedb.connect(folder);
  await db.createTable('mnist', table);
  return { write_s: seconds(t) };
}

async function lanceRead(folder: string, gets: number): Promise<Record<string, number>> {
  const lancedb = await import('@lancedb/lancedb');
  let t = process.hrtime.bigint();
  const db = await lancedb.connect(folder);
  const table = await db.openTable('mnist');
  const all = await table.query().toArrow();
  const readAll = seconds(t);
  const keys = randomKeys(gets, all.numRows);
  await table.takeOffsets(keys).toArrow(); // warm-up, as Strata's getMany runs warm
  t = process.hrtime.bigint();
  const taken = await table.takeOffsets(keys).toArrow();
  const takeS = seconds(t);
  if (taken.numRows !== gets) throw new Error(`take returned ${taken.numRows} rows, not ${gets}`);
  return { read_all_s: readAll, take_s: takeS };
}

async function main(): Promise<void> {
  const [mode, data, folder, getsText] = process.argv.slice(2);
  const gets = Number(getsText);
  const result =
    mode === 'strata-write'
      ? await strataWrite(data!, folder!)
      : mode === 'strata-read'
        ? await strataRead(folder!, gets)
        : mode === 'lance-write'
          ? await lanceWrite(data!, folder!)
          : mode === 'lance-read'
            ? await lanceRead(folder!, gets)
            : undefined;
  if (!result) throw new Error(`unknown mode ${mode}`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (process.argv[1]?.endsWith('columns-child.js')) await main();
