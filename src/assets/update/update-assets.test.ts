import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ASSET_DB, readAssets } from '../model.js';
import { openSqliteAssetStore } from '../store/sqlite/sqlite-asset-store.js';

/** The asset tables of a repository folder (no repository needed: `update` takes the store). */
const openAssetStore = (root: string) => openSqliteAssetStore({ path: path.join(root, ASSET_DB) });
import { loadSpecifications } from '../specs/load-specifications.js';
import { DEFAULT_GRAMMAR } from '../naming/grammar.js';
import {
  frameName,
  sequenceFolder,
  SPEC_MODULE,
  tempFolder,
  tinyPng,
  writeConfig,
  writeTree,
} from '../traits/test-fixture.js';
import { updateAssets, type UpdateReport } from './update-assets.js';

async function update(root: string, threads = 0): Promise<UpdateReport> {
  const specs = await loadSpecifications(['specs.mjs'], root);
  const store = await openAssetStore(root);
  try {
    return await updateAssets({
      store,
      ingress: path.join(root, 'ingress'),
      specs,
      grammar: DEFAULT_GRAMMAR,
      exclude: '\\.DS_Store',
      threads,
    });
  } finally {
    await store.close();
  }
}

async function withIngress(
  files: (png: Buffer) => Record<string, string | Buffer>,
  work: (root: string) => Promise<void>,
) {
  const root = tempFolder('strata-update-');
  try {
    writeConfig(root);
    const png = await tinyPng();
    const tree: Record<string, string | Buffer> = {};
    for (const [p, c] of Object.entries(files(png))) tree[path.join('ingress', p)] = c;
    writeTree(root, tree);
    await work(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const frames = (descriptor: string, list: number[], png: Buffer) =>
  Object.fromEntries(list.map((f) => [`${sequenceFolder(descriptor)}/${frameName(descriptor, f)}`, png]));

test('a valid sequence: one asset with its files, traits and asset-name metadata', async () => {
  await withIngress(
    (png) => ({ ...frames('run', [1, 2, 3], png), '.DS_Store': 'x' }),
    async (root) => {
      const report = await update(root);
      assert.deepEqual(report, {
        files: 3,
        assets: 1,
        valid: 1,
        invalid: 0,
        errors: [],
        reread: 3,
        removed: 0,
      });
      const store = await openAssetStore(root);
      const [only] = await readAssets(store, { valid: true });
      await store.close();
      assert.equal(only!.asset.assetPath, sequenceFolder('run'));
      assert.equal(only!.asset.assetName, sequenceFolder('run'));
      assert.equal(only!.asset.assetType, 'sequence');
      assert.deepEqual(only!.asset.metadata, {
        project: 'cat001',
        specification: 'seq001',
        descriptor: 'run',
        version: 1,
      });
      assert.equal(only!.files.length, 3);
      assert.deepEqual(only!.files[0]!.traits, { width: 4, height: 3, channels: 3, bit_depth: 8 });
      assert.equal(only!.files[0]!.fields.frame, 1);
      assert.ok(only!.files.every((f) => f.assetValid && f.assetId === only!.asset.assetId));
    },
  );
});

test('all or nothing: one corrupt frame makes the whole asset invalid, the reason on that file; the run goes on', async () => {
  await withIngress(
    (png) => ({
      ...frames('bad', [1, 2, 3], png),
      [`${sequenceFolder('bad')}/${frameName('bad', 2)}`]: png.subarray(0, 30),
      ...frames('good', [1, 2], png),
    }),
    async (root) => {
      const report = await update(root, 2);
      assert.equal(report.valid, 1);
      assert.equal(report.invalid, 1);
      assert.deepEqual(
        report.errors.map((e) => [e.path, e.field]),
        [[`${sequenceFolder('bad')}/${frameName('bad', 2)}`, 'width']],
      );
      const store = await openAssetStore(root);
      const [bad] = await readAssets(store, { valid: false });
      await store.close();
      assert.equal(bad!.asset.assetPath, sequenceFolder('bad'));
      assert.equal(bad!.files.filter((f) => f.errors.length > 0).length, 1);
      assert.ok(bad!.files.every((f) => !f.assetValid));
      assert.match(bad!.asset.errors[0]!.message, /f0002\.png: traits? width/);
    },
  );
});

test('sequence checks: folder name, missing frames, field order, unknown specification, routing by fields', async () => {
  await withIngress(
    (png) => ({
      [`wrong-folder/${frameName('x', 1)}`]: png,
      ...frames('gap', [1, 3], png),
      [`${sequenceFolder('ord')}/p-cat001_s-seq001_d-ord_v001.png`]: png,
      'misc/p-cat001_s-nope001_d-x_v001.txt': 'x',
      'misc/p-cat001_d-xs-fil001_s-zzz001_v001.txt': 'x',
      'misc/notes.txt': 'x',
    }),
    async (root) => {
      const report = await update(root);
      const by = (p: string) => report.errors.filter((e) => e.path === p);
      assert.match(
        by('wrong-folder')[0]!.message,
        /folder 'wrong-folder' does not match the asset name 'p-cat001_s-seq001_d-x_v001'/,
      );
      assert.match(by(sequenceFolder('gap'))[0]!.message, /frames missing: 2/);
      const order = by(`${sequenceFolder('ord')}/p-cat001_s-seq001_d-ord_v001.png`);
      assert.equal(order[0]!.field, 'extension');
      assert.equal(typeof order[0]!.offset, 'number');
      const unknown = by('misc/p-cat001_s-nope001_d-x_v001.txt')[0]!;
      assert.equal(unknown.field, 'specification');
      assert.equal(unknown.offset, 11);
      assert.match(unknown.message, /unknown specification 'nope001'/);
      // d-xs-fil001 is a descriptor: the file routes to zzz001, not fil001.
      assert.match(
        by('misc/p-cat001_d-xs-fil001_s-zzz001_v001.txt')[0]!.message,
        /unknown specification 'zzz001'/,
      );
      assert.equal(by('misc/notes.txt')[0]!.field, 'name');
      assert.equal(report.valid, 0);
    },
  );
});

test('file and complex assets; a complex trait that throws fails only its asset', async () => {
  await withIngress(
    () => ({
      'docs/p-cat001_s-fil001_d-readme_v001.txt': 'hello',
      'docs/p-cat001_s-fil001_d-bad_v001.png': 'nope',
      'models/p-cat001_s-cpx001/a/p-cat001_s-cpx001_d-mesh_v001.obj': 'v 1 2 3',
      'models/p-cat001_s-cpx001/b/p-cat001_s-cpx001_d-tex_v001.txt': 'tex',
      'broken/p-cat001_s-cpx001/p-cat001_s-cpx001_d-boom_v001.txt': 'boom',
    }),
    async (root) => {
      const report = await update(root);
      const store = await openAssetStore(root);
      const all = await readAssets(store);
      await store.close();
      const at = (p: string) => all.find((a) => a.asset.assetPath === p)!;
      assert.equal(at('docs/p-cat001_s-fil001_d-readme_v001.txt').asset.valid, true);
      assert.equal(
        at('docs/p-cat001_s-fil001_d-readme_v001.txt').asset.assetName,
        'p-cat001_s-fil001_d-readme_v001',
      );
      assert.equal(at('docs/p-cat001_s-fil001_d-bad_v001.png').asset.valid, false);
      const model = at('models/p-cat001_s-cpx001');
      assert.equal(model.asset.assetType, 'complex');
      assert.equal(model.asset.valid, true);
      assert.deepEqual(
        model.files.map((f) => f.traits.lines),
        [7, 3],
      );
      assert.equal(at('broken/p-cat001_s-cpx001').asset.valid, false);
      assert.ok(report.errors.some((e) => e.field === 'lines' && /cannot count/.test(e.message)));
      assert.equal(report.valid, 2);
    },
  );
});

test('ids are stable: the same input gives the same file and asset ids in a fresh database', async () => {
  await withIngress(
    (png) => frames('run', [1, 2], png),
    async (root) => {
      await update(root);
      const ids = async () => {
        const store = await openAssetStore(root);
        const rows = await readAssets(store);
        await store.close();
        return rows.map((a) => [a.asset.assetId, ...a.files.map((f) => f.fileId)]);
      };
      const first = await ids();
      rmSync(path.join(root, '.strata'), { recursive: true });
      await update(root, 2);
      assert.deepEqual(await ids(), first);
      // Touching a file (new mtime, same content) re-reads it but keeps its id.
      const file = path.join(root, 'ingress', sequenceFolder('run'), frameName('run', 1));
      utimesSync(file, new Date(), new Date(Date.now() + 5000));
      const report = await update(root);
      assert.equal(report.reread, 1);
      assert.deepEqual(await ids(), first);
    },
  );
});

test('incremental: only changed files are read again, deleted ones disappear, each asset validated once', async () => {
  await withIngress(
    (png) => ({ ...frames('a', [1, 2, 3], png), ...frames('b', [1, 2], png) }),
    async (root) => {
      const g = globalThis as { __assetChecks?: number };
      g.__assetChecks = 0;
      const first = await update(root);
      assert.equal(first.reread, 5);
      assert.equal(g.__assetChecks, 2, 'one check per asset, not per file');
      g.__assetChecks = 0;
      const again = await update(root);
      assert.equal(again.reread, 0);
      assert.equal(g.__assetChecks, 0);
      assert.deepEqual({ ...again, reread: 0 }, { ...first, reread: 0 });

      const ingress = path.join(root, 'ingress');
      rmSync(path.join(ingress, sequenceFolder('a'), frameName('a', 3)));
      writeFileSync(path.join(ingress, sequenceFolder('b'), frameName('b', 2)), 'not a png any more');
      const third = await update(root);
      assert.equal(third.reread, 1);
      assert.equal(third.removed, 1);
      assert.equal(third.files, 4);
      assert.equal(g.__assetChecks, 2);
      assert.equal(third.valid, 1);
      const store = await openAssetStore(root);
      const paths = (await store.files()).map((f) => f.path);
      await store.close();
      assert.ok(!paths.includes(`${sequenceFolder('a')}/${frameName('a', 3)}`));

      // A changed specification module re-reads everything.
      writeConfig(root, '', SPEC_MODULE + '\n// changed\n');
      assert.equal((await update(root)).reread, 4);
    },
  );
});

test('a missing ingress folder is a ConfigError naming the key, and changes nothing', async () => {
  const root = tempFolder('strata-update-');
  try {
    writeConfig(root);
    await assert.rejects(update(root), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'E_CONFIG');
      assert.match(err.message, /ingress_directory/);
      return true;
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
