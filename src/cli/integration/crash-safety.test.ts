/**
 * Crash safety, end to end: `strata commit` is SIGKILLed at points spread over its work (by its
 * progress lines), again and again, and after every kill the repository must pass fsck, HEAD must be either the
 * previous commit or the complete new one, a stale lock must be releasable with a command that
 * says what it did, and every commit ever made must still check out byte for byte.
 *
 * Set STRATA_CRASH_SEED to replay a run (the seed is printed as a test diagnostic).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  createRandom,
  createStrata,
  describeDifferences,
  digestTree,
  sha256,
  treeDifferences,
  withTempDir,
} from './cli-harness.js';

const strata = createStrata();

const FOLDERS = 30;
const FILES_PER_FOLDER = 100;
/**
 * Where in a commit's work a round kills it, read from its progress lines (STRATA_PROGRESS=lines:
 * `progress storing <done>/<total>` per changed file stored): at its first file, at a quarter,
 * half and three quarters of its files, at its last file (the trees, the pack fsync and the ref
 * update follow), and once it has printed its result. Chosen by work done, not by wall time, so
 * the points stay spread however busy the machine is.
 */
const KILL_POINTS = ['first file', 0.25, 0.5, 0.75, 'last file', 'result printed'] as const;
type KillPoint = (typeof KILL_POINTS)[number];
/** Every kill point twice, in an order the seed chooses. */
const ROUNDS = KILL_POINTS.length * 2;
const MiB = 1024 * 1024;

interface LogJson {
  id: string;
  parents: string[];
  message: string;
}
interface LockJson {
  name: string;
  pid: number;
  host: string;
  stale: boolean;
}
interface FsckJson {
  ok: boolean;
  objects: number;
  problems: { object: string; problem: string; kind: string; detail: string }[];
}

/** What killed writers left in .strata/objects/tmp (until `strata gc` removes it). */
function tempLeftovers(root: string): { files: number; bytes: number } {
  const tmp = join(root, '.strata', 'objects', 'tmp');
  const names = existsSync(tmp) ? readdirSync(tmp) : [];
  return { files: names.length, bytes: names.reduce((sum, n) => sum + statSync(join(tmp, n)).size, 0) };
}

/**
 * Starts a commit and SIGKILLs it at `point` of its work; resolves when it has ended (killed, or
 * finished first).
 */
function commitKilledAt(root: string, message: string, point: KillPoint) {
  const running = strata.start(root, ['commit', '-m', message, '--json'], { STRATA_PROGRESS: 'lines' });
  let killed = false;
  const kill = () => {
    if (!killed) running.child.kill('SIGKILL');
    killed = true;
  };
  let pending = '';
  running.child.stderr!.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      const m = /^progress storing (\d+)\/(\d+)$/.exec(line);
      if (!m) continue;
      const done = Number(m[1]);
      const total = Number(m[2]);
      if (point === 'first file') kill();
      else if (
        point === 'last file' ? done >= total : typeof point === 'number' && done >= Math.ceil(point * total)
      )
        kill();
    }
  });
  running.child.stdout!.on('data', () => {
    if (point === 'result printed') kill();
  });
  return running.done;
}

/** A commit that exists and the exact content (path → sha256) the working folder had when it was made. */
interface Recorded {
  readonly id: string;
  readonly message: string;
  readonly content: ReadonlyMap<string, string>;
}

/** The resource folder and an in-memory model of what it holds (kept in step with every write). */
class WorkingFolder {
  readonly model = new Map<string, string>();
  private nextFile = 0;

  constructor(
    readonly dir: string,
    private readonly random: ReturnType<typeof createRandom>,
  ) {}

  write(rel: string, data: Buffer): void {
    const abs = join(this.dir, ...rel.split('/'));
    mkdirSync(join(abs, '..'), { recursive: true });
    writeFileSync(abs, data);
    this.model.set(rel, sha256(data));
  }

  remove(rel: string): void {
    unlinkSync(join(this.dir, ...rel.split('/')));
    this.model.delete(rel);
  }

  smallContent(size = this.random.int(20, 2000)): Buffer {
    return randomBytes(size);
  }

  populate(): void {
    for (let d = 0; d < FOLDERS; d++)
      for (let f = 0; f < FILES_PER_FOLDER; f++) this.write(`d${d}/f${f}.bin`, this.smallContent());
    // Two big files, stored as chunks (one above the old 4 MiB loose-object threshold).
    this.write('blobs/big-a.bin', randomBytes(Math.round(1.5 * MiB)));
    this.write('blobs/big-b.bin', randomBytes(Math.round(4.5 * MiB)));
  }

  smallFiles(): string[] {
    return [...this.model.keys()].filter((p) => !p.startsWith('blobs/'));
  }

  /** Modifies, adds and deletes a random subset of files; sometimes rewrites a big file. */
  mutate(round: number): { modified: number; added: number; deleted: number } {
    const r = this.random;
    const small = this.smallFiles();
    const modified = r.sample(small, r.int(5, 60));
    for (const rel of modified) {
      // Half keep their size, so only the content (and mtime) tells the change.
      const size = r.next() < 0.5 ? readFileSync(join(this.dir, ...rel.split('/'))).length : undefined;
      this.write(rel, this.smallContent(size));
    }
    const touched = new Set(modified);
    const deleted = r.sample(
      small.filter((p) => !touched.has(p)),
      r.int(2, 30),
    );
    for (const rel of deleted) this.remove(rel);
    const added = r.int(2, 30);
    const newFolder = r.next() < 0.3 ? `n${round}/deeper` : undefined;
    for (let i = 0; i < added; i++) {
      const folder = newFolder && r.next() < 0.5 ? newFolder : `d${r.int(0, FOLDERS - 1)}`;
      this.write(`${folder}/new-${round}-${this.nextFile++}.bin`, this.smallContent());
    }
    const bigRoll = r.next();
    if (bigRoll < 0.15) {
      this.write('blobs/big-a.bin', randomBytes(r.int(1 * MiB, 5 * MiB)));
    } else if (bigRoll < 0.3) {
      // Same size, a few bytes changed in the middle of the bigger one.
      const abs = join(this.dir, 'blobs', 'big-b.bin');
      const data = readFileSync(abs);
      data.set(randomBytes(64), r.int(0, data.length - 64));
      this.write('blobs/big-b.bin', data);
    }
    return { modified: modified.length, added, deleted: deleted.length };
  }
}

test('a commit SIGKILLed at any instant leaves a repository that passes fsck and keeps every commit', async (t) => {
  const seed = Number(process.env.STRATA_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
  t.diagnostic(`seed ${seed} (STRATA_CRASH_SEED=${seed} replays this run)`);
  const random = createRandom(seed);
  const started = performance.now();

  await withTempDir('crash', async (root) => {
    await strata.ok(root, ['init']);
    const work = new WorkingFolder(join(root, 'data'), random);
    work.populate();
    await strata.ok(root, ['resource', 'add', 'data', '--role', 'source-data']);

    const recorded: Recorded[] = [];
    const commitUnkilled = async (message: string) => {
      const content = new Map(work.model);
      const r = await strata.run(root, ['commit', '-m', message, '--json']);
      assert.equal(r.code, 0, `commit ${message}: ${r.stderr}`);
      const { id } = JSON.parse(r.stdout) as { id: string };
      recorded.push({ id, message, content });
    };
    await commitUnkilled('initial');
    work.mutate(0);
    await commitUnkilled('round-0');
    t.diagnostic(`setup ${Math.round(performance.now() - started)} ms`);

    const outcomes = { landed: 0, lost: 0, finishedBeforeKill: 0, staleLocksReleased: 0 };
    const points = random.sample([...KILL_POINTS, ...KILL_POINTS], ROUNDS);
    for (let round = 1; round <= ROUNDS; round++) {
      const message = `round-${round}`;
      const point = points[round - 1]!;
      work.mutate(round);
      const content = new Map(work.model);
      const previous = recorded.at(-1)!;

      const result = await commitKilledAt(root, message, point);
      const killed = result.signal === 'SIGKILL';
      if (!killed) {
        assert.equal(result.code, 0, `${message} ended on its own but failed: ${result.stderr}`);
        outcomes.finishedBeforeKill++;
      }

      // A lock left by the killed process is stale, and `lock release` frees it and says so.
      const locks = await strata.json<LockJson[]>(root, ['lock', '--json']);
      for (const l of locks)
        assert.ok(l.stale, `${message}: lock ${l.name} held by live pid ${l.pid} after the commit ended`);
      if (locks.length > 0) {
        assert.ok(killed, `${message}: a commit that exited normally left locks behind`);
        const release = await strata.ok(root, ['lock', 'release']);
        for (const l of locks) {
          assert.ok(
            release.stdout.includes(`released lock '${l.name}'`) && release.stdout.includes(`pid ${l.pid}`),
            `${message}: 'lock release' does not say it released ${l.name} (pid ${l.pid}): ${release.stdout}`,
          );
        }
        assert.deepEqual(
          await strata.json(root, ['lock', '--json']),
          [],
          `${message}: locks left after release`,
        );
        outcomes.staleLocksReleased++;
      }

      const [fsck, log] = await Promise.all([
        strata.json<FsckJson>(root, ['fsck', '--json']),
        strata.json<LogJson[]>(root, ['log', '--json']),
      ]);
      assert.equal(fsck.ok, true, `${message} (killed at ${point}): ${JSON.stringify(fsck.problems)}`);
      assert.deepEqual(fsck.problems, []);

      const head = log[0]!;
      if (head.id === previous.id) {
        assert.ok(killed, `${message}: commit exited 0 but HEAD did not move`);
        outcomes.lost++;
      } else {
        assert.equal(head.message, message, `${message}: HEAD is neither the previous commit nor ${message}`);
        assert.deepEqual(head.parents, [previous.id], `${message}: the new commit's parent`);
        if (!killed) assert.equal((JSON.parse(result.stdout) as { id: string }).id, head.id);
        recorded.push({ id: head.id, message, content });
        if (killed) outcomes.landed++;
      }
      const leftovers = tempLeftovers(root);
      t.diagnostic(
        `${message}: ${killed ? `killed at ${point}` : `finished before the kill at ${point}`}, ` +
          `${head.id === previous.id ? 'HEAD unchanged' : 'new commit landed'}${locks.length > 0 ? ', stale lock released' : ''}; ` +
          (leftovers.files > 0
            ? `.strata/objects/tmp holds ${leftovers.files} files (${leftovers.bytes} B)`
            : 'no temp files left'),
      );
      // Every earlier commit is still in the history, in order, and nothing else is.
      assert.deepEqual(
        log.map((e) => e.id),
        recorded.map((c) => c.id).reverse(),
        `${message}: history after the kill`,
      );
    }
    t.diagnostic(
      `rounds ${ROUNDS}: landed though killed ${outcomes.landed}, lost ${outcomes.lost}, ` +
        `finished before the kill ${outcomes.finishedBeforeKill}, stale locks released ${outcomes.staleLocksReleased}; ` +
        `${Math.round(performance.now() - started)} ms so far`,
    );

    // gc removes what the killed commits left in .strata/objects/tmp (their pids are dead), and
    // every recorded commit still checks out below.
    await strata.ok(root, ['gc']);
    assert.deepEqual(tempLeftovers(root), { files: 0, bytes: 0 }, 'temp files after gc');

    // The model the expectations come from is exactly what is on disk.
    const modelCheck = treeDifferences(work.model, digestTree(work.dir));
    assert.deepEqual(modelCheck, [], `test model vs disk: ${describeDifferences(modelCheck)}`);

    // Files of a last round whose commit was lost were never committed: checkouts keep such
    // untracked files (as git does), so commit them before comparing checkouts with the model.
    const pending = await strata.json<{ changes: unknown[] }>(root, ['status', '--json']);
    if (pending.changes.length > 0) await commitUnkilled('final');

    // Check out the first, the last and a random sample of the others; each must match exactly.
    const middle = random.sample(recorded.slice(1, -1), 10);
    const chosen = random.sample([recorded[0]!, recorded.at(-1)!, ...middle], recorded.length);
    const checkoutStarted = performance.now();
    for (const c of chosen) {
      await strata.ok(root, ['checkout', c.id, '--force']);
      const diffs = treeDifferences(c.content, digestTree(work.dir));
      assert.deepEqual(diffs, [], `checkout of ${c.message} (${c.id}): ${describeDifferences(diffs)}`);
    }
    await strata.ok(root, ['checkout', 'main', '--force']);
    const last = recorded.at(-1)!;
    const diffs = treeDifferences(last.content, digestTree(work.dir));
    assert.deepEqual(diffs, [], `checkout of main: ${describeDifferences(diffs)}`);
    const status = await strata.json<{ branch: string; head: string; changes: unknown[] }>(root, [
      'status',
      '--json',
    ]);
    assert.equal(status.branch, 'main');
    assert.equal(status.head, last.id);
    assert.deepEqual(status.changes, []);
    t.diagnostic(
      `checked out ${chosen.length} of ${recorded.length} commits in ${Math.round(performance.now() - checkoutStarted)} ms; total ${Math.round(performance.now() - started)} ms`,
    );
  });
});
