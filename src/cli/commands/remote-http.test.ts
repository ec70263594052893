/**
 * Issue 16, remotes over HTTP against a real `strata serve` process: clone, push, fetch and pull
 * with tokens (read to fetch, write to push), `strata login`, racing pushers, and a server killed
 * in the middle of a push.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_BIN, runCli, runCliAsync, type CliRun, ok } from '../test-support/run-cli.js';
import { writeFileAt } from '../test-support/files.js';
import { startServe, type ServeProcess } from '../test-support/serve-process.js';

function head(dir: string, branch = 'main'): string {
  return ok(runCli(dir, ['log', '--json', branch])).json<{ id: string }[]>()[0]!.id;
}

function oneLine(r: CliRun): void {
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at |\.js:\d+/);
}

interface Hub {
  readonly root: string;
  readonly a: string;
  readonly hub: string;
  readonly read: string;
  readonly write: string;
  server: ServeProcess;
  close(): Promise<void>;
}

/** `a` with one commit, published to the bare repository `hub`, which `strata serve` serves. */
async function servedHub(): Promise<Hub> {
  const root = mkdtempSync(join(tmpdir(), 'strata-remote-http-'));
  const a = join(root, 'a');
  mkdirSync(a);
  ok(runCli(a, ['init', '--create-resources', 'code']));
  writeFileAt(a, 'code/x.txt', 'one');
  writeFileAt(a, 'code/sub/y.txt', 'why');
  ok(runCli(a, ['commit', '-m', 'first']));
  ok(runCli(a, ['remote', 'add', 'disk', '../hub']));
  ok(runCli(a, ['push', 'disk']));
  const hub = join(root, 'hub');
  const token = (name: string, scope: string) =>
    ok(runCli(hub, ['token', 'create', name, '--scope', scope]))
      .stdout.split('\n')[0]!
      .trim();
  const read = token('reader', 'read');
  const writeToken = token('pusher', 'write');
  const server = await startServe(hub);
  ok(runCli(a, ['remote', 'add', 'origin', server.url]));
  const hubState: Hub = {
    root,
    a,
    hub,
    read,
    write: writeToken,
    server,
    async close() {
      await hubState.server.kill();
      rmSync(root, { recursive: true, force: true });
    },
  };
  return hubState;
}

test('http remote: clone with a read token, push needs a write token, pull brings it back', async () => {
  const h = await servedHub();
  try {
    const b = join(h.root, 'b');
    const cloned = ok(runCli(h.root, ['clone', h.server.url, 'b', '--json'], { STRATA_TOKEN: h.read })).json<{
      commit: string;
      fetch: { objects: number };
    }>();
    assert.equal(cloned.commit, head(h.a));
    assert.ok(cloned.fetch.objects > 0);
    assert.equal(readFileSync(join(b, 'code/sub/y.txt'), 'utf8'), 'why');

    writeFileAt(b, 'code/x.txt', 'two');
    ok(runCli(b, ['commit', '-m', 'from b']));
    const refused = runCli(b, ['push'], { STRATA_TOKEN: h.read });
    oneLine(refused);
    assert.match(refused.stderr, /write token/);
    const noToken = runCli(b, ['push'], { STRATA_TOKEN: '', XDG_CONFIG_HOME: join(h.root, 'none') });
    oneLine(noToken);
    assert.match(noToken.stderr, /STRATA_TOKEN|strata login/);

    const pushed = ok(runCli(b, ['push', '--json'], { STRATA_TOKEN: h.write })).json<{
      updated: { ref: string; new: string }[];
      objects: number;
    }>();
    assert.deepEqual(
      pushed.updated.map((u) => [u.ref, u.new]),
      [['refs/heads/main', head(b)]],
    );
    assert.ok(pushed.objects <= 10, `incremental push sent ${pushed.objects} objects`);
    assert.equal(head(h.hub), head(b));

    const pulled = ok(runCli(h.a, ['pull', '--json'], { STRATA_TOKEN: h.read })).json<{
      merge: { result: string };
    }>();
    assert.equal(pulled.merge.result, 'fast-forward');
    assert.equal(readFileSync(join(h.a, 'code/x.txt'), 'utf8'), 'two');
    const fetched = ok(runCli(h.a, ['fetch', '--json'], { STRATA_TOKEN: h.read })).json<{
      updated: unknown[];
    }>();
    assert.deepEqual(fetched.updated, []);

    // A non-fast-forward push is refused and names pull.
    writeFileAt(b, 'code/x.txt', 'three');
    ok(runCli(b, ['commit', '-m', 'b again']));
    writeFileAt(h.a, 'code/x.txt', 'diverged');
    ok(runCli(h.a, ['commit', '-m', 'a diverges']));
    ok(runCli(b, ['push'], { STRATA_TOKEN: h.write }));
    const nonFf = runCli(h.a, ['push'], { STRATA_TOKEN: h.write });
    oneLine(nonFf);
    assert.match(nonFf.stderr, /pull/);
    assert.equal(ok(runCli(h.hub, ['fsck', '--json'])).json<{ ok: boolean }>().ok, true);
  } finally {
    await h.close();
  }
});

test('strata login checks the token and saves it with mode 0600 outside the repository', async () => {
  const h = await servedHub();
  try {
    const config = join(h.root, 'config-home');
    const login = (token: string) =>
      spawnSync(process.execPath, [CLI_BIN, 'login', h.server.url, '--json'], {
        cwd: h.a,
        input: `${token}\n`,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1', STRATA_TOKEN: '', XDG_CONFIG_HOME: config },
      });
    const bad = login('strata_not-a-token');
    assert.equal(bad.status, 1, bad.stderr);
    const good = login(h.write);
    assert.equal(good.status, 0, good.stderr);
    const file = join(config, 'strata', 'credentials.json');
    assert.equal(JSON.parse(good.stdout).file, file);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.ok(readFileSync(file, 'utf8').includes(h.write));
    assert.ok(!readFileSync(join(h.a, '.strata', 'catalog.db')).includes(h.write));
    writeFileAt(h.a, 'code/z.txt', 'zed');
    ok(runCli(h.a, ['commit', '-m', 'z']));
    ok(runCli(h.a, ['push'], { STRATA_TOKEN: '', XDG_CONFIG_HOME: config }));
    assert.equal(head(h.hub), head(h.a));
  } finally {
    await h.close();
  }
});

test('two pushers racing over HTTP: exactly one wins, the other is told to pull', async () => {
  const h = await servedHub();
  try {
    const b = join(h.root, 'b');
    ok(runCli(h.root, ['clone', h.server.url, 'b'], { STRATA_TOKEN: h.read }));
    for (let i = 0; i < 200; i++) writeFileAt(h.a, `code/a/${i}.txt`, `a${i}`);
    for (let i = 0; i < 200; i++) writeFileAt(b, `code/b/${i}.txt`, `b${i}`);
    ok(runCli(h.a, ['commit', '-m', 'a']));
    ok(runCli(b, ['commit', '-m', 'b']));
    const env = { STRATA_TOKEN: h.write };
    const [ra, rb] = await Promise.all([runCliAsync(h.a, ['push'], env), runCliAsync(b, ['push'], env)]);
    const winners = [ra, rb].filter((r) => r.code === 0);
    const losers = [ra, rb].filter((r) => r.code !== 0);
    assert.equal(winners.length, 1, `one winner: ${ra.stderr} | ${rb.stderr}`);
    oneLine(losers[0]!);
    assert.match(losers[0]!.stderr, /pull/);
    assert.equal(head(h.hub), ra.code === 0 ? head(h.a) : head(b));
    assert.equal(ok(runCli(h.hub, ['fsck', '--json'])).json<{ ok: boolean }>().ok, true);
  } finally {
    await h.close();
  }
});

test('server killed in the middle of a push: one line, exit 1, the remote ref unmoved; a rerun completes', async () => {
  const h = await servedHub();
  try {
    for (let i = 0; i < 300; i++) writeFileAt(h.a, `code/many/${i}.txt`, `content ${i} `.repeat(40));
    ok(runCli(h.a, ['commit', '-m', 'many']));
    const before = head(h.hub);
    let killing: Promise<void> | undefined;
    const pushed = await runCliAsync(
      h.a,
      ['push'],
      { STRATA_TOKEN: h.write, STRATA_PROGRESS: 'lines', STRATA_TEST_PACK_BYTES: '8192' },
      (stderr) => {
        // Killed once the first pack has landed on the server: the transfer is under way.
        if (!killing && /progress sending [1-9]/.test(stderr)) killing = h.server.kill();
      },
    );
    await killing;
    assert.ok(killing, 'the push reported progress before ending');
    assert.equal(pushed.code, 1, pushed.stderr);
    const lines = pushed.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('progress '));
    assert.equal(lines.length, 1, pushed.stderr);
    assert.match(lines[0]!, /unreachable/);
    // The hub's ref did not move, and every object it references is there.
    assert.equal(head(h.hub), before);
    assert.equal(ok(runCli(h.hub, ['fsck', '--json'])).json<{ ok: boolean }>().ok, true);
    // Down: one clear line, exit 1.
    const down = runCli(h.a, ['fetch'], { STRATA_TOKEN: h.write });
    oneLine(down);
    assert.match(down.stderr, /unreachable/);

    h.server = await startServe(h.hub, h.server.port);
    const rerun = ok(runCli(h.a, ['push', '--json'], { STRATA_TOKEN: h.write })).json<{ objects: number }>();
    const total = Number(/progress sending \d+\/(\d+)/.exec(pushed.stderr)![1]);
    assert.ok(
      rerun.objects < total,
      `the rerun sent only what had not landed (${rerun.objects} of ${total})`,
    );
    assert.equal(head(h.hub), head(h.a));
    assert.equal(ok(runCli(h.hub, ['fsck', '--json'])).json<{ ok: boolean }>().ok, true);
  } finally {
    await h.close();
  }
});
