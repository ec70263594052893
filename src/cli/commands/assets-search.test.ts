import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_BIN, runCli, type CliRun } from '../test-support/run-cli.js';
import {
  CAN_LIST_PROCESSES,
  isRunning,
  searchChildrenOf,
} from '../../assets/store/sqlite/sqlite-search-test-support.js';
import {
  frameName,
  sequenceFolder,
  tempFolder,
  tinyPng,
  writeConfig,
  writeTree,
} from '../../assets/traits/test-fixture.js';

/** The installed command (`bin` in package.json): the esbuild bundle, beside dist/src. */
const BUNDLE = fileURLToPath(new URL('../../../strata.js', import.meta.url));

/** Runs the bundled CLI as `npx strata` would. */
function runBundle(cwd: string, args: readonly string[]): CliRun {
  const r = spawnSync(process.execPath, [BUNDLE, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', STRATA_DEBUG: '' },
  });
  return {
    code: r.status ?? -1,
    stdout: r.stdout,
    stderr: r.stderr,
    json: <T>() => JSON.parse(r.stdout) as T,
  };
}

/** Runs the bundled CLI without blocking the event loop. */
function runAsync(
  cwd: string,
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUNDLE, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', STRATA_DEBUG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A recursive CTE that never ends and never yields a row. */
const ENDLESS_SILENT =
  'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c';
/** Reads `data` (holding a snapshot of assets.db), yields one row, then runs for ever. */
const ENDLESS_AFTER_ONE_ROW =
  'WITH RECURSIVE c(x) AS (SELECT count(*) FROM data UNION ALL SELECT x + 1 FROM c) SELECT x FROM c WHERE x = 2 OR x < 0';
const numbers = (n: number) =>
  `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ${n}) SELECT x FROM c`;

async function withTables(work: (root: string) => Promise<void> | void): Promise<void> {
  const root = tempFolder('strata-assets-search-cli-');
  try {
    assert.equal(runCli(root, ['init']).code, 0);
    const png = await tinyPng();
    writeTree(root, {
      [path.join('ingress', sequenceFolder('good'), frameName('good', 1))]: png,
      [path.join('ingress', sequenceFolder('good'), frameName('good', 2))]: png,
    });
    writeConfig(root);
    const update = runCli(root, ['assets', 'update']);
    assert.equal(update.code, 0, update.stderr);
    await work(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const oneLine = (r: CliRun) => assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);

test('assets search limits: time, rows and bytes stop with one line and exit 1, from dist/src and the bundle', async () => {
  await withTables((root) => {
    for (const run of [runCli, runBundle]) {
      const name = run === runCli ? CLI_BIN : BUNDLE;
      const slow = run(root, ['assets', 'search', ENDLESS_SILENT, '--timeout', '0.5']);
      assert.equal(slow.code, 1, `${name}: ${slow.stderr}`);
      oneLine(slow);
      assert.match(slow.stderr, /time limit.*--timeout/);
      const rows = run(root, ['assets', 'search', numbers(11), '--max-rows', '10']);
      assert.equal(rows.code, 1, `${name}: ${rows.stderr}`);
      oneLine(rows);
      assert.match(rows.stderr, /--max-rows/);
      // Normal searches answer as before.
      const files = run(root, [
        'assets',
        'search',
        'SELECT file_path FROM data ORDER BY file_path',
        '--json',
      ]);
      assert.equal(files.code, 0, files.stderr);
      assert.equal(files.json<unknown[]>().length, 2);
    }
    const enough = runCli(root, ['assets', 'search', numbers(10), '--max-rows', '10', '--json']);
    assert.equal(enough.code, 0, enough.stderr);
    assert.equal(enough.json<unknown[]>().length, 10);
    const bytes = runCli(root, [
      'assets',
      'search',
      "SELECT printf('%.*c', 5000, 'x') AS s",
      '--max-bytes',
      '4096',
    ]);
    assert.equal(bytes.code, 1, bytes.stderr);
    oneLine(bytes);
    assert.match(bytes.stderr, /--max-bytes/);
    // Writes are still refused.
    const write = runCli(root, ['assets', 'search', 'DELETE FROM files']);
    assert.equal(write.code, 1);
    assert.match(write.stderr, /only statements that read/);
    for (const bad of [
      ['--timeout', 'abc'],
      ['--timeout', '0'],
      ['--max-rows', '1.5'],
      ['--max-bytes', '-1'],
    ]) {
      const r = runCli(root, ['assets', 'search', 'SELECT 1', ...bad]);
      assert.equal(r.code, 1, bad.join(' '));
      oneLine(r);
      assert.match(r.stderr, new RegExp(bad[0]!));
    }
  });
});

test('assets search limits from the asset config (search.max_rows, ...); the flags win', async () => {
  await withTables((root) => {
    appendFileSync(path.join(root, 'strata-assets.yaml'), 'search:\n  max_rows: 3\n  timeout_seconds: 0.5\n');
    const rows = runCli(root, ['assets', 'search', numbers(4)]);
    assert.equal(rows.code, 1, rows.stderr);
    assert.match(rows.stderr, /more than 3 rows/);
    assert.equal(runCli(root, ['assets', 'search', numbers(4), '--max-rows', '4']).code, 0);
    const slow = runCli(root, ['assets', 'search', ENDLESS_SILENT]);
    assert.equal(slow.code, 1);
    assert.match(slow.stderr, /after 0\.5 s/);
    appendFileSync(path.join(root, 'strata-assets.yaml'), '  max_bytes: lots\n');
    const broken = runCli(root, ['assets', 'search', 'SELECT 1']);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /search\.max_bytes/);
  });
});

test('assets search never blocks assets update: an update finishes while a search runs, then the search times out', async () => {
  await withTables(async (root) => {
    const search = spawn(
      process.execPath,
      [BUNDLE, 'assets', 'search', ENDLESS_AFTER_ONE_ROW, '--timeout', '10'],
      {
        cwd: root,
        env: { ...process.env, NO_COLOR: '1', STRATA_DEBUG: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    search.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => search.on('close', (code) => resolve(code)));
    // Ready once the search's own process runs (where /proc can tell); it reads `data` at once.
    if (CAN_LIST_PROCESSES)
      while (searchChildrenOf(search.pid).length === 0 && search.exitCode === null)
        await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(search.exitCode, null, stderr);
    writeTree(root, {
      [path.join('ingress', sequenceFolder('good'), frameName('good', 3))]: await tinyPng(),
    });
    // Run without blocking this event loop, so the search's exit is seen the moment it happens.
    const update = await runAsync(root, ['assets', 'update', '--json']);
    assert.equal(update.code, 0, update.stderr);
    assert.equal((JSON.parse(update.stdout) as { files: number }).files, 3);
    // Blocked by the search, the update would only have finished after the search was stopped.
    assert.equal(search.exitCode, null, 'the search was still running when the update finished');
    assert.equal(await exited, 1);
    assert.match(stderr, /time limit/);
  });
});

test(
  'assets search killed with SIGKILL: its search process does not outlive it',
  { skip: !CAN_LIST_PROCESSES && 'needs /proc to find the search process' },
  async () => {
    await withTables(async (root) => {
      const search = spawn(
        process.execPath,
        [BUNDLE, 'assets', 'search', ENDLESS_SILENT, '--timeout', '600'],
        {
          cwd: root,
          stdio: 'ignore',
        },
      );
      const exited = new Promise((resolve) => search.on('close', resolve));
      let children: number[] = [];
      while ((children = searchChildrenOf(search.pid)).length === 0 && search.exitCode === null)
        await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(children.length, 1, 'the search process started');
      search.kill('SIGKILL');
      await exited;
      // The orphan's watchdog sees its parent gone and kills it (SQLite never gives its thread back).
      while (isRunning(children[0]!)) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(isRunning(children[0]!), false);
    });
  },
);
