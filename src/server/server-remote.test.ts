import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameHeader, ByteReader, FRAME_HEADER_BYTES, parseFrameHeader } from '../protocol/remote-frames.js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as api from '../api/index.js';
import { hashBytes } from '../util/hash.js';
import { serveRepo } from './test-support/serve-repo.js';

const post = (url: string, token: string, body: Buffer | string, type: string) =>
  fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body });

test('remote routes: a pack with altered bytes is refused whole; a good one lands; refs move by compare-and-swap', async () => {
  const s = await serveRepo();
  try {
    const good = Buffer.from('good object');
    const other = Buffer.from('another object');
    const tampered = Buffer.concat([
      frameHeader(hashBytes(good), good.length),
      good,
      frameHeader(hashBytes(other), other.length),
      Buffer.from('altered bytes!'),
    ]);
    const refused = await post(
      `${s.url}/api/remote/packs`,
      s.tokens.write,
      tampered,
      'application/octet-stream',
    );
    assert.equal(refused.status, 400);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'E_CORRUPT_TRANSFER');
    const have = async (ids: string[]) =>
      (
        (await (
          await post(`${s.url}/api/remote/have`, s.tokens.read, JSON.stringify({ ids }), 'application/json')
        ).json()) as {
          have: string[];
        }
      ).have;
    assert.deepEqual(await have([hashBytes(good), hashBytes(other)]), [], 'nothing of the refused pack kept');

    // A read token may not upload; a write token may.
    const pack = Buffer.concat([frameHeader(hashBytes(good), good.length), good]);
    assert.equal(
      (await post(`${s.url}/api/remote/packs`, s.tokens.read, pack, 'application/octet-stream')).status,
      403,
    );
    const landed = await post(`${s.url}/api/remote/packs`, s.tokens.write, pack, 'application/octet-stream');
    assert.deepEqual(await landed.json(), { objects: 1, bytes: good.length });
    assert.deepEqual(await have([hashBytes(good)]), [hashBytes(good)]);

    // Download in frames, verified by the reader.
    const down = await post(
      `${s.url}/api/remote/objects`,
      s.tokens.read,
      JSON.stringify({ ids: [hashBytes(good)] }),
      'application/json',
    );
    const reader = new ByteReader(down.body!);
    const header = parseFrameHeader(await reader.read(FRAME_HEADER_BYTES));
    assert.equal(header.id, hashBytes(good));
    assert.deepEqual(await reader.read(header.length), good);
    assert.equal(await reader.atEnd(), true);

    // Refs: only to a stored commit, and only from the value the caller saw.
    const info = (await (
      await fetch(`${s.url}/api/remote`, { headers: { authorization: `Bearer ${s.tokens.read}` } })
    ).json()) as {
      protocol: number;
      refs: { name: string; target: string }[];
    };
    assert.equal(info.protocol, 1);
    const main = info.refs.find((r) => r.name === 'refs/heads/main')!.target;
    const move = (expected: string | null, target = main) =>
      post(
        `${s.url}/api/remote/refs`,
        s.tokens.write,
        JSON.stringify({ name: 'refs/heads/copy', target, expected }),
        'application/json',
      );
    assert.equal((await move(null, hashBytes(Buffer.from('never stored')))).status, 404);
    assert.equal((await move(null)).status, 200);
    const lost = await move(null);
    assert.equal(lost.status, 409);
    assert.equal(((await lost.json()) as { error: { code: string } }).error.code, 'E_CONFLICT');
    const doc = (await (await fetch(`${s.url}/api/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    for (const path of ['/api/remote', '/api/remote/have', '/api/remote/packs', '/api/remote/refs'])
      assert.ok(doc.paths[path], path);
  } finally {
    await s.close();
  }
});

test('remote over HTTP: a push of 600 files and a clone of them take a handful of requests, not one per object', async () => {
  const s = await serveRepo();
  const root = mkdtempSync(join(tmpdir(), 'strata-http-batches-'));
  const realFetch = globalThis.fetch;
  let requests = 0;
  globalThis.fetch = ((...args: Parameters<typeof fetch>) => {
    requests += 1;
    return realFetch(...args);
  }) as typeof fetch;
  const token = process.env.STRATA_TOKEN;
  process.env.STRATA_TOKEN = s.tokens.write;
  try {
    const repo = await api.initRepository(join(root, 'a'));
    try {
      await api.addResource(repo, { path: 'data', role: 'source-data', cwd: repo.root, create: true });
      for (let i = 0; i < 600; i++) {
        mkdirSync(join(repo.root, 'data', `d${i % 20}`), { recursive: true });
        writeFileSync(join(repo.root, 'data', `d${i % 20}`, `f${i}.txt`), `file ${i}`);
      }
      await api.commit(repo, { message: 'many', author: 'test' });
      await api.createBranch(repo, 'feature');
      await api.addRemote(repo, 'hub', s.url);
      requests = 0;
      const pushed = await api.pushRemote(repo, 'hub', { branch: 'feature' });
      assert.ok(pushed.objects > 600, `pushed ${pushed.objects} objects`);
      assert.ok(requests <= 15, `push took ${requests} requests`);
    } finally {
      await repo.close();
    }
    requests = 0;
    const clone = await api.cloneRepository(s.url, join(root, 'b'), { branch: 'feature' });
    assert.equal(clone.files, 600);
    assert.ok(requests <= 20, `clone took ${requests} requests`);
  } finally {
    globalThis.fetch = realFetch;
    if (token === undefined) delete process.env.STRATA_TOKEN;
    else process.env.STRATA_TOKEN = token;
    rmSync(root, { recursive: true, force: true });
    await s.close();
  }
});
