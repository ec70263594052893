import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, closeSync, openSync, readdirSync, readFileSync, readlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ApiError } from '../protocol/client.js';
import { serveRepo } from './test-support/serve-repo.js';

const codeOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (err: ApiError) => `${err.status} ${err.code}`,
  );

test('files: tree pages, downloads whole and by Range, 416 outside the file', async () => {
  const files: Record<string, string> = { 'a.txt': '0123456789' };
  for (let i = 0; i < 25; i++) files[`many/f${String(i).padStart(2, '0')}.txt`] = `file ${i}`;
  const s = await serveRepo(files);
  try {
    const c = s.client(s.tokens.read);
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await c.tree({ resource: 'data', prefix: 'many', limit: 10, after });
      seen.push(...page.files.map((f) => f.path));
      if (page.next === null) break;
      after = page.next;
    }
    assert.deepEqual(
      seen,
      Object.keys(files)
        .filter((p) => p.startsWith('many/'))
        .sort(),
    );
    assert.deepEqual(
      (await c.tree({ resource: 'data', limit: 1 })).files.map((f) => f.path),
      ['a.txt'],
    );

    const whole = await c.download({ resource: 'data', path: 'a.txt' });
    assert.equal(whole.headers.get('accept-ranges'), 'bytes');
    assert.equal(await whole.text(), '0123456789');
    const part = await c.download({ resource: 'data', path: 'a.txt' }, { range: 'bytes=2-5' });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), 'bytes 2-5/10');
    assert.equal(await part.text(), '2345');
    const tail = await c.download({ resource: 'data', path: 'a.txt' }, { range: 'bytes=-3' });
    assert.equal(await tail.text(), '789');
    assert.equal(
      await codeOf(c.download({ resource: 'data', path: 'a.txt' }, { range: 'bytes=10-' })),
      '416 E_RANGE_NOT_SATISFIABLE',
    );
  } finally {
    await s.close();
  }
});

test('files: paths with .. or absolute are refused (400), unknown files, resources and revisions are 404', async () => {
  const s = await serveRepo();
  try {
    const c = s.client(s.tokens.read);
    for (const path of ['../a.txt', 'sub/../../x', '/etc/passwd', 'sub/./b.txt', 'C:/x', 'sub\\..\\b.txt'])
      assert.equal(await codeOf(c.download({ resource: 'data', path })), '400 E_INVALID_ARGUMENT', path);
    for (const prefix of ['..', '/etc', 'sub/..'])
      assert.equal(await codeOf(c.tree({ resource: 'data', prefix })), '400 E_INVALID_ARGUMENT', prefix);
    assert.equal(await codeOf(c.download({ resource: 'data', path: 'nope.txt' })), '404 E_NOT_FOUND');
    assert.equal(await codeOf(c.tree({ resource: 'nope' })), '404 E_NOT_FOUND');
    for (const revision of ['no-such-branch', 'deadbeef', 'HEAD~5']) {
      assert.match(await codeOf(c.commit(revision)), /^404 E_NOT_FOUND/, revision);
      assert.match(await codeOf(c.tree({ resource: 'data', revision })), /^404 E_NOT_FOUND/, revision);
    }
    assert.equal((await c.tree({ resource: 'data', prefix: 'sub' })).files[0]!.path, 'sub/b.txt');
  } finally {
    await s.close();
  }
});

/** Loose objects (big files) this process (the server runs in it) holds open; pack handles are cached. */
const openObjects = (root: string) =>
  readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(`${root}/.strata/objects/loose/`);
    } catch {
      return false; // closed meanwhile
    }
  }).length;

test('files: a client that disconnects mid-download leaves no open file and the server keeps serving', async () => {
  // 32 MiB: far above the socket buffers, so the server is still streaming when the client leaves.
  const big = Buffer.alloc(32 << 20, 7);
  const s = await serveRepo({ 'big.bin': big });
  try {
    const c = s.client(s.tokens.read);
    await c.health();
    const openFds = () => openObjects(s.root);
    const before = openFds();
    for (let round = 0; round < 3; round++) {
      const abort = new AbortController();
      const response = await c.download({ resource: 'data', path: 'big.bin' }, { signal: abort.signal });
      const reader = response.body!.getReader();
      const first = await reader.read();
      assert.ok(first.value && first.value.byteLength > 0);
      abort.abort();
      await reader.cancel().catch(() => {});
    }
    // The server notices the closed sockets and closes the files it was streaming.
    for (let i = 0; openFds() > before && i < 500; i++) await new Promise((r) => setImmediate(r));
    for (let i = 0; openFds() > before && i < 200; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(openFds() <= before, `fds: ${openFds()} > ${before}`);
    // And it still answers, whole downloads included.
    const again = await c.download({ resource: 'data', path: 'big.bin' }, { range: 'bytes=0-9' });
    assert.deepEqual(Buffer.from(await again.arrayBuffer()), big.subarray(0, 10));
    assert.equal((await c.health()).ready, true);
  } finally {
    await s.close();
  }
});

/** Reads a whole response body; rejects when the server cut it short. */
const bodyOf = async (response: Response) => Buffer.from(await response.arrayBuffer());

test('files: a corrupt chunk is never served, whole or by Range (each chunk hashed as it streams)', async () => {
  // 6 MiB of random bytes: a big file, stored as chunks (verbatim in a pack) and streamed.
  const big = randomBytes(6 << 20);
  const s = await serveRepo({ 'big.bin': big });
  try {
    const c = s.client(s.tokens.read);
    // Clean: whole and ranged downloads arrive complete (the first range verifies the whole file).
    assert.deepEqual(await bodyOf(await c.download({ resource: 'data', path: 'big.bin' })), big);
    const range = { range: 'bytes=100-199' };
    assert.deepEqual(
      await bodyOf(await c.download({ resource: 'data', path: 'big.bin' }, range)),
      big.subarray(100, 200),
    );

    // One flipped byte near the end, after the range the client asks for, in the pack that holds it.
    const packs = join(s.root, '.strata', 'objects', 'packs');
    const tail = big.subarray(big.length - 74, big.length - 10);
    const holding = readdirSync(packs)
      .map((name) => join(packs, name))
      .find((path) => readFileSync(path).indexOf(tail) >= 0)!;
    assert.ok(holding, 'the end of the file is stored verbatim in a pack');
    const at = readFileSync(holding).indexOf(tail);
    chmodSync(holding, 0o644);
    const fd = openSync(holding, 'r+');
    writeSync(fd, Buffer.from([big[big.length - 74]! ^ 0xff]), 0, 1, at);
    closeSync(fd);
    const whole = await c.download({ resource: 'data', path: 'big.bin' });
    assert.equal(whole.status, 200);
    await assert.rejects(bodyOf(whole), 'the body is cut short, never complete');
    // A range reads only the chunks it covers, each verified: the intact first chunk is served,
    // a range over the corrupt end is not.
    assert.deepEqual(
      await bodyOf(await c.download({ resource: 'data', path: 'big.bin' }, range)),
      big.subarray(100, 200),
    );
    await assert.rejects(
      c.download({ resource: 'data', path: 'big.bin' }, { range: `bytes=${big.length - 100}-` }).then(bodyOf),
      'a range over the corrupt chunk is not served',
    );
    assert.equal((await c.health()).ready, true, 'the server keeps serving');
  } finally {
    await s.close();
  }
});

test('repository routes: refs, paged log, commit details, diff between revisions', async () => {
  const s = await serveRepo();
  try {
    const c = s.client(s.tokens.admin);
    const refs = await c.refs();
    const head = refs.head.commit!;
    assert.equal(refs.branches[0]!.head, head);
    const log = await c.log({ limit: 1 });
    assert.equal(log.commits[0]!.id, head);
    assert.equal(log.next_offset, null);
    const details = await c.commit('HEAD');
    assert.equal(details.id, head);
    assert.deepEqual(
      details.resources.map((r) => [r.name, r.files]),
      [['data', 2]],
    );
    const diff = await c.diff({ to: 'HEAD' });
    assert.equal(diff.from, null);
    assert.equal(diff.changes.length, 2);
    await c.request('POST', '/api/refs/tags', { body: { name: 'v1' } });
    assert.deepEqual((await c.refs()).tags, [{ name: 'v1', commit: head }]);
    assert.equal(
      await codeOf(c.request('POST', '/api/refs/tags', { body: { name: 'v1' } })),
      '409 E_ALREADY_EXISTS',
    );
    await c.request('DELETE', '/api/refs/tags/v1');
    assert.deepEqual((await c.refs()).tags, []);
  } finally {
    await s.close();
  }
});
