/**
 * Issue 16, partial data through the real CLI: `clone --no-data`, `--only`/`--skip`, `--depth`,
 * on-demand fetching (restore, column reads), `fetch --data`, fsck's absent-by-design count,
 * pushing from a partial clone, and the faults (remote down while reading, bad flag combinations).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeNpy } from '../../api/index.js';
import { runCli, ok } from '../test-support/run-cli.js';
import { writeFileAt } from '../test-support/files.js';
import { startServe, type ServeProcess } from '../test-support/serve-process.js';

interface Fsck {
  ok: boolean;
  problems: unknown[];
  absent_by_design?: { contents: number; history: number };
}

function fsck(dir: string): Fsck {
  const r = runCli(dir, ['fsck', '--json']);
  assert.equal(r.code, 0, `fsck of ${dir}: ${r.stdout} ${r.stderr}`);
  return r.json<Fsck>();
}

/** Files of a folder (relative paths), or [] when it does not exist. */
function filesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/**
 * `root/a` with resources `code` and `source-data` over three commits (and a column `pixels` of
 * 8 samples), pushed to the bare remote `root/hub`.
 */
async function published(): Promise<{ root: string; a: string; hub: string }> {
  const root = mkdtempSync(join(tmpdir(), 'strata-partial-'));
  const a = join(root, 'a');
  mkdirSync(a);
  ok(runCli(a, ['init', '--create-resources', 'code,source-data']));
  writeFileAt(a, 'code/x.txt', 'one');
  writeFileAt(a, 'source-data/d1.csv', 'a,b\n1,2\n');
  writeFileAt(a, 'source-data/sub/d2.csv', 'c\n3\n');
  ok(runCli(a, ['commit', '-m', 'first']));
  writeFileAt(a, 'code/x.txt', 'two');
  ok(runCli(a, ['commit', '-m', 'second']));
  async function* once(data: Uint8Array): AsyncGenerator<Uint8Array> {
    yield data;
  }
  const pixels = Uint8Array.from({ length: 8 * 64 }, (_, i) => (i * 31 + 7) & 0xff);
  await writeNpy(join(root, 'pixels.npy'), {
    dtype: 'uint8',
    sampleShape: [8, 8],
    count: 8,
    chunks: once(pixels),
  });
  ok(runCli(a, ['column', 'import', 'pixels', join(root, 'pixels.npy'), '--create']));
  writeFileAt(a, 'code/x.txt', 'three');
  ok(runCli(a, ['commit', '-m', 'third']));
  ok(runCli(a, ['remote', 'add', 'origin', '../hub']));
  ok(runCli(a, ['push']));
  return { root, a, hub: join(root, 'hub') };
}

test('clone --no-data: commits and trees only; restore and column reads fetch on demand; fetch --data; push back', async () => {
  const { root, a, hub } = await published();
  try {
    const cloned = ok(runCli(root, ['clone', 'hub', 'b', '--no-data', '--json'])).json<{
      files: number;
      partial: { remote: string; data: boolean; unpopulated: string[] };
    }>();
    const b = join(root, 'b');
    assert.equal(cloned.files, 0);
    assert.deepEqual(cloned.partial, { remote: 'origin', data: false, unpopulated: ['code', 'source-data'] });
    assert.deepEqual(filesIn(join(b, 'code')), []);
    assert.deepEqual(ok(runCli(b, ['info', '--json'])).json<{ partial: unknown }>().partial, cloned.partial);
    // The unpopulated folders stand for HEAD: nothing to commit, and fsck counts what is absent.
    assert.equal(ok(runCli(b, ['status', '--json'])).json<{ changes: unknown[] }>().changes.length, 0);
    const before = fsck(b);
    assert.equal(before.ok, true);
    assert.ok(before.absent_by_design!.contents >= 5, JSON.stringify(before));
    assert.equal(before.absent_by_design!.history, 0);

    // One file of an unpopulated resource, then the whole other resource.
    ok(runCli(b, ['restore', 'source-data/sub/d2.csv']));
    assert.equal(readFileSync(join(b, 'source-data/sub/d2.csv'), 'utf8'), 'c\n3\n');
    ok(runCli(b, ['restore', 'code']));
    assert.equal(readFileSync(join(b, 'code/x.txt'), 'utf8'), 'three');
    assert.equal(ok(runCli(b, ['status', '--json'])).json<{ changes: unknown[] }>().changes.length, 0);

    // A column sample is read on demand; then --column prefetches the rest of its data.
    const sample = ok(runCli(b, ['column', 'show', 'pixels', '3', '--json'])).json<unknown>();
    assert.deepEqual(sample, ok(runCli(a, ['column', 'show', 'pixels', '3', '--json'])).json<unknown>());
    const column = ok(runCli(b, ['fetch', '--data', '--column', 'pixels', '--keys', '0:7', '--json'])).json<{
      needed: number;
      fetched: number;
    }>();
    assert.equal(column.fetched, 0, 'the chunk came with the sample read');
    assert.ok(column.needed >= 1);

    const all = ok(runCli(b, ['fetch', '--data', '--json'])).json<{ needed: number; fetched: number }>();
    assert.ok(all.fetched >= 1, JSON.stringify(all));
    // HEAD's contents are all here now; the older versions of code/x.txt stay on the remote.
    assert.equal(fsck(b).absent_by_design?.contents, 2);

    // Work from the partial clone travels back.
    writeFileAt(b, 'code/x.txt', 'four');
    ok(runCli(b, ['commit', '-m', 'from the partial clone']));
    ok(runCli(b, ['push']));
    ok(runCli(a, ['pull']));
    assert.equal(readFileSync(join(a, 'code/x.txt'), 'utf8'), 'four');
    assert.equal(fsck(hub).ok, true);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('clone --only/--skip: contents of the chosen resources only; pushing from a --no-data clone never fetches', async () => {
  const { root, a } = await published();
  try {
    const only = ok(runCli(root, ['clone', 'hub', 'only', '--only', 'code', '--json'])).json<{
      partial: { only: string[]; unpopulated: string[] };
    }>();
    assert.deepEqual(only.partial.unpopulated, ['source-data']);
    assert.equal(readFileSync(join(root, 'only/code/x.txt'), 'utf8'), 'three');
    assert.deepEqual(filesIn(join(root, 'only/source-data')), []);
    // A pull keeps the filter: the new code arrives and is written, the new data stays remote.
    writeFileAt(a, 'code/x.txt', 'pulled');
    writeFileAt(a, 'source-data/d1.csv', 'a,b\n5,6\n');
    ok(runCli(a, ['commit', '-m', 'both change']));
    ok(runCli(a, ['push']));
    const absentBefore = fsck(join(root, 'only')).absent_by_design!.contents;
    ok(runCli(join(root, 'only'), ['pull']));
    assert.equal(readFileSync(join(root, 'only/code/x.txt'), 'utf8'), 'pulled');
    assert.deepEqual(filesIn(join(root, 'only/source-data')), []);
    assert.equal(fsck(join(root, 'only')).absent_by_design!.contents, absentBefore + 1);
    assert.equal(
      ok(runCli(join(root, 'only'), ['status', '--json'])).json<{ changes: unknown[] }>().changes.length,
      0,
    );

    const skip = ok(runCli(root, ['clone', 'hub', 'skip', '--skip', 'code', '--json'])).json<{
      partial: { skip: string[]; unpopulated: string[] };
    }>();
    assert.deepEqual(skip.partial.unpopulated, ['code']);
    assert.deepEqual(filesIn(join(root, 'skip/source-data')), ['d1.csv', 'sub/d2.csv']);

    // A --no-data clone commits a new file and pushes with the remote moved away from it after the
    // clone's fetch: nothing it lacks is needed, since the remote has every object it never fetched.
    ok(runCli(root, ['clone', 'hub', 'nodata', '--no-data']));
    const nodata = join(root, 'nodata');
    writeFileAt(nodata, 'source-data/new.csv', 'n\n1\n');
    ok(runCli(nodata, ['commit', '-m', 'new data without the old']));
    const pushed = ok(runCli(nodata, ['push', '--json'])).json<{ objects: number }>();
    assert.ok(pushed.objects <= 8, `sent ${pushed.objects} objects`);
    ok(runCli(a, ['pull']));
    assert.equal(readFileSync(join(a, 'source-data/new.csv'), 'utf8'), 'n\n1\n');
    assert.equal(readFileSync(join(a, 'source-data/d1.csv'), 'utf8'), 'a,b\n5,6\n');
    // The partial clone still has not fetched the files it never read.
    assert.ok(fsck(nodata).absent_by_design!.contents >= 3);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('clone --depth: log stops at a marked edge, fsck counts the history absent by design, push still works', async () => {
  const { root, a } = await published();
  try {
    ok(runCli(root, ['clone', 'hub', 'c', '--depth', '2']));
    const c = join(root, 'c');
    const log = ok(runCli(c, ['log', '--json'])).json<{ message: string; shallow?: boolean }[]>();
    assert.deepEqual(
      log.map((e) => [e.message, e.shallow ?? false]),
      [
        ['third', false],
        ['second', true],
      ],
    );
    assert.match(ok(runCli(c, ['log'])).stdout, /history stops here/);
    const report = fsck(c);
    assert.equal(report.ok, true);
    assert.equal(report.absent_by_design!.history, 1);
    assert.equal(readFileSync(join(c, 'code/x.txt'), 'utf8'), 'three');
    writeFileAt(c, 'code/x.txt', 'shallow');
    ok(runCli(c, ['commit', '-m', 'from the shallow clone']));
    ok(runCli(c, ['push']));
    ok(runCli(a, ['pull']));
    assert.equal(readFileSync(join(a, 'code/x.txt'), 'utf8'), 'shallow');
    assert.equal(ok(runCli(a, ['log', '--json'])).json<unknown[]>().length, 4);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a partial clone reading data while its remote is down: one line naming the object and the remote, nothing written', async () => {
  const { root, hub } = await published();
  try {
    ok(runCli(root, ['clone', 'hub', 'b', '--no-data']));
    const b = join(root, 'b');
    renameSync(hub, join(root, 'hub-away'));
    const r = runCli(b, ['restore', 'code']);
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /object [0-9a-f]{64}/);
    assert.match(lines[0]!, /remote 'origin'/);
    assert.ok(lines[0]!.includes(hub), lines[0]);
    assert.deepEqual(filesIn(join(b, 'code')), []);
    // The clone is as it was: the folder still stands for HEAD, fsck passes, and with the remote
    // back the same restore completes.
    assert.equal(ok(runCli(b, ['status', '--json'])).json<{ changes: unknown[] }>().changes.length, 0);
    assert.equal(fsck(b).ok, true);
    const column = runCli(b, ['column', 'show', 'pixels', '0']);
    assert.equal(column.code, 1);
    assert.match(column.stderr, /remote 'origin'/);
    renameSync(join(root, 'hub-away'), hub);
    ok(runCli(b, ['restore', 'code']));
    assert.equal(readFileSync(join(b, 'code/x.txt'), 'utf8'), 'three');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('bad partial-clone flags are refused before anything is created', async () => {
  const { root, a } = await published();
  try {
    for (const [args, pattern] of [
      [['--only', 'code', '--skip', 'source-data'], /--only and --skip exclude each other/],
      [['--no-data', '--only', 'code'], /--no-data clones no contents/],
      [['--depth', '0'], /--depth takes a whole number/],
      [['--only', ''], /at least one resource/],
    ] as const) {
      const r = runCli(root, ['clone', 'hub', 'bad', ...args]);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.equal(existsSync(join(root, 'bad')), false, `${args.join(' ')} left a folder`);
    }
    const unknown = runCli(root, ['clone', 'hub', 'bad2', '--only', 'nope']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /resource 'nope' is not in the commit/);
    const full = runCli(a, ['fetch', '--data']);
    assert.equal(full.code, 1);
    assert.match(full.stderr, /not a partial clone/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('http remote: a --no-data clone restores a folder of 40 files on demand, then names the server when it is gone', async () => {
  const root = mkdtempSync(join(tmpdir(), 'strata-partial-http-'));
  let server: ServeProcess | undefined;
  try {
    const a = join(root, 'a');
    mkdirSync(a);
    ok(runCli(a, ['init', '--create-resources', 'code']));
    for (let i = 0; i < 40; i++) writeFileAt(a, `code/f${i}.txt`, `file ${i}`);
    ok(runCli(a, ['commit', '-m', 'forty files']));
    ok(runCli(a, ['remote', 'add', 'disk', '../hub']));
    ok(runCli(a, ['push', 'disk']));
    const hub = join(root, 'hub');
    const token = ok(runCli(hub, ['token', 'create', 'reader', '--scope', 'read']))
      .stdout.split('\n')[0]!
      .trim();
    server = await startServe(hub);
    const env = { STRATA_TOKEN: token };
    ok(runCli(root, ['clone', server.url, 'b', '--no-data'], env));
    const b = join(root, 'b');
    assert.deepEqual(filesIn(join(b, 'code')), []);
    ok(runCli(b, ['restore', 'code'], env));
    assert.equal(filesIn(join(b, 'code')).length, 40);
    assert.equal(readFileSync(join(b, 'code/f17.txt'), 'utf8'), 'file 17');
    assert.equal(fsck(b).absent_by_design, undefined);

    ok(runCli(root, ['clone', server.url, 'c', '--no-data'], env));
    await server.kill();
    server = undefined;
    const r = runCli(join(root, 'c'), ['restore', 'code'], env);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /object [0-9a-f]{64} \(and 39 more\) is not in this partial clone/);
    assert.match(r.stderr, /remote 'origin' \(http:\/\//);
    assert.deepEqual(filesIn(join(root, 'c/code')), []);
  } finally {
    await server?.kill();
    rmSync(root, { recursive: true, force: true });
  }
});

test('a --no-data clone killed midway resumes as a partial clone when run again', async () => {
  const { root } = await published();
  try {
    const killed = runCli(root, ['clone', 'hub', 'b', '--no-data'], {
      STRATA_TEST_KILL_AFTER_PACKS: '1',
      STRATA_TEST_PACK_BYTES: '200',
    });
    assert.notEqual(killed.code, 0, 'the clone was killed');
    const b = join(root, 'b');
    const resumed = ok(runCli(root, ['clone', 'hub', 'b', '--no-data', '--json'])).json<{
      files: number;
      partial: { data: boolean; unpopulated: string[] };
    }>();
    assert.equal(resumed.files, 0);
    assert.deepEqual(resumed.partial.unpopulated, ['code', 'source-data']);
    const report = fsck(b);
    assert.equal(report.ok, true);
    assert.ok(report.absent_by_design!.contents >= 5);
    ok(runCli(b, ['restore', 'code']));
    assert.equal(readFileSync(join(b, 'code/x.txt'), 'utf8'), 'three');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
