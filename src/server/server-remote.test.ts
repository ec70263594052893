import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameHeader, ByteReader, FRAME_HEADER_BYTES, parseFrameHeader } from '../protocol/remote-frames.js';
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
