/**
 * The `compute` benchmark: computed resources through the library, in a fresh repository under
 * os.tmpdir() removed at the end, beside hadrosaur 0.4.1's figures measured on this machine.
 *
 *   first_10k       10,000 first computes of a trivial function in one process (3 rounds, each in
 *                   a fresh repository): total seconds and the per-call time of the first and the
 *                   last 1,000, to show the cost stays flat as the collection grows
 *   cached_10k      10,000 cached fetches of those resources (3 rounds)
 *   multi_process   4 processes x 2,500 fetches on one project, over 5,000 keys (each key asked by
 *                   two processes, in random order): failures, keys computed more than once, seconds
 *
 * Every step is checked (statuses, results, counts); a failed check makes the run exit non-zero.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withTempRoot } from './lib/temp-root.js';
import { check, log } from './lib/check.js';
import { median, round } from './lib/stats.js';
import { allMet, atMost } from './lib/targets.js';

const N = 10_000;
const ROUNDS = 3;
const PROCESSES = 4;
const PER_PROCESS = 2_500;
const KEYS = 5_000;

const API_URL = new URL('../src/api/index.js', import.meta.url).href;
type Api = typeof import('../src/api/index.js');

const HADROSAUR = {
  first_10k: { total_s: 272, per_call_ms: '4 -> 54 as the collection grows' },
  cached_10k: { total_s: 527, per_call_ms: '~52' },
  multi_process: { failed_fetches: '75-93 % with 2-4 processes (database lock)' },
};

/** A trivial compute function. */
const trivial = (id: string) => ({ id, length: id.length });

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

async function firstAndCached(api: Api, dir: string, round: number) {
  const repo = await api.initRepository(dir);
  const project = await api.openComputeProject(repo);
  try {
    const c = project.collection('trivial', trivial);
    const perCall = new Float64Array(N);
    const started = performance.now();
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      const r = await project.fetch(c, `item/${i}`);
      perCall[i] = performance.now() - t0;
      if (r.status !== 'complete') check(false, `first_10k round ${round}: item/${i} is ${r.status}`);
    }
    const firstS = (performance.now() - started) / 1000;
    const stats = (await project.stats(c)).trivial!;
    check(stats.complete === N && stats.total === N, `first_10k round ${round}: ${JSON.stringify(stats)}`);

    const cachedStarted = performance.now();
    for (let i = 0; i < N; i++) {
      const r = await project.fetch(c, `item/${i}`);
      if (r.result?.length !== `item/${i}`.length)
        check(false, `cached_10k round ${round}: item/${i} came back wrong`);
    }
    const cachedS = (performance.now() - cachedStarted) / 1000;
    check((await project.stats(c)).trivial!.total === N, `cached_10k round ${round}: the collection changed`);
    return {
      firstS,
      firstUs: mean(Array.from(perCall.subarray(0, 1000))) * 1000,
      lastUs: mean(Array.from(perCall.subarray(N - 1000))) * 1000,
      cachedS,
    };
  } finally {
    await project.close();
    await repo.close();
  }
}

/** One process of multi_process: fetches its ids one after the other, counting what fails. */
const CHILD = `
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
const api = await import(process.env.API_URL);
const ids = JSON.parse(process.env.IDS);
const repo = await api.openRepository(process.env.ROOT);
const project = await api.openComputeProject(repo);
const c = project.collection('shared', (id) => {
  appendFileSync(join(process.env.MARKERS, process.pid + '.txt'), id + '\\n');
  return { id, pid: process.pid };
});
await new Promise((resolve) => setTimeout(resolve, Number(process.env.START_AT) - Date.now()));
const started = Date.now();
let failed = 0;
const errors = [];
for (const id of ids) {
  try {
    const r = await project.fetch(c, id);
    if (r.status !== 'complete' || r.result.id !== id) failed++;
  } catch (err) {
    failed++;
    if (errors.length < 3) errors.push(String(err && err.message));
  }
}
const ended = Date.now();
await project.close();
await repo.close();
process.stdout.write(JSON.stringify({ failed, errors, started, ended }));
`;

/** A seeded shuffle (xorshift), so every run asks in the same orders. */
function shuffled<T>(items: T[], seed: number): T[] {
  let s = seed || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

function runChild(script: string, env: Record<string, string>) {
  return new Promise<{ failed: number; errors: string[]; started: number; ended: number }>(
    (resolve, reject) => {
      const child = spawn(process.execPath, [script], {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        if (code !== 0) return reject(new Error(`multi_process child exited with ${code}: ${err.trim()}`));
        resolve(JSON.parse(out) as { failed: number; errors: string[]; started: number; ended: number });
      });
    },
  );
}

async function multiProcess(api: Api, dir: string) {
  const repo = await api.initRepository(dir);
  // Create compute.db before the race, as a project that is in use would have it.
  await (await api.openComputeProject(repo)).close();
  await repo.close();
  const markers = join(dir, 'markers');
  mkdirSync(markers);
  const script = join(dir, 'child.mjs');
  writeFileSync(script, CHILD);
  const keys = Array.from({ length: KEYS }, (_, i) => `key/${i}`);
  const startAt = Date.now() + 2000;
  const runs = await Promise.all(
    Array.from({ length: PROCESSES }, (_, p) => {
      const ids = shuffled(
        Array.from({ length: PER_PROCESS }, (_, j) => keys[(p * (KEYS / PROCESSES) + j) % KEYS]!),
        p + 1,
      );
      return runChild(script, {
        API_URL,
        IDS: JSON.stringify(ids),
        ROOT: dir,
        MARKERS: markers,
        START_AT: String(startAt),
      });
    }),
  );
  const computed = readdirSync(markers).flatMap((f) =>
    readFileSync(join(markers, f), 'utf8').split('\n').filter(Boolean),
  );
  const distinct = new Set(computed);
  const failed = runs.reduce((sum, r) => sum + r.failed, 0);
  const seconds = (Math.max(...runs.map((r) => r.ended)) - Math.min(...runs.map((r) => r.started))) / 1000;
  return {
    processes: PROCESSES,
    fetches: PROCESSES * PER_PROCESS,
    keys: KEYS,
    failed_fetches: failed,
    failed_percent: round((100 * failed) / (PROCESSES * PER_PROCESS), 2),
    first_errors: runs.flatMap((r) => r.errors).slice(0, 3),
    computes: computed.length,
    keys_computed: distinct.size,
    keys_computed_more_than_once: computed.length - distinct.size,
    seconds: round(seconds),
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const api = (await import(API_URL)) as Api;
  return withTempRoot('strata-bench-compute-', async (root) => {
    const rounds = [];
    for (let r = 1; r <= ROUNDS; r++) {
      log(`first_10k and cached_10k: round ${r} of ${ROUNDS}`);
      rounds.push(await firstAndCached(api, join(root, `single-${r}`), r));
      rmSync(join(root, `single-${r}`), { recursive: true, force: true });
    }
    log(`multi_process: ${PROCESSES} processes x ${PER_PROCESS} fetches over ${KEYS} keys`);
    const multi = await multiProcess(api, join(root, 'multi'));
    check(
      multi.keys_computed === KEYS,
      `multi_process: ${multi.keys_computed} of ${KEYS} keys were computed`,
    );

    const firstS = median(rounds.map((r) => r.firstS));
    const firstUs = median(rounds.map((r) => r.firstUs));
    const lastUs = median(rounds.map((r) => r.lastUs));
    const cachedS = median(rounds.map((r) => r.cachedS));
    const firstTargets = {
      total_s: atMost(round(firstS), 1),
      last_vs_first_1k: atMost(round(lastUs / firstUs, 2), 1.5),
    };
    const cachedTargets = { total_s: atMost(round(cachedS, 4), 0.1) };
    const multiTargets = {
      failed_fetches: atMost(multi.failed_fetches, 0),
      keys_computed_more_than_once: atMost(multi.keys_computed_more_than_once, 0),
    };
    return {
      first_10k: {
        computes: N,
        total_s: round(firstS),
        runs_s: rounds.map((r) => round(r.firstS)),
        per_call_us_first_1k: round(firstUs, 1),
        per_call_us_last_1k: round(lastUs, 1),
        hadrosaur_0_4_1: HADROSAUR.first_10k,
        target: 'total_s <= 1 && per-call time flat (last 1k <= 1.5 x first 1k)',
        met: allMet(firstTargets),
        targets: firstTargets,
      },
      cached_10k: {
        fetches: N,
        total_s: round(cachedS, 4),
        runs_s: rounds.map((r) => round(r.cachedS, 4)),
        per_fetch_us: round((cachedS / N) * 1e6, 2),
        hadrosaur_0_4_1: HADROSAUR.cached_10k,
        target: 'total_s <= 0.1',
        met: allMet(cachedTargets),
        targets: cachedTargets,
      },
      multi_process: {
        ...multi,
        hadrosaur_0_4_1: HADROSAUR.multi_process,
        target: 'failed_fetches == 0 && keys_computed_more_than_once == 0',
        met: allMet(multiTargets),
        targets: multiTargets,
      },
    };
  });
}
