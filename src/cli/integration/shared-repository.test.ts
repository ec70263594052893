/**
 * The shared deployment through the CLI (issue 12, points 1 and 4): `init --catalog postgres://…
 * --store s3://…` in two working folders that share nothing but the catalog and the store.
 * PostgreSQL tests run whenever STRATA_TEST_POSTGRES is set, and fail (not skip) when it is set
 * but unreachable; s3rver is started by the test itself.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freshSchema } from '../../catalog/postgres/test-support/test-schema.js';
import { dropSharedSchema as dropSchema } from '../../assets/store/postgres/test-support/pg-sql.js';
import {
  closedPort,
  S3RVER_CREDENTIALS,
  startS3rver,
  type TestS3Server,
} from '../../store/s3/test-support/s3rver.js';
import { createStrata, nonEmptyLines } from './cli-harness.js';

const PG = process.env.STRATA_TEST_POSTGRES;
const SKIP = !PG && 'set STRATA_TEST_POSTGRES=postgres://user@host:5432/db to run';
const BUCKET = 'strata-shared';
const AWS_ENV = {
  AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
  AWS_REGION: 'us-east-1',
};
const strata = createStrata();

/** A fresh temp folder per "machine"; removed by `cleanup`. */
function machine(name: string, cleanup: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), `strata-${name}-`));
  cleanup.push(dir);
  return dir;
}

async function run(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = AWS_ENV) {
  return strata.start(cwd, args, env).done;
}

async function ok(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = AWS_ENV) {
  const r = await run(cwd, args, env);
  assert.equal(r.code, 0, `strata ${args.join(' ')} exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r;
}

/** A failure the way the CLI must report it: exit 1, one line, no password, no `.strata/` left. */
function assertCleanFailure(r: { code: number | null; stderr: string }, folder: string, mustName: string) {
  assert.equal(r.code, 1, r.stderr);
  assert.equal(nonEmptyLines(r.stderr).length, 1, r.stderr);
  assert.match(r.stderr, new RegExp(mustName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  assert.doesNotMatch(r.stderr, /hunter2/);
  assert.equal(existsSync(join(folder, '.strata')), false, 'init left a half-written .strata/');
}

describe('strata init with unreachable shared backends', () => {
  const cleanup: string[] = [];
  after(() => cleanup.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('an unreachable PostgreSQL catalog: one line naming host and port, no password, exit 1, no .strata/', async () => {
    const dir = machine('unreachable-pg', cleanup);
    const port = await closedPort();
    const r = await run(dir, [
      'init',
      '--catalog',
      `postgres://ada:hunter2@127.0.0.1:${port}/strata?schema=x`,
      '--store',
      's3://bucket/prefix',
      '--s3-endpoint',
      'http://127.0.0.1:9',
    ]);
    assertCleanFailure(r, dir, `127.0.0.1:${port}`);
  });

  it(
    'an unreachable S3 endpoint: one line naming the endpoint, exit 1, no .strata/',
    { skip: SKIP },
    async () => {
      const dir = machine('unreachable-s3', cleanup);
      const schema = freshSchema();
      const endpoint = `http://127.0.0.1:${await closedPort()}`;
      try {
        const r = await run(
          dir,
          [
            'init',
            '--catalog',
            `${PG}?schema=${schema}`,
            '--store',
            `s3://${BUCKET}/x`,
            '--s3-endpoint',
            endpoint,
          ],
          {
            ...AWS_ENV,
            PGPASSWORD: 'hunter2',
          },
        );
        assertCleanFailure(r, dir, endpoint);
      } finally {
        await dropSchema(PG!, schema);
      }
    },
  );
});

describe('two working folders, one shared repository (PostgreSQL + S3)', { skip: SKIP }, () => {
  const cleanup: string[] = [];
  let s3: TestS3Server;
  let schema: string;
  let a = '';
  let b = '';
  before(async () => {
    s3 = await startS3rver({ buckets: [BUCKET] });
    schema = freshSchema();
  });
  after(async () => {
    await s3?.stop();
    if (schema) await dropSchema(PG!, schema);
    cleanup.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  });

  it('A commits; B attaches, sees the commit in log, checks it out and gets identical bytes', async () => {
    const init = [
      'init',
      '--catalog',
      `${PG}?schema=${schema}`,
      '--store',
      `s3://${BUCKET}/team`,
      '--s3-endpoint',
      s3.endpoint,
    ];
    a = machine('a', cleanup);
    b = machine('b', cleanup);

    const made = await ok(a, [...init, '--json']);
    assert.equal((JSON.parse(made.stdout) as { attached: boolean }).attached, false);
    const config = readFileSync(join(a, '.strata', 'config.json'), 'utf8');
    assert.doesNotMatch(config, /password|secret|S3RVER/i, 'the config must hold no credentials');
    mkdirSync(join(a, 'data', 'sub'), { recursive: true });
    await ok(a, ['resource', 'add', 'data', '--role', 'source-data']);
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 251));
    writeFileSync(join(a, 'data', 'sub', 'blob.bin'), bytes);
    writeFileSync(join(a, 'data', 'small.txt'), 'hello from A\n');
    await ok(a, ['commit', '-m', 'from machine A']);

    const attached = await ok(b, init);
    assert.match(attached.stdout, /attached .* to existing repository/i);
    assert.match(attached.stdout, /checked out main/i);
    const info = JSON.parse((await ok(b, ['info', '--json'])).stdout) as {
      shared: boolean;
      catalog: { type: string };
      store: { type: string };
    };
    assert.deepEqual([info.shared, info.catalog.type, info.store.type], [true, 'postgres', 's3']);
    assert.match((await ok(b, ['log'])).stdout, /from machine A/);
    await ok(b, ['checkout', 'main']);
    assert.deepEqual(readFileSync(join(b, 'data', 'sub', 'blob.bin')), bytes);
    assert.equal(readFileSync(join(b, 'data', 'small.txt'), 'utf8'), 'hello from A\n');
  });

  it('B computes a resource; A sees it computed (the compute store lives beside the shared catalog)', async () => {
    assert.ok(a && b, 'needs the working folders of the test before');
    const module = 'export function lengths(id) { return { length: id.length }; }\n';
    writeFileSync(join(b, 'fns.mjs'), module);
    await ok(b, ['compute', 'run', 'lengths', 'abc', 'de', '--module', 'fns.mjs', '--json']);
    const stats = JSON.parse((await ok(a, ['compute', 'stats', '--json'])).stdout) as {
      collections: Record<string, { complete: number }>;
    };
    assert.equal(stats.collections.lengths?.complete, 2);
    // A fetches them from the shared cache: its module would fail if called. Worker threads
    // reopen the PostgreSQL compute store themselves (--threads 2).
    writeFileSync(join(a, 'fns.mjs'), "export function lengths() { throw new Error('recomputed on A'); }\n");
    const fetched = await ok(a, [
      'compute',
      'run',
      'lengths',
      'abc',
      'de',
      '--module',
      'fns.mjs',
      '--threads',
      '2',
      '--json',
    ]);
    assert.deepEqual(
      JSON.parse(fetched.stdout, (key, value: unknown) => (key === 'seconds' ? undefined : value)),
      { total: 2, complete: 2, error: 0 },
    );
    const shown = await ok(a, ['compute', 'show', 'lengths', 'abc', '--json']);
    assert.match(shown.stdout, /"length": ?3/);
    assert.match(shown.stdout, /"attempts": ?1/);
  });

  it('both commit on main at once: exactly one lands, the other is refused as behind and catches up', async () => {
    assert.ok(a && b, 'needs the working folders of the first test');
    writeFileSync(join(a, 'data', 'from-a.txt'), 'A was here\n');
    writeFileSync(join(b, 'data', 'from-b.txt'), 'B was here\n');
    const [ra, rb] = await Promise.all([
      run(a, ['commit', '-m', 'race A']),
      run(b, ['commit', '-m', 'race B']),
    ]);
    assert.equal([ra, rb].filter((r) => r.code === 0).length, 1, `A: ${ra.stderr} B: ${rb.stderr}`);
    const [winner, loser] = ra.code === 0 ? [a, b] : [b, a];
    const lost = ra.code === 0 ? rb : ra;
    assert.equal(lost.code, 1, lost.stderr);
    assert.equal(nonEmptyLines(lost.stderr).length, 1, lost.stderr);
    // Refused either by the branch lock (the other was still writing) or, once it landed, as behind.
    let refusal = lost.stderr;
    if (/lock '[^']+' is held/.test(refusal))
      refusal = (await run(loser, ['commit', '-m', 'race again'])).stderr;
    assert.match(refusal, /behind 'main'/);
    assert.match(refusal, /strata checkout -b NAME [0-9a-f]{12}/);
    const winnerLog = (await ok(winner, ['log'])).stdout;
    assert.match((await ok(loser, ['log'])).stdout, new RegExp(winner === a ? 'race A' : 'race B'));
    assert.doesNotMatch(winnerLog, new RegExp(winner === a ? 'race B' : 'race A'));

    // Catching up as the message says keeps both commits' files.
    const base = /checkout -b NAME ([0-9a-f]{12})/.exec(refusal)![1]!;
    await ok(loser, ['checkout', '-b', 'mine', base]);
    await ok(loser, ['commit', '-m', 'my work']);
    await ok(loser, ['checkout', 'main']);
    await ok(loser, ['merge', 'mine']);
    await ok(winner, ['checkout', 'main', '--force']);
    for (const dir of [a, b]) {
      assert.equal(readFileSync(join(dir, 'data', 'from-a.txt'), 'utf8'), 'A was here\n');
      assert.equal(readFileSync(join(dir, 'data', 'from-b.txt'), 'utf8'), 'B was here\n');
    }
  });

  it('assets update on A is searchable from B (PostgreSQL dialect, restricted role)', async () => {
    assert.ok(a && b, 'needs the working folders of the first test');
    writeFileSync(join(a, 'specs.mjs'), FILE_SPEC);
    writeFileSync(
      join(a, 'strata-assets.yaml'),
      'ingress_directory: ingress\nstaging_directory: staging\nspecification_files: [specs.mjs]\n',
    );
    mkdirSync(join(a, 'ingress'), { recursive: true });
    writeFileSync(join(a, 'ingress', 'p-cat001_s-fil001_d-notes_v001.txt'), 'notes\n');
    writeFileSync(join(a, 'ingress', 'p-cat001_s-fil001_d-more_v002.txt'), 'more\n');
    const updated = JSON.parse((await ok(a, ['assets', 'update', '--json'])).stdout) as { files: number };
    assert.equal(updated.files, 2);
    assert.equal(existsSync(join(a, '.strata', 'assets.db')), false, 'the tables live in PostgreSQL');
    // PostgreSQL's dialect on the shared deployment: `::int` casts are not SQLite.
    const rows = JSON.parse(
      (await ok(b, ['assets', 'search', 'SELECT count(*)::int AS n FROM data', '--json'])).stdout,
    ) as { n: number }[];
    assert.deepEqual(rows, [{ n: 2 }]);
    // The search runs as the restricted role: no superuser functions, nothing written.
    const denied = await run(b, ['assets', 'search', "SELECT pg_read_file('/etc/hostname') AS x"]);
    assert.equal(denied.code, 1, denied.stdout);
    assert.match(denied.stderr, /permission denied|not allowed|read-only/i);
  });

  it('gc and fsck work on the S3-backed shared repository, from either working folder', async () => {
    assert.ok(a && b, 'needs the working folders of the first test');
    await ok(a, ['gc']);
    await ok(b, ['fsck']);
    await ok(a, ['fsck']);
    // Everything committed is still readable after gc, from the other machine too.
    await ok(b, ['checkout', 'main', '--force']);
    assert.equal(readFileSync(join(b, 'data', 'small.txt'), 'utf8'), 'hello from A\n');
  });
});

/** A file spec for names like p-cat001_s-fil001_d-notes_v001.txt. */
const FILE_SPEC = `
export default () => [{
  name: 'fil001',
  assetType: 'file',
  filenameFields: ['project', 'specification', 'descriptor', 'version', 'extension'],
  assetNameFields: ['project', 'specification', 'descriptor', 'version'],
}];
`;
