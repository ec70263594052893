/**
 * The big-file section of `bench/remote.ts` over the wire: the repository holding one
 * BENCH_REMOTE_BIG_MB MiB file is pushed to `strata serve` (an empty bare repository) and cloned
 * back through it, timed from each command's start, with the peak RSS of the client and of the
 * server for each transfer (the server's peak is reset before each one through
 * /proc/PID/clear_refs). The clone is the "clone through the server of a repository
 * holding 1 GB of objects" (the default 2 GiB holds more); a `--no-data` clone of it is timed when
 * this Strata has that option.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openTransport } from '../src/remote/index.js';
import { check, log } from './lib/check.js';
import { sha256File } from './lib/files.js';
import { strata, syncDisks } from './lib/proc.js';
import { round } from './lib/stats.js';
import { parseJson } from './lib/strata-checks.js';
import { atLeast, atMost } from './lib/targets.js';
import { serve } from './remote-wire.js';

/** Starts a new peak-RSS window for `pid` (Linux: writing 5 to clear_refs resets VmHWM). */
function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Peak RSS of `pid` in MiB since start or the last reset (VmHWM), or null off Linux. */
function peakRssMb(pid: number): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? round(Number(match[1]) / 1024, 0) : null;
  } catch {
    return null;
  }
}

/**
 * Pushes the repository at `dir` (its big file at `data/big.bin`, of `sha`) to a served bare
 * repository and clones it back through the server; `mb` is the file's size in MB.
 */
export async function benchBigWire(
  root: string,
  dir: string,
  sha: string,
  mb: number,
): Promise<Record<string, unknown>> {
  const hub = join(root, 'big-http-hub');
  await (await openTransport(hub, { create: true })).close();
  const token = (await strata(hub, ['token', 'create', 'bench', '--scope', 'write'])).stdout
    .split('\n')[0]!
    .trim();
  const server = await serve(hub);
  try {
    const env = { STRATA_TOKEN: token };
    await strata(dir, ['remote', 'add', 'http', server.url]);
    await syncDisks();
    log('remote: big file push to strata serve');
    const resettable = resetPeakRss(server.pid);
    const push = await strata(dir, ['push', 'http', '--json'], { env, rss: true });
    const pushServerRss = resettable ? peakRssMb(server.pid) : null;
    await syncDisks();
    log('remote: big file clone through strata serve');
    resetPeakRss(server.pid);
    const clone = await strata(root, ['clone', server.url, 'big-http-clone', '--json'], { env, rss: true });
    const cloneServerRss = resettable ? peakRssMb(server.pid) : null;
    check(sha256File(join(root, 'big-http-clone', 'data', 'big.bin')).sha256 === sha, 'HTTP clone bytes');
    const fetched = parseJson<{ fetch: { bytes: number } }>(clone, 'HTTP clone').fetch.bytes / 1e6;
    const help = (await strata(root, ['clone', '--help'])).stdout;
    let noDataS: number | null = null;
    if (help.includes('--no-data')) {
      log('remote: --no-data clone through strata serve');
      const noData = await strata(root, ['clone', server.url, 'big-no-data', '--no-data', '--json'], { env });
      noDataS = round(noData.seconds);
    }
    const pushRate = round(mb / push.seconds, 0);
    const cloneRate = round(fetched / clone.seconds, 0);
    const rss = (value: number | null | undefined) =>
      value === null || value === undefined ? null : round(value, 0);
    return {
      push_s: round(push.seconds),
      push_mb_per_s: pushRate,
      push_client_peak_rss_mb: rss(push.peakRssMb),
      push_server_peak_rss_mb: pushServerRss,
      clone_s: round(clone.seconds),
      clone_object_mb: round(fetched, 0),
      clone_mb_per_s: cloneRate,
      clone_client_peak_rss_mb: rss(clone.peakRssMb),
      clone_server_peak_rss_mb: cloneServerRss,
      no_data_clone_s: noDataS,
      targets: {
        http_push_mb_per_s: atLeast(pushRate, 300),
        http_clone_mb_per_s: atLeast(cloneRate, 300),
        http_push_client_peak_rss_mb: atMost(rss(push.peakRssMb), 200),
        http_push_server_peak_rss_mb: atMost(pushServerRss, 200),
        http_clone_client_peak_rss_mb: atMost(rss(clone.peakRssMb), 200),
        http_clone_server_peak_rss_mb: atMost(cloneServerRss, 200),
        ...(noDataS === null ? {} : { no_data_clone_s: atMost(noDataS, 1) }),
      },
    };
  } finally {
    server.stop();
  }
}
