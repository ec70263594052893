import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renameSync } from 'node:fs';
import path from 'node:path';
import { createTempRepo } from '../repo/test-support/temp-repo.js';
import { withSqliteAssetPort } from '../assets/test-support/sqlite-asset-port.js';
import { frameName, sequenceFolder, tinyPng, writeConfig, writeTree } from '../assets/traits/test-fixture.js';
import { openAssetStore, readAssets, updateAssets } from './index.js';

test('issue 12 assets update in the library: updateAssets(repo, { configPath }) fills the asset tables as `strata assets update` does', async () => {
  const t = await createTempRepo({});
  withSqliteAssetPort(t.repo);
  try {
    const png = await tinyPng();
    const folder = path.join('ingress', sequenceFolder('good'));
    writeTree(t.root, {
      [path.join(folder, frameName('good', 1))]: png,
      [path.join(folder, frameName('good', 2))]: png,
    });
    // A config under another name: found only through configPath, relative to cwd.
    renameSync(writeConfig(t.root), path.join(t.root, 'assets-config.yaml'));
    const report = await updateAssets(t.repo, { configPath: 'assets-config.yaml', cwd: t.root });
    assert.deepEqual(
      { files: report.files, assets: report.assets, valid: report.valid, invalid: report.invalid },
      { files: 2, assets: 1, valid: 1, invalid: 0 },
    );
    const store = await openAssetStore(t.repo);
    try {
      assert.equal((await readAssets(store)).length, 1);
    } finally {
      await store.close();
    }
    // Without a config anywhere it finds, the caller is told (a StrataError with a code, not a crash).
    await assert.rejects(updateAssets(t.repo, { cwd: t.root, env: {} }), (err: { code?: string }) => {
      assert.match(err.code ?? '', /^E_/);
      return true;
    });
  } finally {
    await t.done();
  }
});
