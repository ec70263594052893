import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assetConfigFromEnv, checkAssetConfig, readAssetConfig } from './asset-config.js';
import { redactSecrets } from './redact.js';

const base = { ingress_directory: 'ingress', staging_directory: 'staging' };

test('defaults as the seed documents them, and every section checked', () => {
  const c = checkAssetConfig(base);
  assert.equal(c.write_mode, 'copy');
  assert.deepEqual(c.workflow, ['delete', 'update', 'create', 'export']);
  assert.equal(c.redact_regex, '(_key|_id|_token|url|password)$');
  const full = checkAssetConfig({
    ...base,
    exporters: [
      { name: 'disk', target_directory: 'archive' },
      { name: 's3', bucket: 'prod-data', access_key: 'A', secret_key: 'B' },
    ],
    webhooks: [{ url: 'http://127.0.0.1:9/hook', data: { text: 'done' } }],
  });
  assert.equal(full.exporters[1]!.name, 's3');
  assert.equal(full.webhooks[0]!.method, 'post');
});

test('bad configs name the key: wrong type, unknown key, bad enum, bad regex, .. in a path', () => {
  const cases: [unknown, string][] = [
    [{ ...base, write_mode: 'link' }, 'write_mode'],
    [{ ...base, redact_hash: 'yes' }, 'redact_hash'],
    [{ ...base, include_regex: '([' }, 'include_regex'],
    [{ ...base, ingress_directory: '../outside' }, 'ingress_directory'],
    [{ ...base, exporters: [{ name: 'disk' }] }, 'exporters.0.target_directory'],
    [{ ...base, exporters: [{ name: 'girder' }] }, 'exporters.0.name'],
    [{ ...base, workflow: ['update', 'dance'] }, 'workflow.1'],
    [{ ...base, typo_directory: 'x' }, '(root)'],
    [{ staging_directory: 'staging' }, 'ingress_directory'],
  ];
  for (const [value, key] of cases) {
    assert.throws(
      () => checkAssetConfig(value),
      (err: { code: string; data: { key: string } }) => {
        assert.equal(err.code, 'E_CONFIG');
        assert.equal(err.data.key, key, JSON.stringify(value));
        return true;
      },
    );
  }
});

test('YAML and JSON files, and STRATA_* environment variables', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-cfg-'));
  try {
    writeFileSync(
      join(dir, 'c.yaml'),
      'ingress_directory: in\nstaging_directory: out\nworkflow:\n  - update\n  - create\n',
    );
    assert.deepEqual(readAssetConfig(join(dir, 'c.yaml')).workflow, ['update', 'create']);
    writeFileSync(join(dir, 'c.json'), JSON.stringify({ ...base, write_mode: 'move' }));
    assert.equal(readAssetConfig(join(dir, 'c.json')).write_mode, 'move');
    writeFileSync(join(dir, 'bad.json'), '{ nope');
    assert.throws(() => readAssetConfig(join(dir, 'bad.json')), { code: 'E_CONFIG' });
    assert.throws(() => readAssetConfig(join(dir, '..', 'x.yaml')), { code: 'E_CONFIG' });
    const env = {
      STRATA_INGRESS_DIRECTORY: 'in',
      STRATA_STAGING_DIRECTORY: 'out',
      STRATA_WORKFLOW: '[update]',
      STRATA_REDACT_HASH: 'true',
    };
    const fromEnv = assetConfigFromEnv(env);
    assert.deepEqual(fromEnv.workflow, ['update']);
    assert.equal(fromEnv.redact_hash, true);
    assert.equal(
      assetConfigFromEnv({ STRATA_CONFIG_FILEPATH: join(dir, 'c.json'), STRATA_WRITE_MODE: 'copy' })
        .write_mode,
      'move',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('secrets are redacted by key, as REDACTED or a stable hash', () => {
  const config = {
    exporters: [{ name: 's3', secret_key: 'abc', bucket: 'b' }],
    webhooks: [{ url: 'https://x/y' }],
    password: 'p',
  };
  const plain = redactSecrets(config, '(_key|_id|_token|url|password)$') as typeof config;
  assert.equal(plain.exporters[0]!.secret_key, 'REDACTED');
  assert.equal(plain.exporters[0]!.bucket, 'b');
  assert.equal(plain.webhooks[0]!.url, 'REDACTED');
  assert.equal(plain.password, 'REDACTED');
  const hashed = redactSecrets(config, '(_key|url)$', true) as typeof config;
  assert.match(hashed.exporters[0]!.secret_key, /^hash-[0-9a-f]{16}$/);
  assert.equal(
    hashed.exporters[0]!.secret_key,
    (redactSecrets(config, '_key$', true) as typeof config).exporters[0]!.secret_key,
  );
  assert.equal(hashed.password, 'p');
  assert.equal(config.exporters[0]!.secret_key, 'abc', 'the input is not changed');
});

test('search limits: search.timeout_seconds, max_rows, max_bytes checked; also from STRATA_SEARCH', () => {
  const c = checkAssetConfig({ ...base, search: { timeout_seconds: 2.5, max_rows: 10, max_bytes: 1024 } });
  assert.deepEqual(c.search, { timeout_seconds: 2.5, max_rows: 10, max_bytes: 1024 });
  for (const [search, key] of [
    [{ timeout_seconds: 0 }, 'search.timeout_seconds'],
    [{ max_rows: 1.5 }, 'search.max_rows'],
    [{ max_bytes: 'lots' }, 'search.max_bytes'],
    [{ max_row: 5 }, 'search'],
  ] as const)
    assert.throws(
      () => checkAssetConfig({ ...base, search }),
      (err: { code?: string; data?: { key?: string } }) => err.code === 'E_CONFIG' && err.data?.key === key,
      key,
    );
  const env = assetConfigFromEnv({
    STRATA_INGRESS_DIRECTORY: 'ingress',
    STRATA_STAGING_DIRECTORY: 'staging',
    STRATA_SEARCH: '{max_rows: 7}',
  });
  assert.deepEqual(env.search, { max_rows: 7 });
});
