import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { test } from 'node:test';
import { writeImages, writeNpy } from '../../api/index.js';
import { openSqliteCatalog } from '../../catalog/sqlite/sqlite-catalog.js';
import { CLI_BIN, runCli } from '../test-support/run-cli.js';

async function* once(data: Uint8Array): AsyncGenerator<Uint8Array> {
  yield data;
}

async function npy(
  path: string,
  dtype: 'uint8' | 'int64',
  sampleShape: number[],
  data: Uint8Array,
): Promise<void> {
  const sampleBytes = sampleShape.reduce((a, b) => a * b, 1) * (dtype === 'uint8' ? 1 : 8);
  await writeNpy(path, { dtype, sampleShape, count: data.byteLength / sampleBytes, chunks: once(data) });
}

function project(): { root: string; done(): void } {
  const root = mkdtempSync(join(tmpdir(), 'strata-columns-cli-'));
  assert.equal(runCli(root, ['init']).code, 0);
  return { root, done: () => rmSync(root, { recursive: true, force: true }) };
}

/** Resolves once `stream` prints a line matching `pattern` (rejects if it ends first). */
function waitForLine(stream: Readable, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (text.split('\n').some((line) => pattern.test(line))) {
        stream.off('data', onData);
        resolve();
      }
    };
    stream.on('data', onData);
    stream.once('end', () => reject(new Error(`stream ended without ${pattern}: ${text}`)));
  });
}

const pixels = (n: number, seed: number) =>
  Uint8Array.from({ length: n * 16 }, (_, i) => (i * 31 + seed) & 0xff);

test('column import, commit, branch, merge, diff and export through the CLI', async () => {
  const p = project();
  try {
    await npy(join(p.root, 'images.npy'), 'uint8', [4, 4], pixels(50, 1));
    const imported = runCli(p.root, ['column', 'import', 'images', 'images.npy', '--create', '--json']);
    assert.equal(imported.code, 0, imported.stderr);
    assert.deepEqual(imported.json<{ samples: number; created: boolean }>().samples, 50);
    assert.deepEqual(runCli(p.root, ['column', 'list', '--json']).json(), [
      {
        name: 'images',
        kind: 'ndarray',
        dtype: 'uint8',
        shape: [4, 4],
        variable: false,
        layout: 'flat',
        count: 50,
      },
    ]);
    const staged = runCli(p.root, ['diff', '--json']).json<{ changes: { column?: string }[] }>();
    assert.equal(staged.changes.filter((c) => c.column === 'images').length, 50);
    assert.equal(runCli(p.root, ['commit', '-m', 'images']).code, 0);
    assert.deepEqual(runCli(p.root, ['column', 'status', '--json']).json(), []);

    assert.equal(runCli(p.root, ['checkout', 'main', '--branch', 'more']).code, 0);
    await npy(join(p.root, 'more.npy'), 'uint8', [4, 4], pixels(10, 9));
    assert.equal(runCli(p.root, ['column', 'import', 'images', 'more.npy', '--start', '50']).code, 0);
    assert.equal(runCli(p.root, ['commit', '-m', 'ten more']).code, 0);
    assert.equal(runCli(p.root, ['checkout', 'main']).code, 0);
    const merged = runCli(p.root, ['merge', 'more', '--json']);
    assert.equal(merged.code, 0, merged.stderr);
    assert.equal(merged.json<{ result: string }>().result, 'fast-forward');
    const diff = runCli(p.root, ['diff', 'HEAD~1', 'HEAD', '--json']).json<{ changes: unknown[] }>();
    assert.deepEqual(diff.changes[0], { column: 'images', key: 50, change: 'added' });
    assert.equal(diff.changes.length, 10);

    assert.equal(runCli(p.root, ['column', 'export', 'images', 'out.npy']).code, 0);
    const original = Buffer.concat([pixels(50, 1), pixels(10, 9)]);
    const exported = readFileSync(join(p.root, 'out.npy'));
    assert.deepEqual(exported.subarray(exported.byteLength - original.byteLength), original);
    assert.match(exported.toString('latin1', 0, 128), /'shape': \(60, 4, 4\)/);
    const summary = runCli(p.root, ['summary', '--json']).json<{
      commit: string;
      author: string;
      time: string;
      message: string;
      columns: { count: number }[];
    }>();
    assert.equal(summary.columns[0]!.count, 60);
    // The commit it describes, as Hangar's summary shows it.
    assert.equal(summary.message, 'ten more');
    assert.ok(summary.author.length > 0);
    assert.ok(!Number.isNaN(Date.parse(summary.time)));
    const text = runCli(p.root, ['summary']).stdout;
    assert.match(text, new RegExp(`commit ${summary.commit.slice(0, 8)}`));
    assert.match(text, /message ten more/);
    assert.match(text, /author \S/);
  } finally {
    p.done();
  }
});

test('conflicting merges exit 1 with the conflicts listed; --strategy resolves them', async () => {
  const p = project();
  try {
    await npy(join(p.root, 'a.npy'), 'uint8', [4, 4], pixels(5, 1));
    await npy(join(p.root, 'b.npy'), 'uint8', [4, 4], pixels(5, 2));
    await npy(join(p.root, 'c.npy'), 'uint8', [4, 4], pixels(5, 3));
    runCli(p.root, ['column', 'import', 'x', 'a.npy', '--create']);
    runCli(p.root, ['commit', '-m', 'base']);
    runCli(p.root, ['branch', 'other']);
    runCli(p.root, ['column', 'import', 'x', 'b.npy']);
    runCli(p.root, ['commit', '-m', 'ours']);
    runCli(p.root, ['checkout', 'other']);
    runCli(p.root, ['column', 'import', 'x', 'c.npy']);
    runCli(p.root, ['commit', '-m', 'theirs']);
    runCli(p.root, ['checkout', 'main']);
    const refused = runCli(p.root, ['merge', 'other', '--json']);
    assert.equal(refused.code, 1);
    const body = refused.json<{
      result: string;
      conflicts: { column: string; key: number; kind: string }[];
    }>();
    assert.equal(body.result, 'conflict');
    assert.deepEqual(body.conflicts[0], { column: 'x', key: 0, kind: 'both-changed' });
    assert.equal(body.conflicts.length, 5);
    const resolved = runCli(p.root, ['merge', 'other', '--strategy', 'theirs', '--json']);
    assert.equal(resolved.code, 0, resolved.stderr);
    assert.equal(resolved.json<{ result: string }>().result, 'merged');
    assert.equal(runCli(p.root, ['column', 'export', 'x', 'x.npy']).code, 0);
    const x = readFileSync(join(p.root, 'x.npy'));
    assert.deepEqual(x.subarray(x.byteLength - 80), Buffer.from(pixels(5, 3)));
  } finally {
    p.done();
  }
});

test('bad input: wrong dtype, truncated npy, an image that will not decode; nothing is staged', async () => {
  const p = project();
  try {
    await npy(join(p.root, 'a.npy'), 'uint8', [4, 4], pixels(5, 1));
    runCli(p.root, ['column', 'import', 'x', 'a.npy', '--create']);
    runCli(p.root, ['commit', '-m', 'base']);
    await npy(join(p.root, 'labels.npy'), 'int64', [1], new Uint8Array(40));
    const wrong = runCli(p.root, ['column', 'import', 'x', 'labels.npy']);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /column 'x': expected dtype uint8, got int64/);
    assert.equal(wrong.stderr.trim().split('\n').length, 1);
    const full = readFileSync(join(p.root, 'a.npy'));
    writeFileSync(join(p.root, 'cut.npy'), full.subarray(0, full.byteLength - 7));
    const cut = runCli(p.root, ['column', 'import', 'x', 'cut.npy', '--start', '100']);
    assert.equal(cut.code, 1);
    assert.match(cut.stderr, /cut\.npy/);
    mkdirSync(join(p.root, 'pics'));
    async function* two() {
      yield { name: 'a', shape: [4, 4], data: pixels(1, 1) };
      yield { name: 'b', shape: [4, 4], data: pixels(1, 2) };
    }
    await writeImages(join(p.root, 'pics-ok'), two());
    for (const f of ['a.png', 'b.png'])
      writeFileSync(join(p.root, 'pics', f), readFileSync(join(p.root, 'pics-ok', f)));
    writeFileSync(join(p.root, 'pics', 'c.png'), Buffer.from('\x89PNG\r\n\x1a\nnot really'));
    const bad = runCli(p.root, ['column', 'import', 'x', 'pics', '--start', '200']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /c\.png/);
    assert.deepEqual(runCli(p.root, ['column', 'status', '--json']).json(), []);
    const unknown = runCli(p.root, ['column', 'create', 'y', '--dtype', 'complex64', '--shape', '2']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown dtype 'complex64'/);
  } finally {
    p.done();
  }
});

test('a bulk import killed part-way leaves nothing visible; fsck passes and the earlier commit reads intact', async () => {
  const p = project();
  try {
    await npy(join(p.root, 'a.npy'), 'uint8', [4, 4], pixels(5, 1));
    runCli(p.root, ['column', 'import', 'x', 'a.npy', '--create']);
    runCli(p.root, ['commit', '-m', 'base']);
    // Four 8 MiB batches; the kill lands after the third (sized by work done, not by time).
    const big = new Uint8Array(8 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big[i] = i & 0xff;
    async function* chunks() {
      for (let i = 0; i < 4; i++) yield big;
    }
    await writeNpy(join(p.root, 'big.npy'), {
      dtype: 'uint8',
      sampleShape: [4, 4],
      count: (4 * big.length) / 16,
      chunks: chunks(),
    });
    const child = spawn(process.execPath, [CLI_BIN, 'column', 'import', 'x', 'big.npy', '--start', '10'], {
      cwd: p.root,
      env: { ...process.env, STRATA_TEST_SIGNAL_AFTER_BATCHES: '3' },
    });
    const exited = new Promise((r) => child.once('exit', r));
    await waitForLine(child.stderr, /^strata-test-signal: 3 batches$/);
    child.kill('SIGKILL');
    await exited;
    const fsck = runCli(p.root, ['fsck', '--json']);
    assert.equal(fsck.code, 0, fsck.stdout + fsck.stderr);
    assert.deepEqual(runCli(p.root, ['column', 'status', '--json']).json(), []);
    // The killed writer's lock is stale: named as such, and freed by `lock release`.
    const locked = runCli(p.root, ['column', 'import', 'x', 'a.npy', '--start', '500']);
    assert.equal(locked.code, 1);
    assert.match(locked.stderr, /no longer running/);
    assert.equal(runCli(p.root, ['lock', 'release']).code, 0);
    assert.equal(runCli(p.root, ['column', 'export', 'x', 'x.npy', '--rev', 'HEAD']).code, 0);
    const x = readFileSync(join(p.root, 'x.npy'));
    assert.deepEqual(x.subarray(x.byteLength - 80), Buffer.from(pixels(5, 1)));
  } finally {
    p.done();
  }
});

test('a failed import stages nothing: a truncated .npy past the first index fold leaves the earlier staging intact (issue 10)', async () => {
  const p = project();
  try {
    await npy(join(p.root, 'a.npy'), 'uint8', [4, 4], pixels(5, 1));
    assert.equal(runCli(p.root, ['column', 'import', 'x', 'a.npy', '--create']).code, 0);
    assert.equal(runCli(p.root, ['commit', '-m', 'base']).code, 0);
    assert.equal(runCli(p.root, ['column', 'import', 'x', 'a.npy', '--start', '100']).code, 0);
    // 600,000 samples in two 8 MiB batches: the first is folded into the index (more than 2^18
    // pending samples) before the second hits the truncated end.
    const data = new Uint8Array(600_000 * 16).fill(7);
    await npy(join(p.root, 'big.npy'), 'uint8', [4, 4], data);
    const full = readFileSync(join(p.root, 'big.npy'));
    writeFileSync(join(p.root, 'cut.npy'), full.subarray(0, full.byteLength - 1000));
    const cut = runCli(p.root, ['column', 'import', 'x', 'cut.npy', '--start', '1000']);
    assert.equal(cut.code, 1, cut.stderr);
    assert.match(cut.stderr, /cut\.npy/);
    const status = runCli(p.root, ['column', 'status', '--json']).json<{ key: number }[]>();
    assert.deepEqual(
      status.map((c) => c.key),
      [100, 101, 102, 103, 104],
    );
    assert.equal(runCli(p.root, ['commit', '-m', 'five more']).code, 0);
    const list = runCli(p.root, ['column', 'list', '--json']).json<{ count: number }[]>();
    assert.equal(list[0]!.count, 10);
  } finally {
    p.done();
  }
});

/**
 * The staged columns of `main` in the repository's catalog, taken out (and put back with `put`):
 * what a commit killed right after its ref update, or another command committing, leaves behind.
 */
async function setStageAside(root: string): Promise<{ put(): Promise<void> }> {
  const path = join(root, '.strata', 'catalog.db');
  const catalog = await openSqliteCatalog({ path, create: false });
  const [row] = await catalog.listStaged({ branch: 'main' });
  assert.ok(row, 'no staged columns on main');
  await catalog.clearStaged(row.workingFolder, row.branch, row.section);
  await catalog.close();
  return {
    async put() {
      const again = await openSqliteCatalog({ path, create: false });
      await again.writeStaged(row.workingFolder, row.branch, row.section, row.value);
      await again.close();
    },
  };
}

test('staged column changes never jam a moved branch: commit carries them over, conflicts name a way out, reset always works (issue 10)', async () => {
  const p = project();
  try {
    await npy(join(p.root, 'a.npy'), 'uint8', [4, 4], pixels(5, 1));
    await npy(join(p.root, 'b.npy'), 'uint8', [4, 4], pixels(5, 2));
    assert.equal(runCli(p.root, ['column', 'import', 'x', 'a.npy', '--create']).code, 0);
    assert.equal(runCli(p.root, ['commit', '-m', 'base']).code, 0);
    // Staged on the base; then the branch moves under it (the staging is set aside meanwhile,
    // as when a commit is killed right after its ref update or another command commits).
    assert.equal(runCli(p.root, ['column', 'import', 'x', 'a.npy', '--start', '100']).code, 0);
    const kept = await setStageAside(p.root);
    assert.equal(runCli(p.root, ['column', 'import', 'x', 'b.npy', '--start', '200']).code, 0);
    assert.equal(runCli(p.root, ['commit', '-m', 'moved']).code, 0);
    await kept.put();
    const status = runCli(p.root, ['column', 'status', '--json']);
    assert.equal(status.code, 0, status.stderr);
    assert.deepEqual(
      status.json<{ key: number }[]>().map((c) => c.key),
      [100, 101, 102, 103, 104],
    );
    const human = runCli(p.root, ['column', 'status']);
    assert.match(human.stdout, /^x: 5 samples changed\n {2}added {4}100\n/);
    const committed = runCli(p.root, ['commit', '-m', 'staged']);
    assert.equal(committed.code, 0, committed.stderr);
    assert.equal(runCli(p.root, ['column', 'list', '--json']).json<{ count: number }[]>()[0]!.count, 15);

    // A real conflict: the same key staged and changed on the moved branch.
    assert.equal(runCli(p.root, ['column', 'import', 'x', 'b.npy', '--start', '0']).code, 0);
    const conflicting = await setStageAside(p.root);
    assert.equal(runCli(p.root, ['column', 'import', 'x', 'a.npy', '--start', '2']).code, 0);
    assert.equal(runCli(p.root, ['commit', '-m', 'other change']).code, 0);
    await conflicting.put();
    for (const args of [
      ['commit', '-m', 'refused'],
      ['column', 'import', 'x', 'a.npy', '--start', '300'],
      ['column', 'rm', 'x'],
    ]) {
      const refused = runCli(p.root, args);
      assert.equal(refused.code, 1, `${args.join(' ')}: ${refused.stderr}`);
      assert.match(refused.stderr, /strata column reset/);
      assert.equal(refused.stderr.trim().split('\n').length, 1);
    }
    const reset = runCli(p.root, ['column', 'reset']);
    assert.equal(reset.code, 0, reset.stderr);
    assert.deepEqual(runCli(p.root, ['column', 'status', '--json']).json(), []);
  } finally {
    p.done();
  }
});
