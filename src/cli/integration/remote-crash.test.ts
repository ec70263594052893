/**
 * Issue 16, "a kill -9 of push and of clone at ≥ 10 seeded points spread over the transfer": each
 * run is killed (SIGKILL) after a chosen number of packs has landed (`STRATA_TEST_KILL_AFTER_PACKS`,
 * sized by work done, never by wall time). Afterwards both sides pass fsck, the remote branch is
 * the old or the new commit (never anything else), and a rerun completes without sending again
 * what had landed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, ok } from '../test-support/run-cli.js';
import { writeFileAt } from '../test-support/files.js';

const POINTS = 10;
/** Small packs, so one transfer of a few hundred KiB is many packs to stop between. */
const PACKS = { STRATA_TEST_PACK_BYTES: '4096' };
const FILES = 48;

function head(dir: string): string | undefined {
  const r = runCli(dir, ['log', '--json', 'main']);
  return r.code === 0 ? r.json<{ id: string }[]>()[0]?.id : undefined;
}

function fsckOk(dir: string, what: string): void {
  const r = runCli(dir, ['fsck', '--json']);
  assert.equal(r.code, 0, `fsck of ${what}: ${r.stdout} ${r.stderr}`);
}

/** Kill points spread over `total` packs: one in each of `POINTS` equal slices, placed by a seeded generator. */
function killPoints(total: number, seed: number): number[] {
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const slice = (total - 1) / POINTS;
  return Array.from(
    { length: POINTS },
    (_, i) => 1 + Math.min(total - 2, Math.floor(i * slice + random() * slice)),
  );
}

/** A commit of FILES new files of 1 KiB each (distinct contents per round) in six folders. */
function commitRound(dir: string, round: number): void {
  for (let i = 0; i < FILES; i++)
    writeFileAt(
      dir,
      `code/r${round}/d${i % 6}/f${i}.bin`,
      `${round}:${i}:`.padEnd(1024, String.fromCharCode(97 + (i % 26))),
    );
  ok(runCli(dir, ['commit', '-m', `round ${round}`]));
}

test('push killed at 10 seeded points: remote ref old or new, both sides fsck clean, the rerun completes', () => {
  const root = mkdtempSync(join(tmpdir(), 'strata-remote-crash-'));
  try {
    const a = join(root, 'a');
    const hub = join(root, 'hub');
    mkdirSync(a);
    ok(runCli(a, ['init', '--create-resources', 'code']));
    ok(runCli(a, ['remote', 'add', 'origin', hub]));
    commitRound(a, 0);
    const full = ok(runCli(a, ['push', '--json'], PACKS)).json<{ packs: number; objects: number }>();
    assert.ok(full.packs >= POINTS + 2, `a transfer of ${full.packs} packs`);
    const points = killPoints(full.packs, 16);
    for (const [i, point] of points.entries()) {
      const old = head(hub);
      commitRound(a, i + 1);
      const killed = runCli(a, ['push'], { ...PACKS, STRATA_TEST_KILL_AFTER_PACKS: String(point) });
      assert.equal(killed.code, -1, `push killed after ${point} packs: ${killed.stderr}`);
      const now = head(hub);
      assert.ok(now === old || now === head(a), `remote ref after a kill at ${point}: ${now}`);
      fsckOk(hub, `the remote after a kill at ${point}`);
      const rerun = ok(runCli(a, ['push', '--json'], PACKS)).json<{ objects: number }>();
      assert.ok(rerun.objects < full.objects, `rerun sent ${rerun.objects} of ${full.objects} objects`);
      assert.equal(head(hub), head(a));
    }
    fsckOk(hub, 'the remote');
    fsckOk(a, 'the pusher');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('clone killed at 10 seeded points: the half clone fsck clean, the rerun resumes and checks out', () => {
  const root = mkdtempSync(join(tmpdir(), 'strata-remote-crash-'));
  try {
    const a = join(root, 'a');
    mkdirSync(a);
    ok(runCli(a, ['init', '--create-resources', 'code']));
    for (let round = 0; round < 3; round++) commitRound(a, round);
    const full = ok(runCli(root, ['clone', 'a', 'full', '--json'], PACKS)).json<{
      fetch: { packs: number; objects: number };
    }>().fetch;
    const points = killPoints(full.packs, 1616);
    for (const point of points) {
      const dir = `c${point}`;
      const killed = runCli(root, ['clone', 'a', dir], {
        ...PACKS,
        STRATA_TEST_KILL_AFTER_PACKS: String(point),
      });
      assert.equal(killed.code, -1, `clone killed after ${point} packs: ${killed.stderr}`);
      assert.ok(existsSync(join(root, dir, '.strata/config.json')));
      fsckOk(join(root, dir), `a clone killed at ${point}`);
      const rerun = ok(runCli(root, ['clone', 'a', dir, '--json'], PACKS)).json<{
        fetch: { objects: number };
      }>();
      assert.ok(
        rerun.fetch.objects < full.objects,
        `rerun fetched ${rerun.fetch.objects} of ${full.objects}`,
      );
      assert.equal(head(join(root, dir)), head(a));
      assert.equal(
        readFileSync(join(root, dir, 'code/r2/d1/f1.bin'), 'utf8'),
        readFileSync(join(a, 'code/r2/d1/f1.bin'), 'utf8'),
      );
      fsckOk(join(root, dir), `the resumed clone ${dir}`);
    }
    fsckOk(a, 'the remote');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
