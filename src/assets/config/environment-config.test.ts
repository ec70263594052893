import { test } from 'node:test';
import assert from 'node:assert/strict';
import { environmentAssetConfig } from './environment-config.js';

test('issue 12 asset config lookup from the environment in the library: a file, STRATA_* variables, or none', () => {
  assert.equal(
    environmentAssetConfig({ STRATA_CONFIG_FILEPATH: 'a.yaml', STRATA_INGRESS_DIRECTORY: 'in' }),
    'file',
  );
  assert.equal(environmentAssetConfig({ STRATA_CONFIG_FILEPATH: '' }), null, 'an empty path names nothing');
  assert.equal(environmentAssetConfig({ STRATA_INGRESS_DIRECTORY: '' }), 'variables');
  assert.equal(environmentAssetConfig({ STRATA_STAGING_DIRECTORY: 'out' }), 'variables');
  assert.equal(environmentAssetConfig({ HOME: '/x' }), null);
});
