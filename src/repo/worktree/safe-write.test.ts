import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StatCacheEntry } from '../../catalog/catalog.js';
import { clockNow, settledEntries } from './apply-changes.js';
import { RACY_WINDOW_MS } from './hash-files.js';
import { takeName, WORKTREE_TEMP_PREFIX, writeInPlace } from './safe-write.js';

function withFolder(run: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'strata-safe-write-'));
  try {
    run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('writeInPlace makes a missing file and replaces a file or a symlink (never followed), moving the old one aside', () =>
  withFolder((dir) => {
    const outside = join(dir, 'outside');
    writeFileSync(outside, 'keep');
    writeFileSync(join(dir, 'old'), 'old content');
    symlinkSync(outside, join(dir, 'link'));
    const aside = (name: string) => join(dir, `${WORKTREE_TEMP_PREFIX}t-${name}-old`);
    for (const [name, replaces] of [
      ['new', false],
      ['old', true],
      ['link', true],
    ] as const) {
      const temp = join(dir, `${WORKTREE_TEMP_PREFIX}t-${name}`);
      const { stat, movedAside } = writeInPlace(temp, join(dir, name), Buffer.from('v2'), 0o644, aside(name));
      const now = lstatSync(join(dir, name));
      assert.ok(now.isFile(), `${name} is a regular file`);
      assert.equal(readFileSync(join(dir, name), 'utf8'), 'v2');
      assert.deepEqual([stat.ino, stat.size, stat.mtimeMs], [now.ino, now.size, now.mtimeMs]);
      assert.equal(movedAside, replaces);
      assert.equal(existsSync(temp), false);
    }
    assert.equal(readFileSync(aside('old'), 'utf8'), 'old content');
    assert.ok(lstatSync(aside('link')).isSymbolicLink());
    assert.equal(readFileSync(outside, 'utf8'), 'keep', 'what the link pointed at is untouched');
  }));

test('writeInPlace refuses a folder in the way and leaves no temporary file; takeName keeps the folder', () =>
  withFolder((dir) => {
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'f'), 'f');
    assert.throws(() =>
      writeInPlace(
        join(dir, `${WORKTREE_TEMP_PREFIX}t-1`),
        join(dir, 'sub'),
        Buffer.from('x'),
        0o644,
        join(dir, `${WORKTREE_TEMP_PREFIX}t-1-old`),
      ),
    );
    assert.deepEqual(readdirSync(dir), ['sub']);
    assert.equal(readFileSync(join(dir, 'sub', 'f'), 'utf8'), 'f');
    const temp = join(dir, `${WORKTREE_TEMP_PREFIX}t-2`);
    writeFileSync(temp, 'x');
    assert.throws(() => takeName(temp, join(dir, 'sub')));
    assert.ok(existsSync(join(dir, 'sub', 'f')));
  }));

test('clockNow reads each filesystem clock after the writes and leaves no file', () =>
  withFolder((dir) => {
    writeFileSync(join(dir, 'a'), 'a');
    const st = lstatSync(join(dir, 'a'));
    const clock = clockNow(new Map([[st.dev, dir]]), 'token');
    assert.ok(clock.get(st.dev)! >= st.mtimeMs);
    assert.deepEqual(readdirSync(dir), ['a']);
    assert.equal(clockNow(new Map([[st.dev, join(dir, 'gone')]]), 'token').size, 0, 'no clock: nothing made');
  }));

test('settledEntries trusts a written file only once its filesystem clock has moved past its mtime', () => {
  // Rows as a rewrite makes them: recorded a moment after the write, so racy.
  const row = (path: string, mtimeMs: number): StatCacheEntry => ({
    resource: 'r',
    path,
    size: 1,
    mtimeMs,
    ino: 1,
    hash: 'h',
    recordedMs: mtimeMs + 10,
  });
  const trusted = (e: StatCacheEntry) => e.mtimeMs < e.recordedMs - RACY_WINDOW_MS;
  const rows = [row('before', 1990), row('same-tick', 2000), row('other-fs', 1990)];
  assert.deepEqual(rows.map(trusted), [false, false, false]);
  const settled = settledEntries(rows, [1, 1, 2], new Map([[1, 2000]]));
  assert.equal(settled[0]!.recordedMs, 2000 + RACY_WINDOW_MS);
  assert.deepEqual(settled.map(trusted), [true, false, false]);
  assert.deepEqual(settled.slice(1), rows.slice(1), 'same tick as the clock, or no clock: unchanged');
});
