import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openRepository, openRepositoryJobQueue, type JobRecord } from '../../api/index.js';
import { runCli, type CliRun } from '../test-support/run-cli.js';

function oneLineError(r: CliRun, code = 1): void {
  assert.equal(r.code, code, `exit code; stderr: ${r.stderr}`);
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line on stderr, got: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

test('strata job list, show, cancel over the job records in the catalog', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-cli-job-'));
  try {
    assert.equal(runCli(dir, ['init']).code, 0);
    assert.deepEqual(runCli(dir, ['job', 'list', '--json']).json(), []);
    assert.match(runCli(dir, ['job', 'list']).stdout, /no jobs/);

    const repo = await openRepository(dir);
    const queue = await openRepositoryJobQueue(repo);
    let done: JobRecord;
    let open: JobRecord;
    try {
      done = await queue.createJob({
        kind: 'demo',
        config: { what: 'finished' },
        tasks: [
          { key: 'a', payload: 1 },
          { key: 'b', payload: 2 },
        ],
        retry: { maxAttempts: 1 },
        allowErrors: true,
      });
      const worker = queue.createWorker({
        jobId: done.id,
        workerId: 'cli-test-worker',
        handlers: {
          demo: async ({ lease }) => {
            if (lease.taskKey === 'b') throw new Error('tile b is truncated');
          },
        },
      });
      await worker.idle;
      await worker.close();
      open = await queue.createJob({
        kind: 'demo',
        config: { what: 'open' },
        tasks: [{ key: 'a', payload: 1 }],
      });
    } finally {
      await queue.close();
      await repo.close();
    }

    const listed = runCli(dir, ['job', 'list', '--json']).json() as JobRecord[];
    assert.deepEqual(
      listed.map((job) => [job.id, job.state]),
      [
        [open.id, 'queued'],
        [done.id, 'completed_with_errors'],
      ],
    );
    const queuedOnly = runCli(dir, ['job', 'list', '--state', 'queued', '--json']).json() as JobRecord[];
    assert.deepEqual(
      queuedOnly.map((job) => job.id),
      [open.id],
    );

    const shown = runCli(dir, ['job', 'show', done.id, '--json']).json() as JobRecord;
    assert.deepEqual(shown.counts, { total: 2, done: 1, failed: 1 });
    assert.deepEqual(shown.config, { what: 'finished' });
    assert.deepEqual(
      shown.workers.map((w) => w.id),
      ['cli-test-worker'],
    );
    assert.equal(shown.errors[0]?.taskKey, 'b');
    const human = runCli(dir, ['job', 'show', done.id]);
    assert.equal(human.code, 0);
    assert.match(human.stdout, /completed_with_errors/);
    assert.match(human.stdout, /tile b is truncated/);

    const cancelled = runCli(dir, ['job', 'cancel', open.id]);
    assert.equal(cancelled.code, 0, cancelled.stderr);
    assert.match(cancelled.stdout, /Cancelled job/);
    assert.equal((runCli(dir, ['job', 'show', open.id, '--json']).json() as JobRecord).state, 'cancelled');

    oneLineError(runCli(dir, ['job', 'cancel', open.id]));
    oneLineError(runCli(dir, ['job', 'cancel', done.id]));
    oneLineError(runCli(dir, ['job', 'show', 'no-such-job']));
    oneLineError(runCli(dir, ['job', 'list', '--state', 'sleeping']));
    oneLineError(runCli(dir, ['job', 'cancel', open.id, '--queue', 'kafka://x']));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
