import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commit } from '../commit/create-commit.js';
import { listenOnSocket, makeFifo } from '../test-support/special-files.js';
import { createTempRepo } from '../test-support/temp-repo.js';
import { status } from './status.js';

test('status and commit report FIFOs, sockets and non-UTF-8 names instead of dropping them silently', async () => {
  const t = await createTempRepo();
  const server = await listenOnSocket(join(t.root, 'data/app.sock'));
  try {
    const fifo = makeFifo(join(t.root, 'data/pipe'));
    writeFileSync(
      Buffer.concat([Buffer.from(join(t.root, 'data/caf')), Buffer.from([0xe9, 0x2e, 0x63, 0x73, 0x76])]),
      'x',
    );
    mkdirSync(join(t.root, 'data/ok'));
    writeFileSync(join(t.root, 'data/ok/train.csv'), 'a,b');
    const expected = [
      { resource: 'data', path: 'app.sock', reason: 'socket' },
      { resource: 'data', path: 'caf\\xe9.csv', reason: 'non-utf8-name' },
      ...(fifo ? [{ resource: 'data', path: 'pipe', reason: 'fifo' }] : []),
    ];
    const report = await status(t.repo);
    assert.deepEqual(report.skipped, expected);
    assert.deepEqual(
      report.changes.map((c) => c.path),
      ['ok/train.csv'],
    );
    const told: unknown[] = [];
    const made = await commit(t.repo, { message: 'one', onSkipped: (s) => told.push(...s) });
    assert.deepEqual(made.skipped, expected);
    assert.deepEqual(told, expected);
    // Reported even when there is nothing else to commit.
    told.length = 0;
    await assert.rejects(commit(t.repo, { message: 'two', onSkipped: (s) => told.push(...s) }), {
      code: 'E_NOTHING_TO_COMMIT',
    });
    assert.deepEqual(told, expected);
    assert.deepEqual((await status(t.repo)).skipped, expected);
  } finally {
    await new Promise((r) => server.close(r));
    await t.done();
  }
});
