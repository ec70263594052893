/**
 * `create` in copy mode against `cp -r` of the same files (issue 4: create ≥ 80 % of cp -r
 * throughput). Called by bench/assets.ts with a repository whose asset tables are filled (an
 * `update` ran); measures, alternating to share the page cache fairly:
 *
 *   cp -r       `cp -r <ingress> <dest>`: one process, the baseline
 *   copy only   the content copy of `create` alone (the same work as cp -r: one file each)
 *   staging     the staging step of `create` alone: content copied + metadata written
 *               (per file, per asset, chunks: about twice the files cp -r creates)
 *   create      the whole `create`: staging plus the commit that versions it (content hashed
 *               into the object store), as `strata assets create` does it
 *
 * Each is reported in files/s and MB/s (content bytes only; metadata is extra work create does),
 * with its ratio to cp -r. The target applies to the staging step; the copy alone shows the copy
 * engine against cp on equal work, and the commit (versioning that cp does not do) is beside it.
 */
import { execFileSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openRepository } from '../../src/backends/open-backends.js';
import { ASSET_DB, readAssets } from '../../src/assets/model.js';
import { openSqliteAssetStore } from '../../src/assets/store/sqlite/sqlite-asset-store.js';
import { createStaging } from '../../src/assets/staging/create-staging.js';
import { toStagingAsset } from '../../src/assets/staging/from-records.js';
import { copyFiles } from '../../src/assets/staging/copy-files.js';
import { planStaging, stageAssets } from '../../src/assets/staging/stage-assets.js';
import type { StagingAsset } from '../../src/assets/staging/staging-plan.js';
import { loadAssetConfig, ingressRoot } from '../../src/assets/update/pipeline.js';
import { check, log } from './check.js';
import { median, round } from './stats.js';
import { atLeast } from './targets.js';

const MB = 1024 * 1024;

function rate(files: number, bytes: number, seconds: number) {
  return {
    seconds: round(seconds, 3),
    files_per_s: round(files / seconds, 0),
    mb_per_s: round(bytes / MB / seconds, 1),
  };
}

function timed(work: () => void): number {
  const started = performance.now();
  work();
  return (performance.now() - started) / 1000;
}

async function timedAsync(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

/** Options of `measureCreateVsCp`. */
export interface CreateVsCpOptions {
  /** Rounds of each measurement (median reported). */
  readonly runs?: number;
}

/**
 * Measures create (copy mode) against `cp -r` on the valid assets of the repository at `root`
 * (its asset config and tables must exist). Leaves the repository with one staging commit.
 */
export async function measureCreateVsCp(
  root: string,
  options: CreateVsCpOptions = {},
): Promise<Record<string, unknown>> {
  const runs = options.runs ?? 3;
  const loaded = loadAssetConfig(root, undefined, {}, root);
  const ingress = ingressRoot(root, loaded.config);
  const store = await openSqliteAssetStore({ path: join(root, ASSET_DB) });
  let assets: StagingAsset[];
  try {
    assets = (await readAssets(store, { valid: true })).map(toStagingAsset);
  } finally {
    await store.close();
  }
  const files = assets.reduce((n, a) => n + a.files.length, 0);
  let bytes = 0;
  for (const a of assets) for (const f of a.files) bytes += statSync(join(ingress, f.path)).size;
  check(files > 0, 'create_vs_cp: no valid assets to stage');
  log(`create vs cp -r: ${files} files, ${round(bytes / MB, 1)} MB, ${runs} rounds`);

  const scratch = join(root, 'bench-scratch');
  const cpTarget = join(scratch, 'cp-target');
  const staging = resolve(root, 'bench-staging');
  const journal = join(scratch, 'journal.json');
  const cp: number[] = [];
  const copyOnly: number[] = [];
  const stage: number[] = [];
  for (let i = 0; i < runs; i++) {
    rmSync(scratch, { recursive: true, force: true });
    execFileSync('mkdir', ['-p', scratch]);
    cp.push(timed(() => execFileSync('cp', ['-r', ingress, cpTarget])));
    rmSync(staging, { recursive: true, force: true });
    const { entries } = planStaging(ingress, staging, assets, true);
    copyOnly.push(await timedAsync(() => copyFiles(entries)));
    rmSync(staging, { recursive: true, force: true });
    stage.push(
      await timedAsync(() =>
        stageAssets({
          ingressRoot: ingress,
          stagingRoot: staging,
          assets,
          writeMode: 'copy',
          journalPath: journal,
        }),
      ),
    );
    log(
      `  round ${i + 1}: cp -r ${round(cp[i]!, 2)} s, copy only ${round(copyOnly[i]!, 2)} s, staging ${round(stage[i]!, 2)} s`,
    );
  }
  rmSync(staging, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });

  // The whole verb once (it commits; a second run would be "unchanged").
  const repo = await openRepository(root);
  let createSeconds: number;
  try {
    createSeconds = await timedAsync(() =>
      createStaging(repo, { ingressRoot: ingress, stagingRoot: staging, writeMode: 'copy', assets }),
    );
  } finally {
    await repo.close();
  }
  log(`  create with commit: ${round(createSeconds, 2)} s`);

  const cpSeconds = median(cp);
  const stageSeconds = median(stage);
  const ratio = round(cpSeconds / stageSeconds, 2);
  return {
    files,
    content_mb: round(bytes / MB, 1),
    metadata_files_per_staging: files + assets.length,
    cp_r: rate(files, bytes, cpSeconds),
    copy_only: {
      ...rate(files, bytes, median(copyOnly)),
      ratio_to_cp: round(cpSeconds / median(copyOnly), 2),
    },
    staging_copy: { ...rate(files, bytes, stageSeconds), ratio_to_cp: ratio },
    create_with_commit: {
      ...rate(files, bytes, createSeconds),
      ratio_to_cp: round(cpSeconds / createSeconds, 2),
    },
    target: atLeast(ratio, 0.8),
  };
}
