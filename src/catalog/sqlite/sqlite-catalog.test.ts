import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { runCatalogConformance } from '../catalog-conformance.js';
import { openSqliteCatalog } from './sqlite-catalog.js';

async function freshDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'strata-sqlite-catalog-'));
}

runCatalogConformance('sqlite', async () => {
  const dir = await freshDir();
  const path = join(dir, 'catalog.db');
  return {
    catalog: await openSqliteCatalog({ path }),
    reopen: () => openSqliteCatalog({ path }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

/**
 * One child process: waits for the common start time (so first opens collide), opens the catalog,
 * then 50 times tries to take lock `shared`. While holding it, it creates `inside` exclusively
 * (`wx`: fails if another holder is inside) and appends its pid to `counter`.
 */
const CHILD = `
import { appendFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
const { openSqliteCatalog } = await import(process.env.CATALOG_MODULE);
const { DB, INSIDE, COUNTER, START_AT } = process.env;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
await sleep(Number(START_AT) - Date.now());
const catalog = await openSqliteCatalog({ path: DB });
const holder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command: 'child' };
let held = 0;
for (let i = 0; i < 50; i++) {
  try {
    await catalog.acquireLocks(['shared'], holder);
  } catch (err) {
    if (err.code !== 'E_LOCKED') throw err;
    await sleep(Math.random() * 3);
    continue;
  }
  writeFileSync(INSIDE, String(process.pid), { flag: 'wx' });
  appendFileSync(COUNTER, process.pid + '\\n');
  await sleep(Math.random() * 3);
  unlinkSync(INSIDE);
  await catalog.releaseLocks(['shared'], holder);
  held++;
}
await catalog.close();
console.log(JSON.stringify({ held }));
`;

function runChild(
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('SqliteCatalog', () => {
  it('runs in WAL mode and a second open of the file sees the first one’s refs', async () => {
    const dir = await freshDir();
    try {
      const path = join(dir, 'catalog.db');
      const first = await openSqliteCatalog({ path });
      const { rows } = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(first.db);
      assert.equal(rows[0]?.journal_mode, 'wal');
      await first.updateRef('refs/heads/main', 'c1', null);
      const second = await openSqliteCatalog({ path });
      assert.equal((await second.getRef('refs/heads/main'))?.target, 'c1');
      await first.close();
      // Closing one catalog leaves the other (which shares the connection) working.
      assert.equal((await second.listRefs()).length, 1);
      await second.close();
      const third = await openSqliteCatalog({ path });
      assert.equal((await third.getRef('refs/heads/main'))?.target, 'c1');
      await third.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('opens the same new file concurrently within one process', async () => {
    const dir = await freshDir();
    try {
      const path = join(dir, 'catalog.db');
      const catalogs = await Promise.all([1, 2, 3].map(() => openSqliteCatalog({ path })));
      await catalogs[0]!.setConfig('k', 'v');
      for (const c of catalogs) assert.equal(await c.getConfig('k'), 'v');
      for (const c of catalogs) await c.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('four processes opening a new file at once share one lock without errors or overlap', async () => {
    const dir = await freshDir();
    try {
      const env = {
        CATALOG_MODULE: new URL('./sqlite-catalog.js', import.meta.url).href,
        DB: join(dir, 'catalog.db'),
        INSIDE: join(dir, 'inside'),
        COUNTER: join(dir, 'counter'),
        START_AT: String(Date.now() + 1_000),
      };
      const results = await Promise.all([1, 2, 3, 4].map(() => runChild(env)));
      let held = 0;
      for (const r of results) {
        assert.equal(r.code, 0, r.stderr);
        held += (JSON.parse(r.stdout) as { held: number }).held;
      }
      const lines = (await readFile(env.COUNTER, 'utf8')).trim().split('\n');
      assert.equal(lines.length, held);
      assert.ok(held >= 10, `only ${held} of 200 attempts held the lock`);
      const catalog = await openSqliteCatalog({ path: env.DB });
      assert.deepEqual(await catalog.listLocks(), []);
      await catalog.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
