/**
 * Faults of the shared deployment through the CLI (issue 12, "Bad input and faults"): backends
 * that cannot be reached at init or in the middle of a command, wrong credentials, a bucket that
 * does not exist, a schema a newer Strata wrote, two processes creating one schema at once. Every
 * failure is one line naming the endpoint without its password, exit 1, and leaves nothing
 * half-written. PostgreSQL tests run whenever STRATA_TEST_POSTGRES is set (and fail if it is set
 * but down); s3rver and the TCP relay are started by the test itself.
 */
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dropSharedSchema, runSql } from '../../assets/store/postgres/test-support/pg-sql.js';
import { freshSchema } from '../../catalog/postgres/test-support/test-schema.js';
import { S3RVER_CREDENTIALS, startS3rver, type TestS3Server } from '../../store/s3/test-support/s3rver.js';
import { createStrata, nonEmptyLines } from './cli-harness.js';

const PG = process.env.STRATA_TEST_POSTGRES;
const SKIP = !PG && 'set STRATA_TEST_POSTGRES=postgres://user@host:5432/db to run';
const BUCKET = 'strata-faults';
const AWS_ENV = {
  AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
  AWS_REGION: 'us-east-1',
  // Wherever a password could leak, it would be this one.
  STRATA_PG_PASSWORD: 'hunter2',
};
const strata = createStrata();

async function run(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = AWS_ENV) {
  return strata.start(cwd, args, env).done;
}

async function ok(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = AWS_ENV) {
  const r = await run(cwd, args, env);
  assert.equal(r.code, 0, `strata ${args.join(' ')} exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r;
}

/** Exit 1, one line naming `mustName`, no password, no stack. */
function assertOneLine(r: { code: number | null; stderr: string }, mustName: RegExp) {
  assert.equal(r.code, 1, r.stderr);
  assert.equal(nonEmptyLines(r.stderr).length, 1, r.stderr);
  assert.match(r.stderr, mustName);
  assert.doesNotMatch(r.stderr, /hunter2|S3RVER/);
}

/**
 * A TCP relay in front of PostgreSQL that can be cut (every connection dropped, new ones refused
 * by closing the listener) and reopened on the same port: the server "goes away" mid-session.
 */
async function startRelay(
  upstream: URL,
): Promise<{ port: number; cut(): Promise<void>; reopen(): Promise<void>; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let server: Server;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((client) => {
        const pgSocket = connect(Number(upstream.port || 5432), upstream.hostname);
        for (const s of [client, pgSocket]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => undefined);
        }
        client.pipe(pgSocket).pipe(client);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  const cut = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  await listen();
  return { port, cut, reopen: listen, stop: cut };
}

/** Every object file s3rver keeps under `dir`. */
function objectFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('._S3rver_object'))
    .map((e) => join(e.parentPath, e.name));
}

describe('shared repository faults', { skip: SKIP }, () => {
  const cleanup: string[] = [];
  const schemas: string[] = [];
  let s3: TestS3Server;
  const folder = (name: string) => {
    const dir = mkdtempSync(join(tmpdir(), `strata-fault-${name}-`));
    cleanup.push(dir);
    return dir;
  };
  const schema = () => {
    const name = freshSchema();
    schemas.push(name);
    return name;
  };
  const init = (catalog: string, extra: readonly string[] = []) => [
    'init',
    '--catalog',
    catalog,
    '--store',
    `s3://${BUCKET}/p`,
    '--s3-endpoint',
    s3.endpoint,
    ...extra,
  ];
  before(async () => {
    s3 = await startS3rver({ buckets: [BUCKET] });
  });
  after(async () => {
    await s3?.stop();
    for (const name of schemas) await dropSharedSchema(PG!, name);
    cleanup.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  });

  it('a PostgreSQL user that does not exist: one line naming the server, exit 1, no .strata/', async () => {
    const dir = folder('user');
    const url = new URL(PG!);
    url.username = 'strata_no_such_user';
    url.password = 'hunter2';
    const r = await run(dir, init(`${url.toString()}?schema=${schema()}`));
    assertOneLine(r, new RegExp(`${url.hostname}:${url.port || 5432}`));
    assert.equal(existsSync(join(dir, '.strata')), false);
  });

  it('an unknown AWS access key and a bucket that does not exist: one line each, exit 1, no .strata/', async () => {
    const badKey = folder('key');
    const r1 = await run(badKey, init(`${PG}?schema=${schema()}`), {
      ...AWS_ENV,
      AWS_ACCESS_KEY_ID: 'NOT-A-KEY',
    });
    assertOneLine(r1, /access key|credentials|InvalidAccessKeyId/i);
    assert.equal(existsSync(join(badKey, '.strata')), false);

    const noBucket = folder('bucket');
    const r2 = await run(noBucket, [
      'init',
      '--catalog',
      `${PG}?schema=${schema()}`,
      '--store',
      's3://strata-no-such-bucket/p',
      '--s3-endpoint',
      s3.endpoint,
    ]);
    assertOneLine(r2, /strata-no-such-bucket/);
    assert.equal(existsSync(join(noBucket, '.strata')), false);
  });

  it('PostgreSQL gone mid-session: commit and status fail in one line naming it; nothing half-written', async () => {
    const relay = await startRelay(new URL(PG!));
    const dir = folder('relay');
    const name = schema();
    const viaRelay = new URL(PG!);
    viaRelay.port = String(relay.port);
    try {
      await ok(dir, init(`${viaRelay.toString()}?schema=${name}`));
      mkdirSync(join(dir, 'data'));
      await ok(dir, ['resource', 'add', 'data', '--role', 'source-data']);
      writeFileSync(join(dir, 'data', 'one.txt'), 'one\n');
      await ok(dir, ['commit', '-m', 'first']);

      await relay.cut();
      writeFileSync(join(dir, 'data', 'two.txt'), 'two\n');
      for (const args of [['commit', '-m', 'second'], ['status']]) {
        assertOneLine(await run(dir, args), new RegExp(`127\\.0\\.0\\.1:${relay.port}`));
      }
      await relay.reopen();
      assert.doesNotMatch((await ok(dir, ['log'])).stdout, /second/);
      await ok(dir, ['fsck']);
      await ok(dir, ['commit', '-m', 'second']);
      assert.match((await ok(dir, ['log'])).stdout, /second/);
    } finally {
      await relay.stop().catch(() => undefined);
    }
  });

  it('an S3 object that comes back with other bytes: the checkout on attach fails in one line, writes nothing', async () => {
    const [a, b] = [folder('bytes-a'), folder('bytes-b')];
    const name = schema();
    await ok(a, init(`${PG}?schema=${name}`));
    mkdirSync(join(a, 'data'));
    await ok(a, ['resource', 'add', 'data', '--role', 'source-data']);
    writeFileSync(join(a, 'data', 'precious.txt'), 'precious content, kept safe\n');
    await ok(a, ['commit', '-m', 'precious']);
    // Other bytes of the same length, behind Strata's back, in whatever object holds the file.
    const holders = objectFiles(s3.dir).filter((f) => readFileSync(f).includes('precious content'));
    assert.equal(holders.length, 1, `objects holding the file: ${holders.join(', ')}`);
    const bytes = readFileSync(holders[0]!);
    bytes.write('PRECIOUS', bytes.indexOf('precious content'));
    writeFileSync(holders[0]!, bytes);

    // Attaching checks the branch out: the bad bytes are found there. Corrupt storage is exit 1 or
    // 2 (as for a local repository, see corruption.test.ts), one line, never a stack.
    const r = await run(b, init(`${PG}?schema=${name}`));
    assert.ok(r.code === 1 || r.code === 2, `exit ${r.code}: ${r.stderr}`);
    assertOneLine({ ...r, code: 1 }, /hash|corrupt/i);
    assert.equal(existsSync(join(b, 'data', 'precious.txt')), false, 'a file with bad bytes was written');
  });

  it('a schema written by a newer Strata is refused with a message, and changes nothing', async () => {
    const dir = folder('newer');
    const name = schema();
    await ok(dir, init(`${PG}?schema=${name}`));
    await runSql(
      PG!,
      `insert into "${name}".strata_migrations (version, name, applied_at) values (9999, 'from the future', 'now')`,
    );
    const r = await run(dir, ['status']);
    assertOneLine(r, /newer|9999/i);
    const versions = await runSql<{ n: string }>(
      PG!,
      `select count(*) as n from "${name}".strata_migrations where version = 9999`,
    );
    assert.equal(Number(versions[0]!.n), 1);
  });

  it('two processes creating one fresh schema at once: both succeed, each migration applied once', async () => {
    const name = schema();
    const [a, b] = [folder('race-a'), folder('race-b')];
    const results = await Promise.all([
      run(a, init(`${PG}?schema=${name}`)),
      run(b, init(`${PG}?schema=${name}`)),
    ]);
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const rows = await runSql<{ version: number; n: string }>(
      PG!,
      `select version, count(*) as n from "${name}".strata_migrations group by version`,
    );
    assert.ok(rows.length > 0);
    for (const row of rows) assert.equal(Number(row.n), 1, `migration ${row.version} applied twice`);
    for (const dir of [a, b]) await ok(dir, ['status']);
  });
});
