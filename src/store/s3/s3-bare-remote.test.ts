import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, ConflictError } from '../../errors/index.js';
import { hashBytes } from '../../util/hash.js';
import { S3BareRemote } from './s3-bare-remote.js';
import { S3Gateway } from './s3-gateway.js';
import { S3RVER_CREDENTIALS } from './test-support/s3rver.js';
import { S3TestBed, TEST_BUCKET } from './test-support/s3-test-store.js';

test('bare S3 remote: objects are known only once indexed; refs move by compare-and-swap; a newer format is refused', async () => {
  const bed = await S3TestBed.start();
  const gateway = () =>
    new S3Gateway({
      bucket: TEST_BUCKET,
      endpoint: bed.server.endpoint,
      forcePathStyle: true,
      credentials: { ...S3RVER_CREDENTIALS },
    });
  try {
    const remote = new S3BareRemote(gateway(), 'team/repo');
    assert.equal(await remote.readMeta(), undefined);
    assert.deepEqual(await remote.create('main'), { format: 1, head: 'main' });

    const writer = remote.objects.createWriter();
    const id = await writer.add(Buffer.from('an object'));
    await writer.commit();
    const keys = await bed.listKeys('team/repo/');
    assert.ok(
      keys.some((k) => k.startsWith('team/repo/index/')),
      keys.join(','),
    );
    // A second opener reads the index from the bucket.
    const other = new S3BareRemote(gateway(), 'team/repo');
    assert.deepEqual([...(await other.objects.hasMany([id, hashBytes(Buffer.from('no'))]))], [id]);
    assert.deepEqual(await other.objects.get(id), Buffer.from('an object'));

    const one = hashBytes(Buffer.from('commit one'));
    const two = hashBytes(Buffer.from('commit two'));
    await remote.updateRef('refs/heads/main', one, null);
    await assert.rejects(other.updateRef('refs/heads/main', two, null), ConflictError);
    await assert.rejects(other.updateRef('refs/heads/main', two, two), ConflictError);
    await other.updateRef('refs/heads/main', two, one);
    await assert.rejects(remote.updateRef('refs/heads/main', one, one), ConflictError);
    assert.deepEqual(await remote.listRefs(), [{ name: 'refs/heads/main', target: two }]);

    await bed.write('team/repo/strata-remote.json', Buffer.from('{"format": 2, "head": "main"}'));
    await assert.rejects(other.readMeta(), ConfigError);
    await remote.close();
    await other.close();
  } finally {
    await bed.stop();
  }
});
