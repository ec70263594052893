/**
 * The 10,000-file push of `bench/remote.ts` again over the wire: to `strata serve` (HTTP, on
 * loopback) and to an S3 prefix (s3rver, in this process: its own cost is part of the figure), then
 * a clone back from each, beside git's push of the same tree to a local bare repository.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { openTransport } from '../src/remote/index.js';
import { S3RVER_CREDENTIALS, startS3rver } from '../src/store/s3/test-support/s3rver.js';
import { check, log } from './lib/check.js';
import { STRATA_BIN } from './lib/paths.js';
import { strata, syncDisks } from './lib/proc.js';
import { round } from './lib/stats.js';
import { parseJson } from './lib/strata-checks.js';
import { atMost } from './lib/targets.js';

async function headOf(dir: string): Promise<string> {
  return parseJson<{ id: string }[]>(await strata(dir, ['log', '--json', 'main']), `log in ${dir}`)[0]!.id;
}

/** A running `strata serve`: its URL and pid (to read its peak RSS), until `stop`. */
export interface Served {
  readonly url: string;
  readonly pid: number;
  stop(): void;
}

/** A `strata serve` of `dir` on a free loopback port, until `stop`. */
export async function serve(dir: string): Promise<Served> {
  const child = spawn(process.execPath, [STRATA_BIN, 'serve', '--port', '0'], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve(`${match[1]!}/`);
    });
    child.on('exit', (code) => reject(new Error(`strata serve exited ${code}`)));
  });
  return { url, pid: child.pid!, stop: () => child.kill('SIGTERM') };
}

/** Push of the repository at `sRepo` (10,000 files) over HTTP and S3, and a clone back from each. */
export async function benchWire(
  root: string,
  sRepo: string,
  gitPushS: number,
): Promise<Record<string, unknown>> {
  const head = await headOf(sRepo);
  // An empty bare repository for the server (what a first push to a path creates).
  const hub = join(root, 'http-hub');
  await (await openTransport(hub, { create: true })).close();
  const token = (await strata(hub, ['token', 'create', 'bench', '--scope', 'write'])).stdout
    .split('\n')[0]!
    .trim();
  const server = await serve(hub);
  const s3 = await startS3rver({ buckets: ['bench'] });
  try {
    const env = {
      STRATA_TOKEN: token,
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      AWS_REGION: 'us-east-1',
      STRATA_S3_ENDPOINT: s3.endpoint,
    };
    await strata(sRepo, ['remote', 'add', 'http', server.url]);
    await strata(sRepo, ['remote', 'add', 's3', 's3://bench/repo']);
    await syncDisks();
    log('remote: strata push of 10,000 files over HTTP');
    const httpPush = await strata(sRepo, ['push', 'http', '--json'], { env, rss: true });
    check((await headOf(hub)) === head, 'HTTP hub head after push');
    log('remote: strata clone of 10,000 files over HTTP');
    const httpClone = await strata(root, ['clone', server.url, 'http-clone', '--json'], { env, rss: true });
    check((await headOf(join(root, 'http-clone'))) === head, 'HTTP clone head');
    log('remote: strata push of 10,000 files to S3 (s3rver)');
    const s3Push = await strata(sRepo, ['push', 's3', '--json'], { env, rss: true });
    log('remote: strata clone of 10,000 files from S3 (s3rver)');
    const s3Clone = await strata(root, ['clone', 's3://bench/repo', 's3-clone', '--json'], {
      env,
      rss: true,
    });
    check((await headOf(join(root, 's3-clone'))) === head, 'S3 clone head');
    const objects = parseJson<{ objects: number }>(httpPush, 'HTTP push').objects;
    return {
      objects,
      git_push_s: round(gitPushS),
      http_push_s: round(httpPush.seconds),
      http_push_ratio_to_git: round(httpPush.seconds / gitPushS),
      http_push_peak_rss_mb: round(httpPush.peakRssMb ?? 0, 0),
      http_clone_s: round(httpClone.seconds),
      s3rver_push_s: round(s3Push.seconds),
      s3rver_push_ratio_to_git: round(s3Push.seconds / gitPushS),
      s3rver_clone_s: round(s3Clone.seconds),
      targets: { http_push_ratio_to_git: atMost(round(httpPush.seconds / gitPushS), 0.5) },
    };
  } finally {
    server.stop();
    await s3.stop();
  }
}
