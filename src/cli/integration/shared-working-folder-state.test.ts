/**
 * Issue 12, points 2 and 4: uncommitted work belongs to one working folder. Two working folders in
 * different temp folders share only the PostgreSQL catalog and the S3 store, each command a
 * separate CLI process: A stages column samples and records a lineage step, B sees none of it
 * (and its gc keeps A's staged data) until A commits, then reads them. PostgreSQL tests run whenever STRATA_TEST_POSTGRES is set
 * (and fail when it is set but unreachable); s3rver is started by the test itself.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeNpy } from '../../api/index.js';
import { dropSchema, freshSchema } from '../../catalog/postgres/test-support/test-schema.js';
import { S3RVER_CREDENTIALS, startS3rver, type TestS3Server } from '../../store/s3/test-support/s3rver.js';
import { createStrata } from './cli-harness.js';

const PG = process.env.STRATA_TEST_POSTGRES;
const SKIP = !PG && 'set STRATA_TEST_POSTGRES=postgres://user@host:5432/db to run';
const BUCKET = 'strata-wf-state';
const AWS_ENV = {
  AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
  AWS_REGION: 'us-east-1',
};
const strata = createStrata();

async function ok(cwd: string, args: readonly string[]) {
  const r = await strata.start(cwd, args, AWS_ENV).done;
  assert.equal(r.code, 0, `strata ${args.join(' ')} exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r;
}

async function json<T>(cwd: string, args: readonly string[]): Promise<T> {
  return JSON.parse((await ok(cwd, [...args, '--json'])).stdout) as T;
}

async function* once(data: Uint8Array): AsyncIterable<Uint8Array> {
  yield data;
}

type ColumnList = { name: string; count: number }[];
type Steps = { steps: { name: string }[] };

describe('uncommitted work belongs to one working folder (PostgreSQL + S3)', { skip: SKIP }, () => {
  const cleanup: string[] = [];
  let s3: TestS3Server;
  let schema: string;
  before(async () => {
    s3 = await startS3rver({ buckets: [BUCKET] });
    schema = freshSchema();
  });
  after(async () => {
    await s3?.stop();
    if (schema) await dropSchema(PG!, schema);
    cleanup.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  });

  it('A stages column samples and a lineage step; B sees nothing until A commits, then reads them', async () => {
    const machine = (name: string) => {
      const dir = mkdtempSync(join(tmpdir(), `strata-wf-${name}-`));
      cleanup.push(dir);
      return dir;
    };
    const [a, b] = [machine('a'), machine('b')];
    const init = ['init', '--catalog', `${PG}?schema=${schema}`, '--store', `s3://${BUCKET}/t`];
    await ok(a, [...init, '--s3-endpoint', s3.endpoint]);
    await ok(b, [...init, '--s3-endpoint', s3.endpoint]);

    // A stages three samples of a new column and records a step; neither is committed.
    const samples = Uint8Array.from([1, 2, 3, 4, 5, 6]);
    await writeNpy(join(a, 'x.npy'), { dtype: 'uint8', sampleShape: [2], count: 3, chunks: once(samples) });
    await ok(a, ['column', 'import', 'x', 'x.npy', '--create']);
    await ok(a, ['run', '-n', 'prep', '--', process.execPath, '-e', '']);
    await ok(a, ['config', 'user.email', 'a@example.org']);
    assert.equal((await json<unknown[]>(a, ['column', 'status'])).length, 3);
    assert.deepEqual(
      (await json<Steps>(a, ['lineage', 'show'])).steps.map((s) => s.name),
      ['prep'],
    );

    // B, on the same branch of the same catalog, sees none of it.
    assert.deepEqual(await json<ColumnList>(b, ['column', 'list']), []);
    assert.deepEqual(await json<unknown[]>(b, ['column', 'status']), []);
    assert.deepEqual((await json<Steps>(b, ['lineage', 'show'])).steps, []);
    assert.equal((await json<{ value: string }>(b, ['config', 'user.email'])).value, '');
    // B's own work stays B's: staging on B does not show on A, nor block A's commit.
    await ok(b, ['run', '-n', 'b-only', '--', process.execPath, '-e', '']);
    assert.deepEqual(
      (await json<Steps>(a, ['lineage', 'show'])).steps.map((s) => s.name),
      ['prep'],
    );

    // B's gc keeps A's staged samples: their chunks are in the shared store and reachable only
    // from A's staging, which gc reads from the catalog whichever working folder staged them.
    // (What it may remove is garbage such as the empty index the column was created with.)
    await ok(b, ['gc']);

    await ok(a, ['commit', '-m', 'samples from A']);
    assert.deepEqual(await json<unknown[]>(a, ['column', 'status']), []);

    // Committed: B reads the samples and the step that came with the commit.
    assert.deepEqual(
      (await json<ColumnList>(b, ['column', 'list'])).map((c) => [c.name, c.count]),
      [['x', 3]],
    );
    assert.deepEqual((await json<{ data: number[] }>(b, ['column', 'show', 'x', '2'])).data, [5, 6]);
    assert.deepEqual(await json<unknown[]>(b, ['column', 'status']), []);
    await ok(b, ['fsck']);
    // B had a current lineage of its own on main (its step): it keeps it, A's step arrives in
    // the commit's section.
    const committed = await json<Steps>(b, ['lineage', 'show', '--snapshot', 'HEAD']);
    assert.deepEqual(
      committed.steps.map((s) => s.name),
      ['prep'],
    );
    assert.deepEqual(
      (await json<Steps>(b, ['lineage', 'show'])).steps.map((s) => s.name),
      ['b-only'],
    );
  });
});
