/**
 * Ingest on the shared deployment: worker groups in separate processes and working folders that
 * share only PostgreSQL (catalog and job tables) and the S3-protocol store join one job over a
 * 1024 × 1024 × 64 uint8 stack; one group is SIGKILLed once it has finished a task, a new group
 * joins; the committed volume equals the source byte for byte, every chunk is committed once, and
 * fsck passes. Runs when STRATA_TEST_POSTGRES is set (fails if it is set but unreachable); s3rver
 * is started by the test. The engine is the local queue over the shared job tables.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeImages } from '../../api/index.js';
import { dropSchema, freshSchema } from '../../catalog/postgres/test-support/test-schema.js';
import { S3RVER_CREDENTIALS, startS3rver } from '../../store/s3/test-support/s3rver.js';
import { createStrata } from './cli-harness.js';

const PG = process.env.STRATA_TEST_POSTGRES;
const SKIP = !PG && 'set STRATA_TEST_POSTGRES=postgres://user@host:5432/db to run';
const BUCKET = 'strata-ingest';
const ENV = {
  AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
  AWS_REGION: 'us-east-1',
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

test(
  'ingest on three machines sharing PostgreSQL and S3: one killed halfway, a new one joins; the volume equals the source',
  { skip: SKIP },
  async () => {
    const s3 = await startS3rver({ buckets: [BUCKET] });
    const schema = freshSchema();
    const dirs: string[] = [];
    const machine = (name: string) => {
      const dir = mkdtempSync(join(tmpdir(), `strata-ingest-${name}-`));
      dirs.push(dir);
      return dir;
    };
    const ok = async (cwd: string, args: string[], env: NodeJS.ProcessEnv = ENV) => {
      const r = await strata.start(cwd, args, env).done;
      assert.equal(r.code, 0, `strata ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
      return r;
    };
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
      writeFileSync(
        join(a, 'ingest.json'),
        JSON.stringify({
          target: { column: 'em', dtype: 'uint8', chunk: [512, 512, 8], branch: 'main' },
          extent: { x: [0, SIZE], y: [0, SIZE], z: [0, DEPTH] },
          tile: [512, 512],
          plugin: { name: 'image-stack', params: { root: join(source, 'slices'), pattern: '{z:04d}.png' } },
          retries: 3,
        }),
      );
      const { id } = JSON.parse(
        (await ok(a, ['ingest', 'create', 'ingest.json', '-p', '0', '--detach', '--json'])).stdout,
      ) as { id: string };

      const progress = { ...ENV, STRATA_PROGRESS: 'lines' };
      const groupB = strata.start(b, ['ingest', 'join', id], progress);
      const groupC = strata.start(c, ['ingest', 'join', id], progress);
      /** Resolves once `group` reports a finished task (a progress line), rejects if it ends first. */
      const finishedATask = (group: typeof groupB, name: string) =>
        new Promise<void>((resolve, reject) => {
          let text = '';
          group.child.stderr!.on('data', (chunk: Buffer) => {
            text += chunk.toString();
            if (/progress ingest [1-9]\d*\/8/.test(text)) resolve();
          });
          void group.done.then(() => reject(new Error(`group ${name} ended first: ${text}`)));
        });
      // B is killed once it has finished a task: halfway, whatever the load. C is paused meanwhile so
      // the new group D surely finds work (C's lease may run out: D then takes that task over).
      await finishedATask(groupB, 'B');
      groupB.child.kill('SIGKILL');
      groupC.child.kill('SIGSTOP');
      assert.equal((await groupB.done).signal, 'SIGKILL');
      const groupD = strata.start(d, ['ingest', 'join', id], progress);
      try {
        await finishedATask(groupD, 'D');
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

      await ok(a, [
        'column',
        'cutout',
        'em',
        '--x',
        `0:${SIZE}`,
        '--y',
        `0:${SIZE}`,
        '--z',
        `0:${DEPTH}`,
        '--out',
        'all.npy',
      ]);
      const npy = readFileSync(join(a, 'all.npy'));
      const data = npy.subarray(npy.byteLength - SIZE * SIZE * DEPTH);
      for (let z = 0; z < DEPTH; z++)
        assert.ok(
          Buffer.from(sliceBytes(z)).equals(data.subarray(z * SIZE * SIZE, (z + 1) * SIZE * SIZE)),
          `slice ${z}`,
        );
      // Every chunk committed exactly once: 2 × 2 × 8 chunks in one commit on main.
      const log = (await ok(a, ['log'])).stdout;
      assert.equal(log.match(/ingest into em/g)?.length, 1, log);
      await ok(a, ['fsck']);
    } finally {
      await s3.stop();
      await dropSchema(PG!, schema);
      dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
    }
  },
);
