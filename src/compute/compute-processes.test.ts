import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createTempRepo } from '../repo/test-support/temp-repo.js';
import { openComputeProject } from './compute-project.js';
import { withSqliteComputePort } from './test-support/sqlite-compute-port.js';

/** Modules a child imports, by absolute file URL of the compiled files beside this test. */
const MODULES = {
  REPO_MODULE: new URL('../backends/open-backends.js', import.meta.url).href,
  COMPUTE_MODULE: new URL('./compute-project.js', import.meta.url).href,
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts `node script` with the module URLs and `env`; resolves with its output when it exits. */
function startChild(script: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, ...MODULES, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>(
    (resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, exited };
}

const BLOCKING_CHILD = `
import { writeFileSync } from 'node:fs';
const { openRepository } = await import(process.env.REPO_MODULE);
const { openComputeProject } = await import(process.env.COMPUTE_MODULE);
const project = await openComputeProject(await openRepository(process.env.ROOT));
const slow = project.collection('slow', async (id, args, ctx) => {
  ctx.log.info('started by the child');
  writeFileSync(ctx.dir + '/partial.bin', 'half-written');
  writeFileSync(process.env.STARTED, String(process.pid));
  await new Promise(() => setInterval(() => {}, 1000));
});
await project.fetch(slow, 'victim/../1 ✓', { args: { size: 3 } });
`;

test('a process SIGKILLed mid-compute leaves a stale pending row that the next fetch recomputes', async () => {
  const t = await createTempRepo({});
  try {
    const script = join(t.root, 'blocking-child.mjs');
    const started = join(t.root, 'started.txt');
    writeFileSync(script, BLOCKING_CHILD);
    const { child, exited } = startChild(script, { ROOT: t.root, STARTED: started });
    const deadline = Date.now() + 20_000;
    while (!existsSync(started)) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        assert.fail(`the child never started computing: ${(await exited).stderr}`);
      }
      await sleep(20);
    }
    const project = await openComputeProject(withSqliteComputePort(t.repo));
    try {
      let calls = 0;
      const slow = project.collection('slow', (id: string, args: { size: number }, ctx) => {
        calls++;
        ctx.log.info('recomputed');
        return { id, size: args.size };
      });
      const args = { size: 3 };
      const id = 'victim/../1 ✓';
      const live = await project.resource(slow, id, { args });
      assert.equal(live.status, 'pending');
      assert.equal(live.stale, false, 'its holder is alive');

      child.kill('SIGKILL');
      const end = await exited;
      assert.equal(end.signal, 'SIGKILL');

      const dead = await project.resource(slow, id, { args });
      assert.equal(dead.status, 'pending');
      assert.equal(dead.stale, true);
      assert.equal((await project.stats(slow)).slow!.stale, 1);
      assert.match(await project.fetchLog(slow, id, { args }), /started by the child/);

      const r = await project.fetch(slow, id, { args });
      assert.equal(r.status, 'complete');
      assert.deepEqual(r.result, { id, size: 3 });
      assert.equal(r.attempts, 2);
      assert.equal(calls, 1);
      const log = await project.fetchLog(slow, id, { args });
      assert.match(log, /recomputed/);
      assert.doesNotMatch(log, /started by the child/, 'the takeover starts from an empty folder');
      assert.equal(existsSync(join(r.dir!, 'partial.bin')), false);
      assert.deepEqual(await project.stats(slow), {
        slow: { total: 1, unavailable: 0, pending: 0, complete: 1, error: 0, stale: 0 },
      });
    } finally {
      await project.close();
    }
  } finally {
    await t.done();
  }
});

const OVERLAP_CHILD = `
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
const { openRepository } = await import(process.env.REPO_MODULE);
const { openComputeProject } = await import(process.env.COMPUTE_MODULE);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const repo = await openRepository(process.env.ROOT);
const project = await openComputeProject(repo);
const c = project.collection('overlap', async (id) => {
  appendFileSync(join(process.env.MARKERS, process.pid + '.txt'), id + '\\n');
  await sleep(1 + Math.random() * 3);
  return { id, pid: process.pid };
}, { concurrency: 4 });
const ids = JSON.parse(process.env.IDS);
await sleep(Number(process.env.START_AT) - Date.now());
let errors = 0;
const seen = {};
await Promise.all(ids.map(async (id) => {
  try {
    const r = await project.fetch(c, id);
    if (r.status !== 'complete') errors++;
    else seen[id] = r.result.pid;
  } catch (err) {
    errors++;
    console.error(err);
  }
}));
await project.close();
await repo.close();
console.log(JSON.stringify({ errors, seen }));
`;

test('four processes fetching overlapping keys at once compute each key exactly once, without errors', async () => {
  const t = await createTempRepo({});
  try {
    const script = join(t.root, 'overlap-child.mjs');
    const markers = join(t.root, 'markers');
    mkdirSync(markers);
    writeFileSync(script, OVERLAP_CHILD);
    const KEYS = 160;
    const all = Array.from({ length: KEYS }, (_, i) => `key/${i}`);
    const startAt = String(Date.now() + 1500);
    const children = Array.from({ length: 4 }, (_, c) => {
      // Each child asks for 120 of the 160 keys (each key asked by three children), in its own order.
      const ids = Array.from({ length: 120 }, (_, j) => all[(c * 40 + j) % KEYS]!);
      if (c % 2) ids.reverse();
      return startChild(script, {
        ROOT: t.root,
        MARKERS: markers,
        IDS: JSON.stringify(ids),
        START_AT: startAt,
      });
    });
    const ends = await Promise.all(children.map((c) => c.exited));
    const reports = ends.map((end) => {
      assert.equal(end.code, 0, `child failed: ${end.stderr}`);
      return JSON.parse(end.stdout) as { errors: number; seen: Record<string, number> };
    });
    assert.deepEqual(
      reports.map((r) => r.errors),
      [0, 0, 0, 0],
    );
    const computed = readdirSync(markers).flatMap((f) =>
      readFileSync(join(markers, f), 'utf8').trim().split('\n').filter(Boolean),
    );
    assert.equal(computed.length, KEYS, 'each key computed exactly once');
    assert.equal(new Set(computed).size, KEYS);
    // Everyone saw the same result for a key: the one computation's.
    for (const id of all) {
      const pids = new Set(reports.flatMap((r) => (id in r.seen ? [r.seen[id]] : [])));
      assert.equal(pids.size, 1, id);
    }
    const project = await openComputeProject(withSqliteComputePort(t.repo));
    try {
      assert.deepEqual(await project.stats('overlap'), {
        overlap: { total: KEYS, unavailable: 0, pending: 0, complete: KEYS, error: 0, stale: 0 },
      });
    } finally {
      await project.close();
    }
  } finally {
    await t.done();
  }
});
