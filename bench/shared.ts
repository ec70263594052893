/**
 * The `shared` benchmark: the shared deployment (PostgreSQL catalog + S3 store, s3rver on
 * loopback) side by side with the embedded one (SQLite + local folder), in one run, as whole CLI
 * processes in fresh folders under os.tmpdir():
 *
 *   commit      10,000 files of 4 KiB: seconds on each, with the S3 requests and the SQL round
 *               trips of the shared commit (counted by relays in front of s3rver and PostgreSQL)
 *   status      a no-change `status` (median of 3) on each, with its round trips on the shared one
 *   fetches     10,000 cached compute fetches from a second working folder (another process)
 *               through the PostgreSQL compute store: the fetch seconds the CLI reports, and the
 *               whole process
 *
 * Needs STRATA_TEST_POSTGRES (or BENCH_POSTGRES): postgres://user@host:port/db; uses a schema of its
 * own, dropped at the end. Targets: commit <= max(3 x embedded, 1.5 s), status <= 1.5 x embedded,
 * fetches <= 1 s.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, log } from './lib/check.js';
import { newestMtimeMs, sleep, treePaths, writeFiles } from './lib/files.js';
import { STRATA_BIN } from './lib/paths.js';
import { startPgRelay } from './lib/pg-relay.js';
import { runProcess, type ProcessRun } from './lib/proc.js';
import { median, round } from './lib/stats.js';
import { allMet, atMost } from './lib/targets.js';
import { withTempRoot } from './lib/temp-root.js';

const FILES = 10_000;
const SIZE = 4096;
const FETCHES = 10_000;
const BUCKET = 'strata-bench';
/** Files younger than this are re-hashed by status (the stat cache's racy window). */
const RACY_WAIT_MS = 1100;

type S3rverModule = typeof import('../src/store/s3/test-support/s3rver.js');
type FaultProxyModule = typeof import('../src/store/s3/test-support/fault-proxy.js');
type PgSqlModule = typeof import('../src/assets/store/postgres/test-support/pg-sql.js');
const url = (path: string) => new URL(`../src/${path}`, import.meta.url).href;

export async function run(): Promise<Record<string, unknown>> {
  const pgUrl = process.env.BENCH_POSTGRES ?? process.env.STRATA_TEST_POSTGRES;
  check(pgUrl, 'set STRATA_TEST_POSTGRES (or BENCH_POSTGRES) to postgres://user@host:port/db');
  const { startS3rver, S3RVER_CREDENTIALS } = (await import(
    url('store/s3/test-support/s3rver.js')
  )) as S3rverModule;
  const { startFaultProxy } = (await import(url('store/s3/test-support/fault-proxy.js'))) as FaultProxyModule;
  const { dropSharedSchema } = (await import(
    url('assets/store/postgres/test-support/pg-sql.js')
  )) as PgSqlModule;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NO_COLOR: '1',
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1',
  };
  const strata = (cwd: string, args: readonly string[]): Promise<ProcessRun> =>
    runProcess(process.execPath, [STRATA_BIN, ...args], { cwd, env, label: `strata ${args.join(' ')}` });

  const s3 = await startS3rver({ buckets: [BUCKET] });
  const s3Counter = await startFaultProxy(s3.endpoint);
  const pg = await startPgRelay(pgUrl);
  const schema = `strata_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const s3Requests = () => Object.values(s3Counter.seen).reduce((a, b) => a + b, 0);
  try {
    return await withTempRoot('strata-bench-shared-', async (root) => {
      const embedded = join(root, 'embedded');
      const shared = join(root, 'shared');
      const second = join(root, 'second');
      const sharedInit = [
        'init',
        '--catalog',
        `${pg.url}?schema=${schema}`,
        '--store',
        `s3://${BUCKET}/bench`,
        '--s3-endpoint',
        s3Counter.endpoint,
      ];
      const paths = treePaths(100, FILES / 100);
      for (const [dir, init] of [
        [embedded, ['init']],
        [shared, sharedInit],
      ] as const) {
        mkdirSync(join(dir, 'data'), { recursive: true });
        await strata(dir, init);
        await strata(dir, ['resource', 'add', 'data', '--role', 'source-data']);
      }
      log(`writing ${FILES} files of ${SIZE} bytes into each working folder`);
      writeFiles([join(embedded, 'data'), join(shared, 'data')], paths, SIZE);
      await sleep(newestMtimeMs(join(shared, 'data'), paths) + RACY_WAIT_MS - Date.now());

      const embeddedCommit = await strata(embedded, ['commit', '-m', 'bench']);
      const [s3Before, tripsBefore] = [s3Requests(), pg.roundTrips()];
      const sharedCommit = await strata(shared, ['commit', '-m', 'bench']);
      const commit = {
        embedded_s: round(embeddedCommit.seconds),
        shared_s: round(sharedCommit.seconds),
        shared_s3_requests: s3Requests() - s3Before,
        shared_sql_round_trips: pg.roundTrips() - tripsBefore,
      };
      log(`commit: ${JSON.stringify(commit)}`);

      const statusRuns = async (dir: string) => {
        const runs: number[] = [];
        for (let i = 0; i < 3; i++) runs.push((await strata(dir, ['status'])).seconds);
        return runs;
      };
      const embeddedStatus = await statusRuns(embedded);
      const tripsBeforeStatus = pg.roundTrips();
      const sharedStatus = await statusRuns(shared);
      const status = {
        embedded_s: round(median(embeddedStatus)),
        shared_s: round(median(sharedStatus)),
        shared_sql_round_trips: Math.round((pg.roundTrips() - tripsBeforeStatus) / 3),
      };
      log(`status: ${JSON.stringify(status)}`);

      writeFileSync(
        join(shared, 'fns.mjs'),
        'export function trivial(id) { return { length: id.length }; }\n',
      );
      writeFileSync(
        join(shared, 'ids.txt'),
        Array.from({ length: FETCHES }, (_, i) => `item/${i}`).join('\n') + '\n',
      );
      const computeArgs = [
        'compute',
        'run',
        'trivial',
        '--module',
        'fns.mjs',
        '--ids-from',
        'ids.txt',
        '--json',
      ];
      log(`computing ${FETCHES} resources in the first working folder`);
      const first = await strata(shared, [...computeArgs, '--threads', '0']);
      check(JSON.parse(first.stdout).complete === FETCHES, `first computes: ${first.stdout}`);
      mkdirSync(second, { recursive: true });
      await strata(second, sharedInit);
      writeFileSync(
        join(second, 'fns.mjs'),
        "export function trivial() { throw new Error('recomputed'); }\n",
      );
      writeFileSync(
        join(second, 'ids.txt'),
        Array.from({ length: FETCHES }, (_, i) => `item/${i}`).join('\n') + '\n',
      );
      const tripsBeforeFetch = pg.roundTrips();
      const fetched = await strata(second, [...computeArgs, '--threads', '0']);
      const report = JSON.parse(fetched.stdout) as { complete: number; error: number; seconds: number };
      check(report.complete === FETCHES && report.error === 0, `cached fetches: ${fetched.stdout}`);
      const fetches = {
        first_computes_process_s: round(first.seconds),
        cached_fetch_s: round(report.seconds),
        cached_process_s: round(fetched.seconds),
        sql_round_trips: pg.roundTrips() - tripsBeforeFetch,
      };
      log(`fetches: ${JSON.stringify(fetches)}`);

      const targets = {
        commit_s: atMost(commit.shared_s, round(Math.max(3 * commit.embedded_s, 1.5))),
        status_s: atMost(status.shared_s, round(1.5 * status.embedded_s)),
        cached_fetches_s: atMost(fetches.cached_fetch_s, 1),
      };
      return {
        files: FILES,
        file_bytes: SIZE,
        commit,
        status,
        fetches,
        targets,
        all_targets_met: allMet(targets),
      };
    });
  } finally {
    await pg.stop();
    await s3Counter.stop();
    await s3.stop();
    await dropSharedSchema(pgUrl, schema).catch(() => undefined);
  }
}
