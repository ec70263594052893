import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { isStrataError } from '../../errors/index.js';
import type { StrataError } from '../../errors/index.js';
import { MemoryPackIndex } from '../fs/memory-pack-index.js';
import { putAll } from '../fs/fs-test-helpers.js';
import { createS3ObjectStore } from './create-s3-object-store.js';
import type { S3ObjectStore } from './s3-object-store.js';
import { startFaultProxy } from './test-support/fault-proxy.js';
import type { FaultProxy } from './test-support/fault-proxy.js';
import { S3TestBed, TEST_BUCKET } from './test-support/s3-test-store.js';
import { closedPort, startS3rver } from './test-support/s3rver.js';

const SECRET = 'very-secret-key-0123456789';

/** The StrataError `promise` rejects with; fails the test when it resolves or throws another error. */
async function failure(promise: Promise<unknown>): Promise<StrataError> {
  try {
    await promise;
  } catch (err) {
    if (isStrataError(err)) return err;
    throw err;
  }
  assert.fail('expected a StrataError');
}

/** Checks the one-line message and data name the endpoint and bucket, and never the secret. */
function assertNamesTarget(err: StrataError, endpoint: string, bucket: string): void {
  assert.ok(err.message.includes(endpoint), err.message);
  assert.ok(err.message.includes(bucket), err.message);
  assert.ok(!err.message.includes('\n'), 'one line');
  assert.equal(err.data['endpoint'], endpoint);
  assert.equal(err.data['bucket'], bucket);
  assert.ok(!JSON.stringify(err.toJSON()).includes(SECRET), 'the secret never appears');
  assert.ok(!err.message.includes(SECRET));
}

let bed: S3TestBed;
before(async () => {
  bed = await S3TestBed.start();
});
after(() => bed.stop());

describe('S3 store: endpoint, credentials and bucket faults', () => {
  it('an unreachable endpoint gives E_STORE_UNREACHABLE naming it, without the secret', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const err = await failure(
      createS3ObjectStore(
        bed.options({ endpoint, credentials: { accessKeyId: 'S3RVER', secretAccessKey: SECRET } }),
      ),
    );
    assert.equal(err.code, 'E_STORE_UNREACHABLE');
    assertNamesTarget(err, endpoint, TEST_BUCKET);
    assert.equal(err.userError, true);
  });

  it('without checkBucket, opening makes no request (the SDK loads later); the first request names the endpoint', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const store = await createS3ObjectStore(
      bed.options({
        endpoint,
        checkBucket: false,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: SECRET },
      }),
    );
    try {
      assert.equal((store as unknown as { gateway: { loaded: boolean } }).gateway.loaded, false);
      const err = await failure(putAll(store, [Buffer.from('first request')]));
      assert.equal(err.code, 'E_STORE_UNREACHABLE');
      assertNamesTarget(err, endpoint, TEST_BUCKET);
    } finally {
      await store.close();
    }
  });

  it('user info in the endpoint URL never reaches a message', async () => {
    const port = await closedPort();
    const err = await failure(
      createS3ObjectStore(bed.options({ endpoint: `http://user:${SECRET}@127.0.0.1:${port}` })),
    );
    assert.equal(err.code, 'E_STORE_UNREACHABLE');
    assertNamesTarget(err, `http://127.0.0.1:${port}`, TEST_BUCKET);
  });

  it('an unknown access key gives E_STORE_AUTH, without the secret', async () => {
    // s3rver checks the access key id; it does not check v4 signatures, so a wrong secret alone
    // would pass there (real S3 answers SignatureDoesNotMatch, mapped the same way).
    const err = await failure(
      createS3ObjectStore(
        bed.options({ credentials: { accessKeyId: 'NOT-A-KEY', secretAccessKey: SECRET } }),
      ),
    );
    assert.equal(err.code, 'E_STORE_AUTH');
    assertNamesTarget(err, bed.server.endpoint, TEST_BUCKET);
  });

  it('a bucket that does not exist gives E_STORE_NOT_FOUND naming it', async () => {
    const err = await failure(createS3ObjectStore(bed.options({ bucket: 'no-such-bucket' })));
    assert.equal(err.code, 'E_STORE_NOT_FOUND');
    assertNamesTarget(err, bed.server.endpoint, 'no-such-bucket');
  });

  it('takes credentials from the AWS_* environment by default', async () => {
    const saved = { ...process.env };
    process.env['AWS_ACCESS_KEY_ID'] = 'S3RVER';
    process.env['AWS_SECRET_ACCESS_KEY'] = 'S3RVER';
    try {
      const { credentials: _, ...options } = bed.options({ prefix: 'env' });
      const store = await createS3ObjectStore(options);
      const [id] = await putAll(store, [Buffer.from('from env')]);
      assert.equal((await store.get(id!)).toString(), 'from env');
      await store.close();
      process.env['AWS_ACCESS_KEY_ID'] = 'NOT-A-KEY';
      const err = await failure(createS3ObjectStore(options));
      assert.equal(err.code, 'E_STORE_AUTH');
    } finally {
      process.env = saved;
    }
  });
});

describe('S3 store: faults mid-command', () => {
  let proxy: FaultProxy;
  let store: S3ObjectStore;
  let index: MemoryPackIndex;

  async function open(maxAttempts: number): Promise<void> {
    proxy = await startFaultProxy(bed.server.endpoint);
    index = new MemoryPackIndex();
    store = await createS3ObjectStore(
      bed.options({
        endpoint: proxy.endpoint,
        packIndex: index,
        prefix: `f-${randomBytes(4).toString('hex')}`,
        maxAttempts,
      }),
    );
  }

  afterEach(async () => {
    await store.close();
    await proxy.stop();
  });

  it('retries throttled requests with backoff and counts every attempt', async () => {
    await open(4);
    let throttled = 0;
    proxy.decide = () => (throttled++ < 2 ? 'slow-down' : 'pass');
    const before = store.requestCounts();
    const [id] = await putAll(store, [Buffer.from('after two 503s')]);
    assert.equal(proxy.seen['slow-down'], 2);
    assert.equal(store.requestCounts().put - before.put, 3, 'one PUT, sent three times');
    assert.equal((await store.get(id!)).toString(), 'after two 503s');
  });

  it('retries a read whose connection is lost halfway through the body', async () => {
    await open(3);
    const data = randomBytes(100_000);
    const [id] = await putAll(store, [data]);
    let cut = 0;
    proxy.decide = (req) => (req.method === 'GET' && cut++ === 0 ? 'cut-body' : 'pass');
    const before = store.requestCounts();
    assert.deepEqual(await store.get(id!), data);
    assert.equal(proxy.seen['cut-body'], 1);
    assert.equal(store.requestCounts().get - before.get, 2);
  });

  it('gives up after maxAttempts with E_STORE_UNREACHABLE', async () => {
    await open(2);
    proxy.decide = () => 'slow-down';
    const err = await failure(putAll(store, [Buffer.from('never stored')]));
    assert.equal(err.code, 'E_STORE_UNREACHABLE');
    assert.equal(err.data['attempts'], 2);
    assertNamesTarget(err, proxy.endpoint, TEST_BUCKET);
  });

  it('a connection lost while the pack goes up leaves nothing reachable, and a retry stores it all', async () => {
    await open(2);
    const big = randomBytes(200_000);
    const small = [Buffer.from('one'), Buffer.from('two')];
    const writer = store.createWriter();
    const ids = [await writer.add(small[0]!), await writer.add(small[1]!), await writer.add(big)];
    // The big object's parts are up; now every PUT of a whole object (the pack) loses its connection.
    proxy.decide = (req) => (req.method === 'PUT' && !req.url!.includes('partNumber') ? 'reset' : 'pass');
    const err = await failure(writer.commit());
    assert.equal(err.code, 'E_STORE_UNREACHABLE');
    assert.ok(proxy.seen.reset >= 2, 'the SDK retried the PUT');
    assert.deepEqual(await store.hasMany(ids), new Set(), 'no index row for anything of that commit');
    const rows: string[] = [];
    for await (const entry of index.entries()) rows.push(entry.id);
    assert.deepEqual(rows, []);
    await assert.rejects(store.get(ids[0]!), { code: 'E_NOT_FOUND' });

    proxy.decide = () => 'pass';
    assert.deepEqual(await putAll(store, [...small, big]), ids);
    assert.equal((await store.get(ids[1]!)).toString(), 'two');
    assert.deepEqual(await store.get(ids[2]!), big);
  });

  it('a server gone mid-command gives E_STORE_UNREACHABLE on reads and commits', async () => {
    const own = await startS3rver({ buckets: ['own'] });
    const idx = new MemoryPackIndex();
    const s = await createS3ObjectStore(
      bed.options({ endpoint: own.endpoint, bucket: 'own', packIndex: idx }),
    );
    try {
      const [id] = await putAll(s, [Buffer.from('stored before the outage')]);
      const writer = s.createWriter();
      await writer.add(Buffer.from('pending'));
      await own.stop();
      await assert.rejects(s.get(id!), { code: 'E_STORE_UNREACHABLE' });
      await assert.rejects(writer.commit(), { code: 'E_STORE_UNREACHABLE' });
      assert.equal((await s.hasMany([id!])).size, 1, 'the earlier commit is still indexed');
    } finally {
      await s.close();
    }
    // Keep afterEach happy: it closes `store` and `proxy`.
    await open(1);
  });
});
