/**
 * Ingest on the shared deployment: worker groups in separate processes and working folders that
 * share only PostgreSQL (catalog and job tables), the S3-protocol store and (for BullMQ) Redis join
 * one job over a 1024 × 1024 × 64 uint8 stack; one group is SIGKILLed once it has finished a task,
 * a new group joins; the committed volume equals the source byte for byte, every chunk is committed
 * once, and fsck passes. Then a second job is cancelled after a task: what it uploaded loses its
 * references and gc removes it, while the committed volume stays.
 *
 * Runs once per engine: the local queue over the shared job tables (when STRATA_TEST_POSTGRES is
 * set) and BullMQ on Redis (when STRATA_TEST_REDIS is set too; a unique key prefix, removed at the
 * end). A variable set to a server that does not answer fails the test. s3rver is started here.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { writeImages } from '../../api/index.js';
import { dropSchema, freshSchema } from '../../catalog/postgres/test-support/test-schema.js';
import { deleteRedisKeys } from '../../jobs/bullmq/test-support/redis-keys.js';
import { S3RVER_CREDENTIALS, startS3rver } from '../../store/s3/test-support/s3rver.js';
import { createStrata, type RunningStrata } from './cli-harness.js';

const PG = process.env.STRATA_TEST_POSTGRES;
const REDIS = process.env.STRATA_TEST_REDIS;
const NEED_PG = !PG && 'set STRATA_TEST_POSTGRES=postgres://user@host:5432/db to run';
const BUCKET = 'strata-ingest';
const ENV = {
  AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
  AWS_REGION: 'us-east-1',
  // Short leases: a killed worker's task goes to another one within seconds (BullMQ's lock and
  // stall check follow it).
  STRATA_INGEST_LEASE_MS: '2000',
};
const SIZE = 1024;
const DEPTH = 64;
const strata = createStrata();

function sliceBytes(z: number): Uint8Array {
  const out = new Uint8Array(SIZE * SIZE);
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++) out[y * SIZE + x] = (x * 3 + y * 5 + z * 11 + ((x ^ y) & 7)) & 0xff;
  return out;
}

/** Resolves once `group` reports `n` finished tasks of `total` (progress lines); rejects if it ends first. */
function finishedTasks(group: RunningStrata, name: string, total: number, n = 1): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let text = '';
    const done = new RegExp(`progress ingest (\\d+)/${total}`, 'g');
    group.child.stderr!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      for (const m of text.matchAll(done)) if (Number(m[1]) >= n) resolve();
    });
    void group.done.then(() => reject(new Error(`group ${name} ended first: ${text}`)));
  });
}

/** The whole scenario on one engine: `queue` is STRATA_QUEUE of every machine (undefined: local). */
async function ingestOnMachines(queue: string | undefined): Promise<void> {
  const s3 = await startS3rver({ buckets: [BUCKET] });
  const schema = freshSchema();
  const env = { ...ENV, ...(queue === undefined ? {} : { STRATA_QUEUE: queue }) };
  const dirs: string[] = [];
  const machine = (name: string) => {
    const dir = mkdtempSync(join(tmpdir(), `strata-ingest-${name}-`));
    dirs.push(dir);
    return dir;
  };
  const ok = async (cwd: string, args: string[]) => {
    const r = await strata.start(cwd, args, env).done;
    assert.equal(r.code, 0, `strata ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
    return r;
  };
  const progress = { ...env, STRATA_PROGRESS: 'lines' };
  const join_ = (dir: string, id: string) => strata.start(dir, ['ingest', 'join', id], progress);
  try {
    const source = machine('source');
    await writeImages(
      join(source, 'slices'),
      (async function* () {
        for (let z = 0; z < DEPTH; z++)
          yield { name: String(z).padStart(4, '0'), shape: [SIZE, SIZE], data: sliceBytes(z) };
      })(),
    );
    const init = [
      'init',
      '--catalog',
      `${PG}?schema=${schema}`,
      '--store',
      `s3://${BUCKET}/team`,
      '--s3-endpoint',
      s3.endpoint,
    ];
    const [a, b, c, d] = [machine('a'), machine('b'), machine('c'), machine('d')];
    for (const dir of [a, b, c, d]) await ok(dir, init);
    const config = (file: string, column: string, chunk: number[], depth = DEPTH) =>
      writeFileSync(
        join(a, file),
        JSON.stringify({
          target: { column, dtype: 'uint8', chunk, branch: 'main' },
          extent: { x: [0, SIZE], y: [0, SIZE], z: [0, depth] },
          tile: [512, 512],
          plugin: { name: 'image-stack', params: { root: join(source, 'slices'), pattern: '{z:04d}.png' } },
          retries: 3,
        }),
      );
    const create = async (file: string) =>
      (
        JSON.parse((await ok(a, ['ingest', 'create', file, '-p', '0', '--detach', '--json'])).stdout) as {
          id: string;
        }
      ).id;
    config('ingest.json', 'em', [512, 512, 8]);
    const id = await create('ingest.json');

    const groupB = join_(b, id);
    const groupC = join_(c, id);
    // B is killed once it has finished a task: halfway, whatever the load. C is paused meanwhile so
    // the new group D surely finds work (C's lease may run out: D then takes that task over).
    await finishedTasks(groupB, 'B', 8);
    groupB.child.kill('SIGKILL');
    groupC.child.kill('SIGSTOP');
    assert.equal((await groupB.done).signal, 'SIGKILL');
    const groupD = join_(d, id);
    try {
      await finishedTasks(groupD, 'D', 8);
    } finally {
      groupC.child.kill('SIGCONT');
    }
    const [rc, rd] = await Promise.all([groupC.done, groupD.done]);
    // Whichever group saw the end made (or found) the one commit; both report it completed.
    assert.equal(rc.code, 0, rc.stderr);
    assert.equal(rd.code, 0, rd.stderr);

    const status = JSON.parse((await ok(a, ['ingest', 'status', id, '--json'])).stdout) as {
      state: string;
      tasks: { done: number; total: number };
      workers: number;
    };
    assert.equal(status.state, 'completed');
    assert.deepEqual([status.tasks.done, status.tasks.total], [8, 8]);
    assert.ok(status.workers >= 3, `workers joined: ${status.workers}`);

    const cutout = ['column', 'cutout', 'em', '--x', `0:${SIZE}`, '--y', `0:${SIZE}`, '--z', `0:${DEPTH}`];
    const sameAsSource = async () => {
      await ok(a, [...cutout, '--out', 'all.npy']);
      const npy = readFileSync(join(a, 'all.npy'));
      const data = npy.subarray(npy.byteLength - SIZE * SIZE * DEPTH);
      for (let z = 0; z < DEPTH; z++)
        assert.ok(
          Buffer.from(sliceBytes(z)).equals(data.subarray(z * SIZE * SIZE, (z + 1) * SIZE * SIZE)),
          `slice ${z}`,
        );
    };
    await sameAsSource();
    // Every chunk committed exactly once: 2 × 2 × 8 chunks in one commit on main.
    const log = (await ok(a, ['log'])).stdout;
    assert.equal(log.match(/ingest into em/g)?.length, 1, log);
    await ok(a, ['fsck']);

    // Cancel: a second job (other chunks, so none is shared with `em`) is cancelled from A after
    // its only worker, killed once a task was done, left uploaded but uncommitted chunks. (Killed,
    // not paused: a paused worker may hold a catalog transaction that cancel waits for.)
    // What the killed worker B left: its slab lock outlives it (30 s lease), and gc waits for every
    // lock; an operator frees a dead holder's locks first, as gc's error says.
    await ok(a, ['lock', 'release']);
    await ok(a, ['gc']);
    config('other.json', 'other', [512, 512, 4], 16);
    const other = await create('other.json');
    const groupE = join_(b, other);
    await finishedTasks(groupE, 'E', 4);
    groupE.child.kill('SIGKILL');
    assert.equal((await groupE.done).signal, 'SIGKILL');
    const cancelled = JSON.parse((await ok(a, ['ingest', 'cancel', other, '--json'])).stdout) as {
      state: string;
      tasks: { done: number };
    };
    assert.equal(cancelled.state, 'cancelled');
    assert.ok(cancelled.tasks.done >= 1 && cancelled.tasks.done < 4, JSON.stringify(cancelled.tasks));
    const joinLate = await strata.start(c, ['ingest', 'join', other], env).done;
    assert.equal(joinLate.code, 1, 'joining a cancelled job is refused');
    await ok(a, ['lock', 'release']); // the killed worker E's lock
    const gc = JSON.parse((await ok(a, ['gc', '--json'])).stdout) as { removed: number };
    // Every finished task's objects are gone: its chunk (the source repeats every 512 voxels in x
    // and y, so a slab's 4 chunks are one object) and its task record (map leaf, tree, commit).
    assert.ok(
      gc.removed >= 4 * cancelled.tasks.done,
      `gc removed ${gc.removed} objects of the cancelled job (${cancelled.tasks.done} tasks done)`,
    );
    const log2 = (await ok(a, ['log'])).stdout;
    assert.doesNotMatch(log2, /ingest into other/);
    await ok(a, ['fsck']); // the committed volume is intact: every object it reaches verifies
  } finally {
    await s3.stop();
    await dropSchema(PG!, schema);
    dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  }
}

// The two engines run at once: each has its own schema, S3 server, Redis prefix and folders, and
// most of a scenario is waiting (worker starts, a killed worker's lease running out), so together
// they take little more than one.
describe('ingest on three machines', { concurrency: 2 }, () => {
  test(
    'ingest on three machines sharing PostgreSQL and S3 (local queue): one killed halfway, a new one joins; cancel leaves garbage for gc only',
    { skip: NEED_PG },
    () => ingestOnMachines(undefined),
  );

  test(
    'ingest on three machines sharing PostgreSQL, S3 and Redis (BullMQ): one killed halfway, a new one joins; cancel leaves garbage for gc only',
    {
      skip:
        NEED_PG || (!REDIS && 'set STRATA_TEST_REDIS=redis://host:6379 (and STRATA_TEST_POSTGRES) to run'),
    },
    async () => {
      const prefix = `strata-test-ingest-${process.pid}-${randomBytes(4).toString('hex')}`;
      const url = new URL(REDIS!);
      url.searchParams.set('prefix', prefix);
      try {
        await ingestOnMachines(url.toString());
      } finally {
        await deleteRedisKeys(REDIS!, prefix).catch(() => 0);
      }
    },
  );
});
