import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { SchemaTooNewError } from '../../../errors/index.js';
import { openSqliteJobStore } from './sqlite-job-store.js';

test('jobs.db: migrated once, shared per process, reopened with its records; a newer schema is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-jobs-db-'));
  const file = join(dir, 'jobs.db');
  try {
    const a = await openSqliteJobStore({ path: file });
    const b = await openSqliteJobStore({ path: file });
    await a.createJob({
      id: 'j1',
      kind: 'k',
      config: { x: 1 },
      retry: { maxAttempts: 2, backoff: { type: 'fixed', delayMs: 5 } },
      allowErrors: false,
      tasks: [{ key: 'a', payload: null }],
      nowMs: 1000,
    });
    assert.equal((await b.getJob('j1'))?.counts.total, 1);
    await a.close();
    assert.equal((await b.getJob('j1'))?.kind, 'k', 'still open for the other user');
    await b.close();
    const again = await openSqliteJobStore({ path: file });
    assert.deepEqual((await again.getJob('j1'))?.config, { x: 1 });
    await again.close();

    const raw = new Database(file);
    raw.pragma('user_version = 99');
    raw.close();
    await assert.rejects(openSqliteJobStore({ path: file }), SchemaTooNewError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
