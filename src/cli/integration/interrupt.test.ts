/**
 * Ctrl-C (SIGINT) and SIGTERM during a writing command release its locks and remove its
 * temporary files; only SIGKILL may leave a stale lock. A long commit runs through the installed
 * bin; once its first temp file appears in .strata/objects/tmp (it holds its locks by then) the
 * signal is sent, and afterwards no lock is held and no temp file of it is left. A checkout and a
 * column import are interrupted at their first progress line (STRATA_PROGRESS=lines).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeNpy } from '../../api/index.js';
import { createStrata, withTempDir, type RunningStrata } from './cli-harness.js';

const strata = createStrata();
const MiB = 1024 * 1024;

/** Resolves once `folder` holds a file whose name includes `-<pid>-` (watch, plus a check per event). */
function firstTempFileOf(folder: string, pid: number, ended: Promise<unknown>): Promise<boolean> {
  const mine = () => readdirSync(folder).some((name) => name.includes(`-${pid}-`));
  return new Promise((resolve) => {
    const watcher = watch(folder, () => {
      if (mine()) finish(true);
    });
    const finish = (seen: boolean) => {
      watcher.close();
      resolve(seen);
    };
    void ended.then(() => finish(false));
    if (mine()) finish(true);
  });
}

for (const [signal, exitCode] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  test(`${signal} during a commit: exit ${exitCode}, the lock is free and no temp file is left`, async () => {
    await withTempDir(`interrupt-${signal}`, async (root) => {
      await strata.ok(root, ['init']);
      mkdirSync(join(root, 'data'));
      // Big files' chunks are appended to a temp pack in .strata/objects/tmp: a long commit
      // whose temp file exists from its first file on. Sized so that chunking and hashing at
      // ~1 GB/s on an idle machine still outlast the watch-and-signal round trip many times over.
      for (let i = 0; i < 32; i++) writeFileSync(join(root, 'data', `big-${i}.bin`), randomBytes(5 * MiB));
      await strata.ok(root, ['resource', 'add', 'data', '--role', 'source-data']);
      const tmp = join(root, '.strata', 'objects', 'tmp');
      assert.ok(existsSync(tmp));

      const running = strata.start(root, ['commit', '-m', 'interrupted']);
      const seen = await firstTempFileOf(tmp, running.child.pid!, running.done);
      assert.ok(seen, 'the commit ended before it wrote a temp file');
      running.child.kill(signal);
      const result = await running.done;

      assert.equal(result.code, exitCode, `exit code (signal ${result.signal}); stderr: ${result.stderr}`);
      assert.deepEqual(await strata.json(root, ['lock', '--json']), []);
      assert.deepEqual(
        readdirSync(tmp).filter((name) => name.includes(`-${running.child.pid}-`)),
        [],
        'temp files of the interrupted commit',
      );
      // Nothing was committed, and the next commit works at once (no stale lock to release).
      assert.equal((await strata.run(root, ['log', '--json'])).stdout.trim(), '[]');
      await strata.ok(root, ['commit', '-m', 'after']);
    });
  });
}

/** Every file under `dir` whose name says it is a temp file of `pid`. */
function tempFilesOf(dir: string, pid: number): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((p) => {
    const name = p.split('/').pop()!;
    return name.includes(`-${pid}-`) && (name.startsWith('.tmp-') || name.endsWith('.tmp'));
  });
}

/** Sends `signal` once `running` prints its first progress line; resolves with its result. */
async function interruptAtFirstProgress(running: RunningStrata, signal: NodeJS.Signals) {
  let sent = false;
  running.child.stderr!.on('data', (chunk: string) => {
    if (!sent && /^progress /m.test(chunk)) {
      sent = true;
      running.child.kill(signal);
    }
  });
  const result = await running.done;
  assert.ok(sent, `the command ended before its first progress line: ${result.stderr}`);
  return result;
}

test('SIGINT during a checkout and during a column import: exit 130, no lock, no temp file', async () => {
  await withTempDir('interrupt-others', async (root) => {
    await strata.ok(root, ['init']);
    mkdirSync(join(root, 'data'));
    for (let i = 0; i < 2000; i++) writeFileSync(join(root, 'data', `f-${i}.bin`), randomBytes(2048));
    await strata.ok(root, ['resource', 'add', 'data', '--role', 'source-data']);
    await strata.ok(root, ['commit', '-m', 'many files']);
    await strata.ok(root, ['checkout', 'main', '--branch', 'empty']);
    for (let i = 0; i < 2000; i++) writeFileSync(join(root, 'data', `f-${i}.bin`), randomBytes(16));
    await strata.ok(root, ['commit', '-m', 'all rewritten']);

    const progress = { STRATA_PROGRESS: 'lines' };
    const checkout = strata.start(root, ['checkout', 'main'], progress);
    const stopped = await interruptAtFirstProgress(checkout, 'SIGINT');
    assert.equal(stopped.code, 130, stopped.stderr);
    assert.deepEqual(await strata.json(root, ['lock', '--json']), []);
    assert.deepEqual(tempFilesOf(root, checkout.child.pid!), []);

    const count = 200_000;
    await writeNpy(join(root, 'wide.npy'), {
      dtype: 'uint8',
      sampleShape: [256],
      count,
      chunks: (async function* () {
        for (let i = 0; i < count / 1000; i++) yield randomBytes(256 * 1000);
      })(),
    });
    const importing = strata.start(root, ['column', 'import', 'wide', 'wide.npy', '--create'], progress);
    const interrupted = await interruptAtFirstProgress(importing, 'SIGINT');
    assert.equal(interrupted.code, 130, interrupted.stderr);
    assert.deepEqual(await strata.json(root, ['lock', '--json']), []);
    assert.deepEqual(tempFilesOf(root, importing.child.pid!), []);
  });
});
