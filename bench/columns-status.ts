/**
 * `npm run bench -- columns-status`: `strata column status` with many staged samples (issue 10:
 * it grew quadratically, 40k staged took 12.8 s). A column is committed empty, then
 * BENCH_COLUMNS_STATUS_N (default 10^6) int64 labels are staged through the bulk API, and
 * `column status` (human output, then --json) runs as a whole CLI process, as users run it.
 */
import { initRepository, openCheckout } from '../src/api/index.js';
import { check, log } from './lib/check.js';
import { strata } from './lib/proc.js';
import { round } from './lib/stats.js';
import { allMet, atMost } from './lib/targets.js';
import { withTempRoot } from './lib/temp-root.js';

const N = Number(process.env.BENCH_COLUMNS_STATUS_N ?? 1_000_000);

export async function run(): Promise<Record<string, unknown>> {
  return withTempRoot('strata-bench-columns-status-', async (root) => {
    const repo = await initRepository(root);
    const w = await openCheckout(repo, { write: true });
    await w.createColumn({ name: 'labels', dtype: 'int64', shape: [] });
    await w.commitChanges('empty column');
    log(`columns-status: staging ${N} samples`);
    const labels = new BigInt64Array(N);
    for (let i = 0; i < N; i++) labels[i] = BigInt(i % 10);
    await w.bulk(async () => {
      await w
        .column('labels')
        .setBatch({ start: 0 }, { dtype: 'int64', shape: [], count: N, data: new Uint8Array(labels.buffer) });
    });
    await w.close();
    await repo.close();

    const human = await strata(root, ['column', 'status'], { rss: true });
    check(human.stdout.startsWith(`labels: ${N} samples changed`), `status: ${human.stdout.slice(0, 200)}`);
    const json = await strata(root, ['column', 'status', '--json'], { rss: true });
    const changes = JSON.parse(json.stdout) as unknown[];
    check(changes.length === N, `status --json listed ${changes.length} changes, expected ${N}`);

    const targets = { status_s: atMost(round(human.seconds), 2) };
    return {
      staged_samples: N,
      strata: {
        status_s: round(human.seconds),
        status_peak_rss_mb: human.peakRssMb,
        status_json_s: round(json.seconds),
        status_json_peak_rss_mb: json.peakRssMb,
      },
      targets,
      all_met: allMet(targets),
    };
  });
}
