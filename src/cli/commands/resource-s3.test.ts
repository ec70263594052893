import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Bucket } from '../../repo/resources/types/s3/s3-bucket.js';
import { S3RVER_CREDENTIALS, startS3rver } from '../../store/s3/test-support/s3rver.js';
import { createStrata, type RunResult } from '../integration/cli-harness.js';

interface CliRun extends RunResult {
  json<T = unknown>(): T;
}

function ok(r: CliRun): CliRun {
  assert.equal(r.code, 0, `exit code; stderr: ${r.stderr}`);
  return r;
}

function oneLineError(r: CliRun): string {
  assert.equal(r.code, 1, `exit code; stderr: ${r.stderr}`);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  return r.stderr;
}

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

test('an S3 resource: keys, sizes and hashes per snapshot, contents stored; restore puts the objects back unless read-only', async () => {
  const server = await startS3rver({ buckets: ['data', 'refs'] });
  const dir = mkdtempSync(join(tmpdir(), 'strata-s3-res-'));
  const env = {
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1',
  };
  Object.assign(process.env, env);
  const data = new S3Bucket({ bucket: 'data', prefix: '' }, { endpoint: server.endpoint });
  // Asynchronous: s3rver answers from this very process, so a blocking spawn would wait forever.
  const strata = createStrata();
  const cli = async (args: string[]): Promise<CliRun> => {
    const r = await strata.start(dir, args, env).done;
    return { ...r, json: <T>() => JSON.parse(r.stdout) as T };
  };
  try {
    await data.put('ds/a.txt', Buffer.from('a1'));
    await data.put('ds/sub/b.txt', Buffer.from('b1'));
    await data.put('other/z.txt', Buffer.from('z1'));
    ok(await cli(['init']));
    const endpoint = ['--endpoint', server.endpoint];

    assert.match(
      oneLineError(
        await cli(['resource', 'add', 's3', 's3://nosuch/ds', '--role', 'source-data', ...endpoint]),
      ),
      /NoSuchBucket/,
    );
    oneLineError(
      await cli(['resource', 'add', 's3', 's3://data/../x', '--role', 'source-data', ...endpoint]),
    );
    assert.deepEqual(ok(await cli(['resource', 'list', '--json'])).json(), []);

    const added = ok(
      await cli(['resource', 'add', 's3', 's3://data/ds/', '--role', 'source-data', '--json', ...endpoint]),
    ).json<{ name: string; path: string; type: string }>();
    assert.deepEqual([added.name, added.path, added.type], ['ds', 's3://data/ds', 's3']);
    ok(
      await cli([
        'resource',
        'add',
        's3',
        's3://data/other',
        '--role',
        'source-data',
        '--read-only',
        ...endpoint,
      ]),
    );
    const ref = ok(
      await cli([
        'resource',
        'add',
        's3',
        's3://refs',
        '--role',
        'source-data',
        '--reference-only',
        '--name',
        'refs',
        '--json',
        ...endpoint,
      ]),
    ).json<{ reference_only: boolean }>();
    assert.equal(ref.reference_only, true);

    ok(await cli(['snapshot', '-m', 'one', '-t', 'v1']));
    await data.put('ds/a.txt', Buffer.from('a2-longer'));
    await data.delete('ds/sub/b.txt');
    await data.put('ds/c.txt', Buffer.from('c2'));
    await data.put('other/z.txt', Buffer.from('z2'));
    ok(await cli(['snapshot', '-m', 'two', '-t', 'v2']));
    // Each snapshot records the prefix's keys (as paths), sizes and content hashes.
    const diff = ok(await cli(['diff', 'v1', 'v2', '--json'])).json<{
      changes: { resource: string; path: string; change: string }[];
    }>();
    assert.deepEqual(
      diff.changes
        .filter((c) => c.resource === 'ds')
        .map((c) => `${c.path}:${c.change}`)
        .sort(),
      ['a.txt:modified', 'c.txt:added', 'sub/b.txt:removed'],
    );

    ok(await cli(['restore', 'v1']));
    // The snapshot's objects are back in the bucket; keys it did not have are gone.
    assert.equal(text(await data.get('ds/a.txt')), 'a1');
    assert.equal(text(await data.get('ds/sub/b.txt')), 'b1');
    assert.deepEqual((await data.list()).map((e) => e.key).sort(), [
      'ds/a.txt',
      'ds/sub/b.txt',
      'other/z.txt',
    ]);
    // A read-only prefix is never written.
    assert.equal(text(await data.get('other/z.txt')), 'z2');
    assert.equal(ok(await cli(['fsck', '--json'])).json<{ ok: boolean }>().ok, true);
  } finally {
    data.close();
    rmSync(dir, { recursive: true, force: true });
    await server.stop();
  }
});
