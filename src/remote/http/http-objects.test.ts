import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { frameHeader } from '../../protocol/remote-frames.js';
import { hashBytes } from '../../util/hash.js';
import { HttpObjects } from './http-objects.js';
import { RemoteHttp } from './remote-http.js';

const good = [Buffer.from('first object'), Buffer.alloc(200_000, 7), Buffer.from('third')];
const ids = good.map((data) => hashBytes(data));

/** What the fake server answers to the next objects request: the frames it sends. */
let frames: Buffer[] = [];
let server: Server;
let objects: HttpObjects;

before(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      for (const frame of frames) res.write(frame);
      res.end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  objects = new HttpObjects(new RemoteHttp(`http://127.0.0.1:${port}/`, undefined));
});

after(() => server.close());

const framesOf = (list: readonly [string, Buffer][]) =>
  list.flatMap(([id, data]) => [frameHeader(id, data.byteLength), data]);

async function collect(): Promise<[string, Buffer][]> {
  const out: [string, Buffer][] = [];
  for await (const [id, data] of objects.streamMany(ids)) out.push([id, Buffer.from(data)]);
  return out;
}

test('streamMany hands over every object asked for, in order, verified', async () => {
  frames = framesOf(ids.map((id, i) => [id, good[i]!]));
  const got = await collect();
  assert.deepEqual(
    got.map(([id]) => id),
    ids,
  );
  got.forEach(([, data], i) => assert.ok(data.equals(good[i]!)));
});

test('streamMany refuses an object whose bytes were altered on the way', async () => {
  const altered = Buffer.from(good[1]!);
  altered[1000] ^= 0xff;
  frames = framesOf([
    [ids[0]!, good[0]!],
    [ids[1]!, altered],
    [ids[2]!, good[2]!],
  ]);
  await assert.rejects(collect(), (err: { code?: string; message: string }) => {
    assert.equal(err.code, 'E_CORRUPT_TRANSFER');
    assert.match(err.message, new RegExp(ids[1]!));
    return true;
  });
});

test('streamMany refuses an answer with an object missing, out of order, or cut short', async () => {
  frames = framesOf([
    [ids[0]!, good[0]!],
    [ids[2]!, good[2]!],
  ]);
  await assert.rejects(collect(), { code: 'E_CORRUPT_TRANSFER' });
  frames = framesOf([
    [ids[0]!, good[0]!],
    [ids[1]!, good[1]!],
  ]);
  await assert.rejects(collect(), { code: 'E_CORRUPT_TRANSFER' });
  const cut = framesOf(ids.map((id, i) => [id, good[i]!]));
  frames = [...cut.slice(0, 3), cut[3]!.subarray(0, 5000)];
  await assert.rejects(collect());
});
