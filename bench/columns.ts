/**
 * `npm run bench -- columns`: the issue's Hangar workload. 100,000 uint8 samples of shape (784,)
 * plus int64 labels of shape (1,), written through the bulk API and committed; then a reader
 * opened and every sample read; random single-sample gets; disk use against the raw bytes; and a
 * commit that changes 100 of the 100,000 samples. Hangar 0.5.2's figures on this machine come
 * from the issue (Hangar itself is not installed here).
 */
import { randomBytes } from 'node:crypto';
import { initRepository, openCheckout, repositoryDiskUsage, type Column } from '../src/api/index.js';
import { log } from './lib/check.js';
import { round } from './lib/stats.js';
import { atLeast, atMost, allMet } from './lib/targets.js';
import { withTempRoot } from './lib/temp-root.js';

const N = Number(process.env.BENCH_COLUMNS_N ?? 100_000);
const HANGAR = {
  write_s: '24-29',
  commit_s: '1.4-2.6',
  open_reader_s: '1.5-4',
  read_all_s: '7-9',
  disk_mb: 138,
};

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

export async function run(): Promise<Record<string, unknown>> {
  return withTempRoot('strata-bench-columns-', async (root) => {
    // MNIST-like data: mostly-zero borders, random strokes (what lz4 meets in practice).
    const images = Buffer.alloc(N * 784);
    const noise = randomBytes(N * 784);
    for (let i = 0; i < N * 784; i++) if (i % 28 > 5 && i % 28 < 22 && noise[i]! > 120) images[i] = noise[i]!;
    const labels = new BigInt64Array(N);
    for (let i = 0; i < N; i++) labels[i] = BigInt(noise[i]! % 10);
    const rawBytes = images.byteLength + labels.byteLength;

    const repo = await initRepository(root);
    log(`columns: writing ${N} samples`);
    let t = process.hrtime.bigint();
    const w = await openCheckout(repo, { write: true });
    await w.bulk(async () => {
      const img = await w.createColumn({ name: 'images', dtype: 'uint8', shape: [784] });
      const lab = await w.createColumn({ name: 'labels', dtype: 'int64', shape: [1] });
      await img.setBatch({ start: 0 }, { dtype: 'uint8', shape: [784], count: N, data: images });
      await lab.setBatch(
        { start: 0 },
        { dtype: 'int64', shape: [1], count: N, data: new Uint8Array(labels.buffer) },
      );
    });
    const writeS = seconds(t);
    t = process.hrtime.bigint();
    await w.commitChanges('mnist-like');
    const commitS = seconds(t);
    await w.close();

    t = process.hrtime.bigint();
    const r = await openCheckout(repo);
    const openS = seconds(t);
    let read = 0;
    t = process.hrtime.bigint();
    for (const name of ['images', 'labels'])
      for await (const batch of r.column(name).batches({ size: 4096 })) read += batch.keys.length;
    const readAllS = seconds(t);
    if (read !== 2 * N) throw new Error(`read ${read} samples, expected ${2 * N}`);

    const col: Column = r.column('images');
    const gets = 100_000;
    t = process.hrtime.bigint();
    for (let i = 0; i < gets; i++) await col.get((i * 7919) % N);
    const getsPerS = gets / seconds(t);
    await r.close();
    const disk = repositoryDiskUsage(repo);

    const w2 = await openCheckout(repo, { write: true });
    t = process.hrtime.bigint();
    const img = w2.column('images');
    for (let i = 0; i < 100; i++) await img.set((i * 997) % N, new Uint8Array(784).fill(i));
    await w2.commitChanges('100 changes');
    const smallCommitS = seconds(t);
    await w2.close();
    await repo.close();

    const targets = {
      write_and_commit_s: atMost(round(writeS + commitS), 0.5),
      open_and_read_all_s: atMost(round(openS + readAllS), 0.25),
      random_gets_per_s: atLeast(Math.round(getsPerS), 200_000),
      disk_ratio: atMost(round(disk / rawBytes), 1.1),
      commit_100_changes_s: atMost(round(smallCommitS), 0.05),
    };
    return {
      samples: N,
      strata: {
        write_s: round(writeS),
        commit_s: round(commitS),
        open_reader_s: round(openS, 4),
        read_all_s: round(readAllS),
        random_gets_per_s: Math.round(getsPerS),
        disk_mb: round(disk / 1e6, 1),
        raw_mb: round(rawBytes / 1e6, 1),
        commit_100_changes_s: round(smallCommitS, 4),
      },
      hangar_0_5_2: HANGAR,
      targets,
      all_met: allMet(targets),
    };
  });
}
