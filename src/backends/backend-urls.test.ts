import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeBackends, parseCatalogUrl, parseStoreUrl, redactUrl } from './backend-urls.js';

describe('backend URLs of a shared repository', () => {
  it('a password in --catalog is taken out of what is stored; ?schema= becomes the schema', () => {
    const parsed = parseCatalogUrl('postgres://ada:hunter2@db.example:5433/ml?schema=team_a');
    assert.deepEqual(parsed.config, {
      type: 'postgres',
      url: 'postgres://ada@db.example:5433/ml',
      schema: 'team_a',
    });
    assert.equal(parsed.password, 'hunter2');
    assert.doesNotMatch(JSON.stringify(parsed.config), /hunter2/);
  });

  it('refuses a --catalog that is not a postgres:// URL with E_INVALID_ARGUMENT, without echoing a password', () => {
    assert.throws(
      () => parseCatalogUrl('mysql://ada:hunter2@db/ml'),
      (err: Error & { code?: string }) => err.code === 'E_INVALID_ARGUMENT' && !/hunter2/.test(err.message),
    );
  });

  it('s3://BUCKET/PREFIX names bucket, prefix and endpoint', () => {
    assert.deepEqual(parseStoreUrl('s3://ml-data/team/a/', 'http://minio:9000'), {
      type: 's3',
      bucket: 'ml-data',
      prefix: 'team/a',
      endpoint: 'http://minio:9000',
    });
    assert.deepEqual(parseStoreUrl('s3://ml-data'), { type: 's3', bucket: 'ml-data' });
    assert.throws(() => parseStoreUrl('gs://x/y'), { code: 'E_INVALID_ARGUMENT' });
  });

  it('redacts passwords, URL or not', () => {
    assert.equal(redactUrl('postgres://ada:hunter2@db/ml'), 'postgres://ada:***@db/ml');
    assert.doesNotMatch(redactUrl('postgres://ada:hun ter2@db/ml'), /hun ter2/);
  });

  it('describes the backends of a shared repository without a password', () => {
    const text = describeBackends({
      format: 1,
      hash: 'blake3',
      catalog: { type: 'postgres', url: 'postgres://ada:hunter2@db/ml', schema: 's' },
      store: { type: 's3', bucket: 'b', prefix: 'p' },
    });
    assert.deepEqual(text, { catalog: 'postgres postgres://ada:***@db/ml (schema s)', store: 's3://b/p' });
  });
});
