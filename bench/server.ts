/**
 * The `server` benchmark (issue 14), embedded deployment, everything on loopback:
 *
 *   small_gets     authenticated GET /api/refs and GET /api/commits/HEAD from autocannon in a
 *                  second process (50 connections, BENCH_SERVER_SECONDS each, default 10):
 *                  requests/s and p99 latency, plus the load generator's own CPU (it shares the
 *                  machine's cores with the server)
 *   download_1gb   GET /api/file of a 1 GiB file (BENCH_SERVER_BIG_MB) by curl: MB/s, and the
 *                  server's peak RSS while it streams (sampled from /proc every 20 ms)
 *
 * The server is the real `strata serve` process; the download is checked byte for byte (SHA-256).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check, log } from './lib/check.js';
import { writeRandomFile } from './lib/files.js';
import { PROJECT_ROOT, STRATA_BIN } from './lib/paths.js';
import { runProcess, strata } from './lib/proc.js';
import { round } from './lib/stats.js';
import { allMet, atLeast, atMost } from './lib/targets.js';

const SECONDS = Number(process.env.BENCH_SERVER_SECONDS ?? 10);
const BIG_MB = Number(process.env.BENCH_SERVER_BIG_MB ?? 1024);
const CONNECTIONS = 50;

/** Starts `strata serve --port 0` and resolves with its URL once it listens. */
function serve(cwd: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [STRATA_BIN, 'serve', '--port', '0'], {
      cwd,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /at (http:\/\/\S+)/.exec(out);
      if (match) resolve({ child, url: match[1]! });
    });
    child.on('exit', (code) => reject(new Error(`strata serve exited ${code}: ${err}`)));
  });
}

/** Resident set of a process now, in MiB (VmRSS). */
function rssMib(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) / 1024;
}

/** A load run in its own process: autocannon's result and that process's CPU seconds. */
const LOADER = `
import autocannon from 'autocannon';
const [url, token, seconds, connections] = process.argv.slice(1);
const result = await autocannon({ url, connections: Number(connections), duration: Number(seconds),
  headers: { authorization: 'Bearer ' + token } });
const cpu = process.cpuUsage();
console.log(JSON.stringify({ rps: result.requests.average, total: result.requests.total,
  p99: result.latency.p99, p50: result.latency.p50, non2xx: result.non2xx, errors: result.errors,
  timeouts: result.timeouts, cpu_s: (cpu.user + cpu.system) / 1e6 }));
`;

async function load(url: string, token: string): Promise<Record<string, number>> {
  const run = await runProcess(
    process.execPath,
    ['--input-type=module', '-e', LOADER, url, token, String(SECONDS), String(CONNECTIONS)],
    {
      cwd: PROJECT_ROOT,
      label: `autocannon ${url}`,
    },
  );
  const r = JSON.parse(run.stdout) as Record<string, number>;
  check(r.non2xx === 0 && r.errors === 0, `load run had errors: ${run.stdout}`);
  return {
    requests_per_s: round(r.rps!, 0),
    requests: r.total!,
    p50_ms: r.p50!,
    p99_ms: r.p99!,
    load_generator_cpu_s: round(r.cpu_s!, 2),
    load_generator_cpu_share: round(r.cpu_s! / SECONDS, 2),
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const root = mkdtempSync(join(tmpdir(), 'strata-bench-server-'));
  let server: ChildProcess | undefined;
  try {
    // runProcess (under strata) throws on a non-zero exit, naming the command.
    await strata(root, ['init']);
    mkdirSync(join(root, 'data'));
    await strata(root, ['resource', 'add', 'data', '--role', 'source-data']);
    log(`writing a ${BIG_MB} MiB file`);
    const sha = writeRandomFile(join(root, 'data', 'big.bin'), BIG_MB);
    await strata(root, ['commit', '-m', 'big']);
    const token = (await strata(root, ['token', 'create', 'bench', '--scope', 'read'])).stdout
      .split('\n')[0]!
      .trim();
    check(token.startsWith('strata_'), 'token create printed no token');
    const started = await serve(root);
    server = started.child;
    const { url } = started;
    log(`serving at ${url}`);

    log(`GET /api/refs for ${SECONDS} s`);
    const refs = await load(`${url}/api/refs`, token);
    log(`GET /api/commits/HEAD for ${SECONDS} s`);
    const commit = await load(`${url}/api/commits/HEAD`, token);

    log(`downloading ${BIG_MB} MiB`);
    const pid = server.pid!;
    const idleRss = rssMib(pid);
    let peakRss = idleRss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMib(pid))), 20);
    const t0 = process.hrtime.bigint();
    const dl = await runProcess(
      'sh',
      [
        '-c',
        `curl -sf -H "authorization: Bearer ${token}" "${url}/api/file?resource=data&path=big.bin" | sha256sum`,
      ],
      { cwd: root, label: 'curl download' },
    );
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    clearInterval(sampler);
    check(dl.stdout.startsWith(sha), `download differs from the file: ${dl.stdout} ${dl.stderr}`);
    const mbPerS = (BIG_MB * 1024 * 1024) / 1e6 / seconds;

    const targets = {
      refs_requests_per_s: atLeast(refs.requests_per_s!, 5000),
      refs_p99_ms: atMost(refs.p99_ms!, 50),
      commit_requests_per_s: atLeast(commit.requests_per_s!, 5000),
      commit_p99_ms: atMost(commit.p99_ms!, 50),
      download_mb_per_s: atLeast(round(mbPerS, 0), 500),
      download_server_rss_mib: atMost(round(peakRss, 0), 150),
    };
    return {
      benchmark: 'server',
      connections: CONNECTIONS,
      seconds_per_load: SECONDS,
      small_gets: { refs, commit_head: commit },
      download: {
        mib: BIG_MB,
        seconds: round(seconds, 2),
        mb_per_s: round(mbPerS, 0),
        server_rss_idle_mib: round(idleRss, 0),
        server_rss_peak_mib: round(peakRss, 0),
        client: 'curl | sha256sum',
      },
      targets,
      all_met: allMet(targets),
    };
  } finally {
    server?.kill('SIGTERM');
    rmSync(root, { recursive: true, force: true });
  }
}
