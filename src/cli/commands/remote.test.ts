/**
 * Issue 16, remotes through the real CLI: clone, fetch, pull and push on path remotes, the
 * refusals (non-fast-forward, racing pushers, a checked-out branch, dirty files a pull would
 * overwrite) and the bad remotes (unreachable, not a repository, a newer format).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_BIN, runCli, ok } from '../test-support/run-cli.js';
import { writeFileAt } from '../test-support/files.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'strata-remote-'));
}

function head(dir: string, branch = 'main'): string {
  return ok(runCli(dir, ['log', '--json', branch])).json<{ id: string }[]>()[0]!.id;
}

function fsckOk(dir: string): void {
  const r = runCli(dir, ['fsck', '--json']);
  assert.equal(r.code, 0, `fsck of ${dir}: ${r.stdout} ${r.stderr}`);
  assert.equal(r.json<{ ok: boolean }>().ok, true);
}

/** `root/a`: a repository with a commit, published to the bare remote `root/hub`; `root/b`: its clone. */
function publishedPair(): { root: string; a: string; b: string; hub: string } {
  const root = tempDir();
  const a = join(root, 'a');
  mkdirSync(a);
  ok(runCli(a, ['init', '--create-resources', 'code,results']));
  writeFileAt(a, 'code/x.txt', 'one');
  writeFileAt(a, 'code/sub/y.txt', 'why');
  ok(runCli(a, ['commit', '-m', 'first']));
  ok(runCli(a, ['remote', 'add', 'origin', '../hub']));
  ok(runCli(a, ['push']));
  ok(runCli(root, ['clone', 'hub', 'b']));
  return { root, a, b: join(root, 'b'), hub: join(root, 'hub') };
}

test('publish (remote add + push) creates a bare remote; clone, push back and pull round-trip the files', () => {
  const { root, a, b, hub } = publishedPair();
  try {
    assert.deepEqual(ok(runCli(a, ['remote', 'list', '--json'])).json(), [{ name: 'origin', url: hub }]);
    assert.equal(readFileSync(join(b, 'code/sub/y.txt'), 'utf8'), 'why');
    assert.equal(head(b), head(a));
    writeFileAt(b, 'code/x.txt', 'two');
    writeFileAt(b, 'code/new.txt', 'new');
    ok(runCli(b, ['commit', '-m', 'from b']));
    const pushed = ok(runCli(b, ['push', '--json'])).json<{
      updated: { ref: string; new: string }[];
      objects: number;
    }>();
    assert.deepEqual(
      pushed.updated.map((u) => [u.ref, u.new]),
      [['refs/heads/main', head(b)]],
    );
    // Only what changed travels: a commit, a root tree, the changed nodes and two contents.
    assert.ok(pushed.objects <= 10, `incremental push sent ${pushed.objects} objects`);
    const pulled = ok(runCli(a, ['pull', '--json'])).json<{ merge: { result: string; commit: string } }>();
    assert.equal(pulled.merge.result, 'fast-forward');
    assert.equal(head(a), head(b));
    assert.equal(readFileSync(join(a, 'code/x.txt'), 'utf8'), 'two');
    assert.equal(readFileSync(join(a, 'code/new.txt'), 'utf8'), 'new');
    const again = ok(runCli(a, ['fetch', '--json'])).json<{ updated: unknown[]; objects: number }>();
    assert.deepEqual([again.updated, again.objects], [[], 0]);
    for (const dir of [a, b, hub]) fsckOk(dir);
    ok(runCli(a, ['remote', 'rm', 'origin']));
    assert.deepEqual(ok(runCli(a, ['remote', 'list', '--json'])).json(), []);
    assert.equal(runCli(a, ['push']).code, 1);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a non-fast-forward push is refused (pull first) unless --force; pull then merges three-way', () => {
  const { root, a, b, hub } = publishedPair();
  try {
    writeFileAt(b, 'code/x.txt', 'b side');
    ok(runCli(b, ['commit', '-m', 'b']));
    ok(runCli(b, ['push']));
    writeFileAt(a, 'code/other.txt', 'a side');
    ok(runCli(a, ['commit', '-m', 'a']));
    const refused = runCli(a, ['push']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /pull first/);
    assert.equal(head(hub), head(b), 'the remote branch did not move');
    const pulled = ok(runCli(a, ['pull', '--json'])).json<{ merge: { result: string } }>();
    assert.equal(pulled.merge.result, 'merged');
    assert.equal(readFileSync(join(a, 'code/x.txt'), 'utf8'), 'b side');
    assert.equal(readFileSync(join(a, 'code/other.txt'), 'utf8'), 'a side');
    ok(runCli(a, ['push']));
    assert.equal(head(hub), head(a));
    // --force drops the remote's commits: b (behind now) rewrites the remote to its own tip.
    writeFileAt(b, 'code/forced.txt', 'f');
    ok(runCli(b, ['commit', '-m', 'forced']));
    assert.equal(runCli(b, ['push']).code, 1);
    ok(runCli(b, ['push', '--force']));
    assert.equal(head(hub), head(b));
    fsckOk(hub);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

function runAsync(cwd: string, args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', STRATA_DEBUG: '' },
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

test('two racing pushers: exactly one wins, the other is told to pull', async () => {
  const { root, a, b, hub } = publishedPair();
  try {
    for (let i = 0; i < 200; i++) writeFileAt(a, `code/a/${i}.txt`, `a${i}`);
    for (let i = 0; i < 200; i++) writeFileAt(b, `code/b/${i}.txt`, `b${i}`);
    ok(runCli(a, ['commit', '-m', 'a']));
    ok(runCli(b, ['commit', '-m', 'b']));
    const [ra, rb] = await Promise.all([runAsync(a, ['push']), runAsync(b, ['push'])]);
    const winners = [ra, rb].filter((r) => r.code === 0);
    const losers = [ra, rb].filter((r) => r.code !== 0);
    assert.equal(winners.length, 1, `one winner: ${ra.stderr} | ${rb.stderr}`);
    assert.equal(losers[0]!.code, 1);
    assert.match(losers[0]!.stderr, /pull/);
    assert.equal(head(hub), ra.code === 0 ? head(a) : head(b));
    fsckOk(hub);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a push to the branch checked out in a remote working folder is refused', () => {
  const { root, a, b } = publishedPair();
  try {
    ok(runCli(b, ['remote', 'add', 'peer', a]));
    writeFileAt(b, 'code/x.txt', 'changed');
    ok(runCli(b, ['commit', '-m', 'b']));
    const before = head(a);
    const r = runCli(b, ['push', 'peer']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /checked out/);
    assert.equal(head(a), before);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('pull refuses to overwrite uncommitted changes, as checkout would, and changes nothing', () => {
  const { root, a, b } = publishedPair();
  try {
    writeFileAt(b, 'code/x.txt', 'from b');
    ok(runCli(b, ['commit', '-m', 'b']));
    ok(runCli(b, ['push']));
    const before = head(a);
    writeFileAt(a, 'code/x.txt', 'local edit');
    const r = runCli(a, ['pull']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(readFileSync(join(a, 'code/x.txt'), 'utf8'), 'local edit');
    assert.equal(head(a), before);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("results stay additive: a pull brings the other side's result folders and keeps the local ones", () => {
  const { root, a, b } = publishedPair();
  try {
    writeFileAt(b, 'results/b-metrics.json', '{"accuracy": 0.9}');
    ok(runCli(b, ['commit', '-m', 'b result']));
    ok(runCli(b, ['push']));
    writeFileAt(a, 'results/a-metrics.json', '{"accuracy": 0.8}');
    ok(runCli(a, ['commit', '-m', 'a result']));
    const mine = readdirSync(join(a, 'results/snapshots'));
    ok(runCli(a, ['pull']));
    const after = readdirSync(join(a, 'results/snapshots'));
    for (const folder of mine) assert.ok(after.includes(folder), `kept ${folder}`);
    const files = after.flatMap((f) => readdirSync(join(a, 'results/snapshots', f)));
    assert.ok(files.includes('a-metrics.json') && files.includes('b-metrics.json'), files.join(','));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('bad remotes: unreachable, not a repository, made by a newer Strata; nothing is created', () => {
  const root = tempDir();
  try {
    const gone = runCli(root, ['clone', join(root, 'missing/repo'), 'c1']);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /does not exist/);
    assert.equal(existsSync(join(root, 'c1')), false);

    writeFileAt(root, 'plain/file.txt', 'x');
    const plain = runCli(root, ['clone', 'plain', 'c2']);
    assert.equal(plain.code, 1);
    assert.match(plain.stderr, /not a Strata repository/);
    assert.equal(existsSync(join(root, 'c2')), false);

    mkdirSync(join(root, 'newer'));
    ok(runCli(join(root, 'newer'), ['init']));
    const configPath = join(root, 'newer/.strata/config.json');
    writeFileSync(configPath, JSON.stringify({ ...JSON.parse(readFileSync(configPath, 'utf8')), format: 2 }));
    const newer = runCli(root, ['clone', 'newer', 'c3']);
    assert.equal(newer.code, 1);
    assert.match(newer.stderr, /newer.*format|format.*1/);
    assert.equal(existsSync(join(root, 'c3')), false);

    mkdirSync(join(root, 'local'));
    ok(runCli(join(root, 'local'), ['init', '--create-resources', 'code']));
    writeFileAt(join(root, 'local'), 'code/f', 'x');
    ok(runCli(join(root, 'local'), ['commit', '-m', 'c']));
    ok(runCli(join(root, 'local'), ['remote', 'add', 'far', join(root, 'no/such/parent/repo')]));
    const push = runCli(join(root, 'local'), ['push', 'far']);
    assert.equal(push.code, 1);
    assert.match(push.stderr, /does not exist/);
    assert.equal(runCli(join(root, 'local'), ['remote', 'add', 'bad name', 'x']).code, 1);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
