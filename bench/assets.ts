/**
 * The `assets` benchmark: `strata assets update` through the library on a generated ingress tree
 * of 100,000 files in 10,000 sequence assets (10 frames each, names following the convention),
 * in a fresh folder under os.tmpdir() removed at the end.
 *
 *   update_names_stat   first update, a specification without traits: names parsed, stat,
 *                       content ids (files/s; target >= 50,000)
 *   update_png_traits   first update, a specification reading PNG width / height / channels
 *                       from each header (files/s; target >= 10,000)
 *   update_unchanged    a second update with nothing changed (s, median of 3; target <= 1)
 *   create_vs_cp        `create` in copy mode against `cp -r` (from the staging half's
 *                       bench/lib/assets-create.ts, when present)
 *
 * BENCH_ASSETS_SKIP_CREATE=1 leaves out create_vs_cp (minutes on a busy machine);
 * BENCH_ASSETS_CREATE_RUNS=N measures it N times (default 3, median reported).
 *
 * Each run is checked: every file counted, every asset valid, traits present. Hidebound
 * publishes no figures (its largest test has 27 files).
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, log } from './lib/check.js';
import { median, round } from './lib/stats.js';
import { allMet, atLeast, atMost } from './lib/targets.js';
import { withTempRoot } from './lib/temp-root.js';

const ASSETS = 10_000;
const FRAMES = 10;
const FILES = ASSETS * FRAMES;

const PIPELINE_URL = new URL('../src/assets/update/pipeline.js', import.meta.url).href;
type Pipeline = typeof import('../src/assets/update/pipeline.js');
const API_URL = new URL('../src/api/index.js', import.meta.url).href;
const ASSET_PORT_URL = new URL('../src/backends/open-asset-store.js', import.meta.url).href;

/** The embedded repository's asset tables, the way the composition root opens them. */
async function tablesOf(root: string) {
  const { assetStoreOpener } = (await import(
    ASSET_PORT_URL
  )) as typeof import('../src/backends/open-asset-store.js');
  const { DEFAULT_CONFIG } = await import('../src/repo/repository-config.js');
  return assetStoreOpener(root, DEFAULT_CONFIG);
}

const SPECS = `
const fields = ['project', 'specification', 'descriptor', 'version', 'frame', 'extension'];
const assetNameFields = ['project', 'specification', 'descriptor', 'version'];
export const plain = ({ validators: v }) => ({
  name: 'seq001', assetType: 'sequence', filenameFields: fields, assetNameFields,
  fieldValidators: { version: [v.isVersion], frame: [v.isFrame], extension: [v.isLowercaseExtension] },
  assetValidators: { frame: [v.framesNotMissing], extension: [v.homogeneous] },
});
export const images = ({ validators: v }) => ({
  name: 'img001', assetType: 'sequence', filenameFields: fields, assetNameFields,
  fileTraits: { width: 'width', height: 'height', channels: 'channels' },
  fieldValidators: { version: [v.isVersion], frame: [v.isFrame], channels: [v.eq(3)] },
  assetValidators: { frame: [v.framesNotMissing], width: [v.homogeneous], height: [v.homogeneous] },
});
`;

/** Writes the tree: 10,000 folders of 10 frames of `spec`, every file a copy of `bytes`. */
function generate(ingress: string, spec: string, bytes: Buffer): void {
  for (let a = 0; a < ASSETS; a++) {
    const asset = `p-bnch1_s-${spec}_d-shot${a}_v001`;
    const dir = join(ingress, asset);
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < FRAMES; f++)
      writeFileSync(join(dir, `${asset}_f${String(f).padStart(4, '0')}.png`), bytes);
  }
}

function config(root: string, ingress: string): void {
  writeFileSync(join(root, 'specs.mjs'), SPECS);
  writeFileSync(
    join(root, 'strata-assets.yaml'),
    `ingress_directory: ${ingress}\nstaging_directory: staging\nspecification_files: [specs.mjs]\n`,
  );
}

async function timedUpdate(pipeline: Pipeline, root: string) {
  const started = performance.now();
  const report = await pipeline.runUpdate(root, await tablesOf(root), { env: {}, cwd: root });
  return { seconds: (performance.now() - started) / 1000, report };
}

export async function run(): Promise<Record<string, unknown>> {
  const pipeline = (await import(PIPELINE_URL)) as Pipeline;
  const sharp = (await import('sharp')).default;
  const png = await sharp({ create: { width: 8, height: 6, channels: 3, background: '#336699' } })
    .png()
    .toBuffer();
  const { initRepository } = (await import(API_URL)) as typeof import('../src/api/index.js');
  return withTempRoot('strata-bench-assets-', async (root) => {
    // A repository, so the staging half's `create` can commit what it stages.
    await (await initRepository(root)).close();
    config(root, 'ingress');
    const ingress = join(root, 'ingress');
    const db = join(root, '.strata', 'assets.db');
    const dropTables = () => {
      for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
    };

    log(`generating ${FILES} small files in ${ASSETS} sequence folders (no traits)`);
    generate(ingress, 'seq001', Buffer.from('frame data\n'));
    const plain = await timedUpdate(pipeline, root);
    check(plain.report.files === FILES, `names+stat: ${plain.report.files} files, expected ${FILES}`);
    check(
      plain.report.valid === ASSETS,
      `names+stat: ${plain.report.valid} valid assets: ${JSON.stringify(plain.report.errors.slice(0, 3))}`,
    );
    log(`names+stat: ${round(plain.seconds, 2)} s`);

    rmSync(ingress, { recursive: true, force: true });
    dropTables();
    log(`generating ${FILES} tiny PNGs (${png.length} bytes each) in ${ASSETS} sequence folders`);
    generate(ingress, 'img001', png);
    const traits = await timedUpdate(pipeline, root);
    check(traits.report.files === FILES, `png: ${traits.report.files} files, expected ${FILES}`);
    check(
      traits.report.valid === ASSETS,
      `png: ${traits.report.valid} valid assets: ${JSON.stringify(traits.report.errors.slice(0, 3))}`,
    );
    const widths = await pipeline.runSearch(
      root,
      await tablesOf(root),
      'SELECT count(*) AS n FROM data WHERE width = 8 AND channels = 3',
      { grouping: 'file' },
    );
    check(widths[0]?.n === FILES, `png: traits missing (${JSON.stringify(widths[0])})`);
    log(`png traits: ${round(traits.seconds, 2)} s`);

    const unchanged: number[] = [];
    for (let i = 0; i < 3; i++) {
      const again = await timedUpdate(pipeline, root);
      check(again.report.reread === 0, `unchanged: ${again.report.reread} files read again`);
      check(again.report.valid === ASSETS, 'unchanged: assets changed');
      unchanged.push(again.seconds);
    }
    log(`unchanged: ${unchanged.map((s) => round(s, 2)).join(', ')} s`);

    let createVsCp: unknown = 'not measured: bench/lib/assets-create.ts (staging half) is not there yet';
    const createLib = new URL('./lib/assets-create.js', import.meta.url);
    if (process.env.BENCH_ASSETS_SKIP_CREATE) createVsCp = 'skipped (BENCH_ASSETS_SKIP_CREATE)';
    else if (existsSync(createLib)) {
      const lib = (await import(createLib.href)) as {
        measureCreateVsCp?: (root: string, options: { runs: number }) => Promise<unknown>;
      };
      const runs = Number(process.env.BENCH_ASSETS_CREATE_RUNS ?? 3);
      check(Number.isInteger(runs) && runs >= 1, 'BENCH_ASSETS_CREATE_RUNS must be a whole number >= 1');
      if (typeof lib.measureCreateVsCp === 'function')
        createVsCp = await lib.measureCreateVsCp(root, { runs });
    }

    // The staging step of `create` (copy mode) against `cp -r`, measured in the same run; null
    // (not evaluated) when the measurement was skipped.
    const createRatio =
      typeof createVsCp === 'object' && createVsCp !== null
        ? ((createVsCp as { staging_copy?: { ratio_to_cp?: number } }).staging_copy?.ratio_to_cp ?? null)
        : null;
    const targets = {
      update_names_stat_files_per_s: atLeast(round(FILES / plain.seconds, 0), 50_000),
      update_png_traits_files_per_s: atLeast(round(FILES / traits.seconds, 0), 10_000),
      update_unchanged_s: atMost(round(median(unchanged), 3), 1),
      create_copy_vs_cp_r: atLeast(createRatio, 0.8),
    };
    for (const [name, t] of Object.entries(targets))
      log(
        `${name}: ${t.value ?? 'not measured'} (target ${t.target}): ${t.met === null ? 'not evaluated' : t.met ? 'met' : 'NOT met'}`,
      );
    return {
      tree: { files: FILES, assets: ASSETS, frames_per_asset: FRAMES, png_bytes: png.length },
      update_names_stat: { seconds: round(plain.seconds, 3), files_per_s: round(FILES / plain.seconds, 0) },
      update_png_traits: { seconds: round(traits.seconds, 3), files_per_s: round(FILES / traits.seconds, 0) },
      update_unchanged: { seconds: unchanged.map((s) => round(s, 3)), median_s: round(median(unchanged), 3) },
      create_vs_cp: createVsCp,
      targets,
      all_targets_met: allMet(targets),
      hidebound: 'publishes no figures; its largest test has 27 files',
    };
  });
}
