/**
 * The `server` benchmark (issue 14), embedded deployment, everything on loopback:
 *
 *   small_gets     authenticated GET /api/refs and GET /api/commits/HEAD from wrk in a second
 *                  process (50 connections, BENCH_SERVER_SECONDS each, default 10):
 *                  requests/s and p99 latency, plus the load generator's own CPU (it shares the
 *                  machine's cores with the server)
 *   download_1gb   GET /api/file of a 1 GiB file (BENCH_SERVER_BIG_MB) by curl: MB/s, and the
 *                  server's peak RSS while it streams (sampled from /proc every 20 ms)
 *
 * Both also record the server's own CPU seconds (from /proc): on a machine shared with other
 * work, rates follow the load, while CPU per request or per download does not.
 *
 * The server is the real `strata serve` process; the download is checked byte for byte (SHA-256).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

/** CPU seconds (user + system) a process has used so far, from /proc (clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const WRK = '/usr/bin/wrk';

/** wrk's latency figure (`5.01ms`, `1.20s`, `830.00us`) in milliseconds. */
function latencyMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text.trim());
  check(m !== null, `wrk printed an unreadable latency: ${text}`);
  const scale = { us: 0.001, ms: 1, s: 1000 }[m![2] as 'us' | 'ms' | 's'];
  return round(Number(m![1]) * scale, 2);
}

/**
 * A load run by Debian's wrk in its own process (one thread: the machine has two cores and the
 * server needs one), under GNU time for the generator's own CPU seconds.
 */
async function load(
  url: string,
  token: string,
  seconds = SECONDS,
  serverPid?: number,
): Promise<Record<string, number>> {
  const serverCpu0 = serverPid === undefined ? 0 : cpuSeconds(serverPid);
  check(existsSync(WRK), `${WRK} is missing (apt-get install -y wrk)`);
  const cpuFile = join(tmpdir(), `strata-bench-wrk-${process.pid}.txt`);
  const run = await runProcess(
    '/usr/bin/time',
    [
      '-f',
      '%U %S',
      '-o',
      cpuFile,
      WRK,
      '-t1',
      `-c${CONNECTIONS}`,
      `-d${seconds}s`,
      '--latency',
      '-H',
      `authorization: Bearer ${token}`,
      url,
    ],
    { cwd: PROJECT_ROOT, label: `wrk ${url}` },
  );
  const out = run.stdout;
  const [user, system] = readFileSync(cpuFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  rmSync(cpuFile, { force: true });
  const field = (re: RegExp) => re.exec(out)?.[1];
  // A non-2xx answer is wrong; a timeout (wrk's 2 s) on an overloaded machine is a figure.
  check(!/Non-2xx/.test(out), `load run had non-2xx answers: ${out}`);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const cpu = user! + system!;
  const requests = Number(field(/(\d+) requests in/));
  // The server's own CPU per request: on a loaded machine, the figure that does not depend on load.
  const serverCpu = serverPid === undefined ? undefined : cpuSeconds(serverPid) - serverCpu0;
  return {
    requests_per_s: round(Number(field(/Requests\/sec:\s+([\d.]+)/)), 0),
    requests,
    ...(serverCpu === undefined
      ? {}
      : {
          server_cpu_s: round(serverCpu, 2),
          server_cpu_us_per_request: round((serverCpu * 1e6) / requests, 0),
        }),
    p50_ms: latencyMs(field(/^\s*50%\s+(\S+)/m) ?? ''),
    p99_ms: latencyMs(field(/^\s*99%\s+(\S+)/m) ?? ''),
    socket_errors: errors ? Number(errors[1]) + Number(errors[2]) + Number(errors[3]) : 0,
    timeouts: errors ? Number(errors[4]) : 0,
    load_generator_cpu_s: round(cpu, 2),
    load_generator_cpu_share: round(cpu / seconds, 2),
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

    // Unmeasured warm-up: the first seconds of a fresh process are its JIT compiling the routes.
    await load(`${url}/api/refs`, token, 2);
    await load(`${url}/api/commits/HEAD`, token, 2);
    const pid = server.pid!;
    log(`GET /api/refs for ${SECONDS} s`);
    const refs = await load(`${url}/api/refs`, token, SECONDS, pid);
    log(`GET /api/commits/HEAD for ${SECONDS} s`);
    const commit = await load(`${url}/api/commits/HEAD`, token, SECONDS, pid);

    log(`downloading ${BIG_MB} MiB`);
    const idleRss = rssMib(pid);
    let peakRss = idleRss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMib(pid))), 20);
    const downloadCpu0 = cpuSeconds(pid);
    const t0 = process.hrtime.bigint();
    const dl = await runProcess(
      'sh',
      [
        '-c',
        `curl -sf -o downloaded.bin -H "authorization: Bearer ${token}" "${url}/api/file?resource=data&path=big.bin"`,
      ],
      { cwd: root, label: 'curl download' },
    );
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const downloadCpu = cpuSeconds(pid) - downloadCpu0;
    clearInterval(sampler);
    // Checked after the clock stops: sha256sum alone reads ~200 MB/s here and would be the figure.
    const sum = await runProcess('sha256sum', ['downloaded.bin'], { cwd: root, label: 'sha256sum' });
    check(sum.stdout.startsWith(sha), `download differs from the file: ${sum.stdout} ${dl.stderr}`);
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
      load_generator: 'wrk, 1 thread',
      seconds_per_load: SECONDS,
      small_gets: { refs, commit_head: commit },
      download: {
        mib: BIG_MB,
        seconds: round(seconds, 2),
        mb_per_s: round(mbPerS, 0),
        server_rss_idle_mib: round(idleRss, 0),
        server_rss_peak_mib: round(peakRss, 0),
        // Load-independent: what one free core would need for the whole file.
        server_cpu_s: round(downloadCpu, 2),
        client: 'curl -o FILE (page cache), sha256sum after the clock stops',
      },
      targets,
      all_met: allMet(targets),
    };
  } finally {
    server?.kill('SIGTERM');
    rmSync(root, { recursive: true, force: true });
  }
}
