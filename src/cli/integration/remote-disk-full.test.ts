/**
 * Issue 16, "a disk that fills during fetch": the fetching repository's `.strata` is a small real
 * tmpfs (as in environment-errors.test.ts), so the pack being written runs out of space for real.
 * The fetch prints one line and exits 1, no ref moves, the repository passes `fsck`, and once the
 * tmpfs is grown (space freed, contents kept) the same fetch completes. Where mounting is not
 * permitted the test skips and says why.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { TestMounts } from '../test-support/mounts.js';
import { runCli, ok } from '../test-support/run-cli.js';

const roots: string[] = [];
const mounts = new TestMounts();
after(() => {
  mounts.releaseAll();
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** Bytes used under `dir` (what the tmpfs must hold before the fetch starts). */
function usedBytes(dir: string): number {
  return Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);
}

function fsckOk(dir: string): void {
  const r = runCli(dir, ['fsck', '--json']);
  assert.equal(r.code, 0, `fsck of ${dir}: ${r.stdout} ${r.stderr}`);
  assert.equal(r.json<{ ok: boolean }>().ok, true);
}

test('a disk that fills during fetch: one line, exit 1, no ref moved, fsck clean; the rerun completes', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'strata-remote-full-'));
  roots.push(root);
  const a = join(root, 'a');
  mkdirSync(join(a, 'data'), { recursive: true });
  ok(runCli(a, ['init']));
  writeFileSync(join(a, 'data', 'first.txt'), 'first');
  ok(runCli(a, ['resource', 'add', 'data', '--role', 'source-data']));
  ok(runCli(a, ['commit', '-m', 'first']));
  ok(runCli(root, ['clone', 'a', 'b']));
  const b = join(root, 'b');
  const before = ok(runCli(b, ['log', '--json', 'main'])).json<{ id: string }[]>()[0]!.id;
  // 8 MiB of incompressible files on the remote: far more than the room left on the tmpfs.
  for (let i = 0; i < 16; i++) writeFileSync(join(a, 'data', `part-${i}.bin`), randomBytes(512 * 1024));
  ok(runCli(a, ['commit', '-m', 'eight MiB']));
  const after = ok(runCli(a, ['log', '--json', 'main'])).json<{ id: string }[]>()[0]!.id;

  const strata = join(b, '.strata');
  const saved = join(root, 'saved');
  cpSync(strata, saved, { recursive: true });
  // Room for what is there, its catalog's writes, and 1 MiB more: not for the 8 MiB fetched.
  const size = Math.ceil((usedBytes(saved) + 2 * 1024 * 1024) / 4096) * 4096;
  const failed = mounts.mount(strata, '-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', strata);
  if (failed) return t.skip(`mount not permitted: ${failed}`);
  cpSync(saved, strata, { recursive: true });

  const full = runCli(b, ['fetch']);
  assert.equal(full.code, 1, `exit code; stderr: ${full.stderr}`);
  const lines = full.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got: ${full.stderr}`);
  assert.doesNotMatch(full.stderr, /internal error|\n\s+at /);
  assert.match(lines[0]!, /no space left on device \(ENOSPC\)/);
  fsckOk(b);

  // Space freed (the tmpfs grown in place, its contents kept): the same fetch completes, and
  // moves origin/main from where the clone left it (the failed fetch moved no ref).
  execFileSync('mount', ['-o', 'remount,size=64m', strata]);
  const fetched = ok(runCli(b, ['fetch', '--json'])).json<{
    updated: { ref: string; old: string; new: string }[];
  }>();
  assert.deepEqual(
    fetched.updated.map((u) => [u.old, u.new]),
    [[before, after]],
  );
  fsckOk(b);
  ok(runCli(b, ['pull']));
  fsckOk(b);
});
