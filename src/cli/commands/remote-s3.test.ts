/**
 * Issue 16, `s3://` remotes through the real CLI against s3rver: push, clone, fetch and pull round
 * trip, a non-fast-forward push refused, a push killed midway and a server stopped midway (objects
 * durable before the ref, the rerun completes), an unreachable endpoint. s3rver ignores conditional PUTs, so racing
 * pushers are not tested here (docs/remotes.md says what an S3 remote guarantees).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedPort, S3RVER_CREDENTIALS, startS3rver } from '../../store/s3/test-support/s3rver.js';
import { runCliAsync, ok } from '../test-support/run-cli.js';
import { writeFileAt } from '../test-support/files.js';

const BUCKET = 'strata-remotes';

const ENV = {
  AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
  AWS_REGION: 'us-east-1',
  STRATA_S3_ENDPOINT: '',
};

const cli = (
  cwd: string,
  args: readonly string[],
  env: Record<string, string> = {},
  onStderr?: (text: string) => void,
) => runCliAsync(cwd, args, { ...ENV, ...env }, onStderr);

async function head(dir: string): Promise<string> {
  return ok(await cli(dir, ['log', '--json', 'main'])).json<{ id: string }[]>()[0]!.id;
}

test('s3 remote: push creates it, clone, push back, pull and fetch round-trip; non-fast-forward refused', async () => {
  const s3 = await startS3rver({ buckets: [BUCKET] });
  const root = mkdtempSync(join(tmpdir(), 'strata-remote-s3-'));
  try {
    const url = `s3://${BUCKET}/team/repo`;
    const a = join(root, 'a');
    mkdirSync(a);
    ok(await cli(a, ['init', '--create-resources', 'code']));
    writeFileAt(a, 'code/x.txt', 'one');
    writeFileAt(a, 'code/big.bin', 'B'.repeat(5 * 1024 * 1024));
    ok(await cli(a, ['commit', '-m', 'first']));
    ok(await cli(a, ['remote', 'add', 'origin', url, '--s3-endpoint', s3.endpoint]));
    const listed = ok(await cli(a, ['remote', 'list', '--json'])).json();
    assert.deepEqual(listed, [{ name: 'origin', url, s3Endpoint: s3.endpoint }]);
    const pushed = ok(await cli(a, ['push', '--json'])).json<{ updated: { new: string }[] }>();
    assert.equal(pushed.updated[0]!.new, await head(a));

    // Clone with the endpoint from the environment this time.
    const cloned = ok(
      await cli(root, ['clone', url, 'b', '--json'], { STRATA_S3_ENDPOINT: s3.endpoint }),
    ).json<{ commit: string }>();
    const b = join(root, 'b');
    assert.equal(cloned.commit, await head(a));
    assert.equal(readFileSync(join(b, 'code/big.bin'), 'utf8').length, 5 * 1024 * 1024);

    writeFileAt(b, 'code/x.txt', 'two');
    ok(await cli(b, ['commit', '-m', 'from b']));
    const back = ok(await cli(b, ['push', '--json'], { STRATA_S3_ENDPOINT: s3.endpoint })).json<{
      objects: number;
    }>();
    assert.ok(back.objects <= 10, `incremental push sent ${back.objects} objects`);
    const pulled = ok(await cli(a, ['pull', '--json'])).json<{ merge: { result: string } }>();
    assert.equal(pulled.merge.result, 'fast-forward');
    assert.equal(readFileSync(join(a, 'code/x.txt'), 'utf8'), 'two');
    assert.deepEqual(ok(await cli(a, ['fetch', '--json'])).json<{ updated: unknown[] }>().updated, []);

    writeFileAt(a, 'code/x.txt', 'a diverges');
    ok(await cli(a, ['commit', '-m', 'a']));
    writeFileAt(b, 'code/x.txt', 'b moves on');
    ok(await cli(b, ['commit', '-m', 'b']));
    ok(await cli(b, ['push'], { STRATA_S3_ENDPOINT: s3.endpoint }));
    const refused = await cli(a, ['push']);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
    assert.match(refused.stderr, /pull/);
  } finally {
    rmSync(root, { recursive: true, force: true });
    await s3.stop();
  }
});

test('s3 remote: a push killed midway leaves the ref old (objects land first); the rerun completes; an unreachable endpoint is one line', async () => {
  const s3 = await startS3rver({ buckets: [BUCKET] });
  const root = mkdtempSync(join(tmpdir(), 'strata-remote-s3-'));
  try {
    const url = `s3://${BUCKET}/killed`;
    const a = join(root, 'a');
    mkdirSync(a);
    ok(await cli(a, ['init', '--create-resources', 'code']));
    writeFileAt(a, 'code/first.txt', 'first');
    ok(await cli(a, ['commit', '-m', 'first']));
    ok(await cli(a, ['remote', 'add', 'origin', url, '--s3-endpoint', s3.endpoint]));
    ok(await cli(a, ['push']));
    const first = await head(a);
    for (let i = 0; i < 120; i++) writeFileAt(a, `code/many/${i}.txt`, `content ${i} `.repeat(40));
    ok(await cli(a, ['commit', '-m', 'many']));
    const killed = await cli(a, ['push'], {
      STRATA_TEST_PACK_BYTES: '8192',
      STRATA_TEST_KILL_AFTER_PACKS: '2',
    });
    assert.notEqual(killed.code, 0, 'the push was killed');
    // A fresh clone sees the old commit: the ref moved only after every object, and it did not.
    const c = ok(await cli(root, ['clone', url, 'c', '--json', '--s3-endpoint', s3.endpoint])).json<{
      commit: string;
    }>();
    assert.equal(c.commit, first);
    const rerun = ok(await cli(a, ['push', '--json'])).json<{ objects: number; updated: unknown[] }>();
    assert.equal(rerun.updated.length, 1);
    ok(await cli(join(root, 'c'), ['pull']));
    assert.equal(await head(join(root, 'c')), await head(a));
    assert.equal(ok(await cli(join(root, 'c'), ['fsck', '--json'])).json<{ ok: boolean }>().ok, true);

    const port = await closedPort();
    const down = await cli(root, ['clone', url, 'd', '--s3-endpoint', `http://127.0.0.1:${port}`]);
    assert.equal(down.code, 1);
    assert.equal(down.stderr.trim().split('\n').length, 1, down.stderr);
    assert.match(down.stderr, /cannot reach|unreachable/);
    const empty = await cli(root, [
      'clone',
      `s3://${BUCKET}/nothing-here`,
      'e',
      '--s3-endpoint',
      s3.endpoint,
    ]);
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /not a Strata remote/);
  } finally {
    rmSync(root, { recursive: true, force: true });
    await s3.stop();
  }
});

test('s3 remote: the server stopped in the middle of a push gives one line and exit 1; the ref is unmoved; a retry completes', async () => {
  let s3 = await startS3rver({ buckets: [BUCKET] });
  const root = mkdtempSync(join(tmpdir(), 'strata-remote-s3-'));
  try {
    const url = `s3://${BUCKET}/down`;
    const a = join(root, 'a');
    mkdirSync(a);
    ok(await cli(a, ['init', '--create-resources', 'code']));
    writeFileAt(a, 'code/first.txt', 'first');
    ok(await cli(a, ['commit', '-m', 'first']));
    ok(await cli(a, ['remote', 'add', 'origin', url, '--s3-endpoint', s3.endpoint]));
    ok(await cli(a, ['push']));
    const first = await head(a);
    for (let i = 0; i < 150; i++) writeFileAt(a, `code/many/${i}.txt`, `content ${i} `.repeat(40));
    ok(await cli(a, ['commit', '-m', 'many']));
    let halting: Promise<void> | undefined;
    const cut = await cli(
      a,
      ['push'],
      { STRATA_PROGRESS: 'lines', STRATA_TEST_PACK_BYTES: '8192' },
      // Stopped once the first pack has landed: the transfer is under way.
      (stderr) => {
        if (!halting && /progress sending [1-9]/.test(stderr)) halting = s3.halt();
      },
    );
    assert.ok(halting, 'the push reported progress before ending');
    await halting;
    assert.equal(cut.code, 1, cut.stderr);
    const lines = cut.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('progress '));
    assert.equal(lines.length, 1, cut.stderr);
    assert.match(lines[0]!, /cannot reach|unreachable|keeps failing/);

    s3 = await startS3rver({ buckets: [BUCKET], dir: s3.dir, port: s3.port });
    const c = ok(await cli(root, ['clone', url, 'c', '--json', '--s3-endpoint', s3.endpoint])).json<{
      commit: string;
    }>();
    assert.equal(c.commit, first, 'the ref did not move');
    ok(await cli(a, ['push']));
    ok(await cli(join(root, 'c'), ['pull']));
    assert.equal(await head(join(root, 'c')), await head(a));
    assert.equal(ok(await cli(join(root, 'c'), ['fsck', '--json'])).json<{ ok: boolean }>().ok, true);
  } finally {
    rmSync(root, { recursive: true, force: true });
    await s3.stop();
  }
});
