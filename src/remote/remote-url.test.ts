import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from '../errors/index.js';
import { normalizeRemoteUrl, parseRemoteUrl } from './remote-url.js';

test('remote URLs: paths (relative or file://), s3:// and http(s):// by kind', () => {
  assert.deepEqual(parseRemoteUrl('../hub', '/work/a'), { kind: 'path', path: '/work/hub' });
  assert.deepEqual(parseRemoteUrl('file:///mnt/share/repo'), { kind: 'path', path: '/mnt/share/repo' });
  assert.deepEqual(parseRemoteUrl('s3://my-bucket/team/repo/'), {
    kind: 's3',
    bucket: 'my-bucket',
    prefix: 'team/repo',
  });
  assert.deepEqual(parseRemoteUrl('http://localhost:8080'), { kind: 'http', url: 'http://localhost:8080/' });
  assert.equal(normalizeRemoteUrl('hub', '/x'), '/x/hub');
});

test('remote URLs: unknown schemes, bad buckets and empty text are refused', () => {
  for (const bad of ['ftp://host/x', 's3://A_B/x', '   '])
    assert.throws(() => parseRemoteUrl(bad), InvalidArgumentError, bad);
});
