import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { hashBytes } from '../util/hash.js';
import type { ObjectStore } from './object-store.js';

/** What the conformance suite needs from an adapter under test. */
export interface ConformanceContext {
  readonly store: ObjectStore;
  /** Flips at least one byte of the stored bytes of `id` (a committed, non-empty object). */
  corrupt(id: string): Promise<void>;
  /** Releases the store and deletes whatever it wrote. */
  cleanup(): Promise<void>;
}

/** Bigger than the 64 KiB threshold the fs tests use and not a multiple of any block size. */
const BIG_SIZE = 3 * 1024 * 1024 + 4321;

/**
 * The behaviour every `ObjectStore` adapter must have, run once per adapter (as Hono runs one
 * suite for every router). `create` is called before each test and must return an empty store;
 * adapters with a large-object threshold should set it well below 3 MiB so that the "big" cases
 * take the streaming path.
 *
 * @example
 * runObjectStoreConformance('memory', async () => {
 *   const store = new MemoryObjectStore();
 *   return { store, corrupt: async (id) => store.corruptForTest(id), cleanup: async () => {} };
 * });
 */
export function runObjectStoreConformance(name: string, create: () => Promise<ConformanceContext>): void {
  describe(`ObjectStore conformance: ${name}`, () => {
    let ctx: ConformanceContext;
    let store: ObjectStore;
    let scratch: string;

    beforeEach(async () => {
      ctx = await create();
      store = ctx.store;
      scratch = await mkdtemp(join(tmpdir(), 'strata-conformance-'));
    });

    afterEach(async () => {
      await ctx.cleanup();
      await rm(scratch, { recursive: true, force: true });
    });

    async function put(...items: Uint8Array[]): Promise<string[]> {
      const writer = store.createWriter();
      const ids: string[] = [];
      for (const item of items) ids.push(await writer.add(item));
      await writer.commit();
      return ids;
    }

    async function bigFile(size = BIG_SIZE): Promise<{ path: string; data: Buffer }> {
      const data = randomBytes(size);
      const path = join(scratch, `big-${size}.bin`);
      await writeFile(path, data);
      return { path, data };
    }

    async function collect(): Promise<string[]> {
      const ids: string[] = [];
      for await (const id of store.list()) ids.push(id);
      return ids;
    }

    it('round-trips bytes, and ids are hashBytes of the content', async () => {
      const data = Buffer.from('hello, strata');
      const [id] = await put(data);
      assert.equal(id, hashBytes(data));
      assert.deepEqual(await store.get(id!), data);
      assert.equal(await store.has(id!), true);
      await store.verify(id!);
    });

    it('getMany returns every object verified, and fails on a missing one', async () => {
      const writer = store.createWriter();
      const parts = [randomBytes(10), randomBytes(2000), randomBytes(BIG_SIZE)];
      const ids = [];
      for (const p of parts) ids.push(await writer.add(p));
      await writer.commit();
      const got = await store.getMany(ids);
      assert.deepEqual(
        ids.map((id) => got.get(id)),
        parts,
      );
      await assert.rejects(store.getMany([ids[0]!, hashBytes(Buffer.from('never stored'))]), {
        code: 'E_NOT_FOUND',
      });
      await ctx.corrupt(ids[1]!);
      await assert.rejects(store.getMany(ids), { code: 'E_HASH_MISMATCH' });
    });

    it('stores the same bytes once, within a writer and across writers', async () => {
      const data = Buffer.from('same bytes');
      const writer = store.createWriter();
      const a = await writer.add(data);
      const b = await writer.add(Buffer.from(data));
      await writer.commit();
      const [c] = await put(data);
      assert.equal(a, b);
      assert.equal(a, c);
      assert.deepEqual(await collect(), [a]);
    });

    it('copies the added bytes, so the caller may reuse its buffer', async () => {
      const data = Buffer.from('before');
      const writer = store.createWriter();
      const id = await writer.add(data);
      data.write('after!');
      await writer.commit();
      assert.equal((await store.get(id)).toString(), 'before');
    });

    it('makes nothing readable before commit, everything after', async () => {
      const writer = store.createWriter();
      const small = await writer.add(Buffer.from('pending'));
      const { path } = await bigFile();
      const big = (await writer.addFile(path)).id;
      assert.deepEqual(await store.hasMany([small, big]), new Set());
      await assert.rejects(store.get(small), { code: 'E_NOT_FOUND' });
      await assert.rejects(store.get(big), { code: 'E_NOT_FOUND' });
      assert.deepEqual(await collect(), []);
      await writer.commit();
      assert.deepEqual(await store.hasMany([small, big]), new Set([small, big]));
    });

    it('drops everything on abort', async () => {
      const writer = store.createWriter();
      const small = await writer.add(Buffer.from('dropped'));
      const big = (await writer.addFile((await bigFile()).path)).id;
      await writer.abort();
      assert.equal(await store.has(small), false);
      assert.equal(await store.has(big), false);
      assert.deepEqual(await collect(), []);
    });

    it('refuses calls on a writer after commit or abort', async () => {
      const committed = store.createWriter();
      await committed.commit();
      await assert.rejects(committed.add(Buffer.from('x')), { code: 'E_INVALID_ARGUMENT' });
      await assert.rejects(committed.commit(), { code: 'E_INVALID_ARGUMENT' });
      const aborted = store.createWriter();
      await aborted.abort();
      await assert.rejects(aborted.addFile(join(scratch, 'any')), { code: 'E_INVALID_ARGUMENT' });
      await assert.rejects(aborted.commit(), { code: 'E_INVALID_ARGUMENT' });
    });

    it('answers hasMany with the stored subset', async () => {
      const [a, b] = await put(Buffer.from('a'), Buffer.from('b'));
      const unknown = hashBytes(Buffer.from('never stored'));
      assert.deepEqual(await store.hasMany([a!, unknown, b!, 'not-an-id']), new Set([a, b]));
      assert.deepEqual(await store.hasMany([]), new Set());
      assert.equal(await store.has(unknown), false);
    });

    it('reports sizes without reading', async () => {
      const writer = store.createWriter();
      const small = await writer.add(Buffer.alloc(1000, 7));
      const empty = await writer.add(Buffer.alloc(0));
      const big = await writer.addFile((await bigFile()).path);
      await writer.commit();
      assert.equal(await store.size(small), 1000);
      assert.equal(await store.size(empty), 0);
      assert.equal(big.size, BIG_SIZE);
      assert.equal(await store.size(big.id), BIG_SIZE);
    });

    it('lists every stored object exactly once', async () => {
      const small = await put(...Array.from({ length: 50 }, (_, i) => Buffer.from(`object ${i}`)));
      const writer = store.createWriter();
      const big = (await writer.addFile((await bigFile()).path)).id;
      await writer.commit();
      const listed = await collect();
      assert.equal(listed.length, 51);
      assert.deepEqual(new Set(listed), new Set([...small, big]));
    });

    it('deletes objects and keeps the others', async () => {
      const [a, b, c] = await put(Buffer.from('a'), Buffer.from('b'), Buffer.from('c'));
      const writer = store.createWriter();
      const big = (await writer.addFile((await bigFile()).path)).id;
      await writer.commit();
      await store.deleteMany([a!, big, hashBytes(Buffer.from('unknown'))]);
      assert.deepEqual(await store.hasMany([a!, b!, c!, big]), new Set([b, c]));
      await assert.rejects(store.get(a!), { code: 'E_NOT_FOUND' });
      await assert.rejects(store.get(big), { code: 'E_NOT_FOUND' });
      assert.equal((await store.get(c!)).toString(), 'c');
      assert.deepEqual(new Set(await collect()), new Set([b, c]));
      await store.deleteMany([b!, c!]);
      assert.deepEqual(await collect(), []);
      // Deleted ids can be stored again.
      assert.deepEqual(await put(Buffer.from('a')), [a]);
      assert.equal((await store.get(a!)).toString(), 'a');
    });

    it('stores the empty object', async () => {
      const [id] = await put(Buffer.alloc(0));
      assert.equal(id, hashBytes(Buffer.alloc(0)));
      assert.equal((await store.get(id!)).byteLength, 0);
      await store.verify(id!);
      const out = join(scratch, 'empty.out');
      await store.readToFile(id!, out);
      assert.equal((await stat(out)).size, 0);
    });

    it('round-trips a small file through addFile and readToFile', async () => {
      const data = randomBytes(10_000);
      const path = join(scratch, 'small.bin');
      await writeFile(path, data);
      const writer = store.createWriter();
      const added = await writer.addFile(path);
      await writer.commit();
      assert.deepEqual(added, { id: hashBytes(data), size: data.byteLength });
      const out = join(scratch, 'small.out');
      await store.readToFile(added.id, out);
      assert.deepEqual(await readFile(out), data);
    });

    it('round-trips a big file through addFile and readToFile, with a mode', async () => {
      const { path, data } = await bigFile();
      const writer = store.createWriter();
      const added = await writer.addFile(path);
      await writer.commit();
      assert.deepEqual(added, { id: hashBytes(data), size: data.byteLength });
      const out = join(scratch, 'big.out');
      await writeFile(out, 'an older file that readToFile replaces');
      await store.readToFile(added.id, out, { mode: 0o600 });
      assert.deepEqual(await readFile(out), data);
      await store.verify(added.id);
      assert.deepEqual(await store.get(added.id), data);
      const fresh = join(scratch, 'big-mode.out');
      await store.readToFile(added.id, fresh, { mode: 0o600 });
      assert.equal((await stat(fresh)).mode & 0o777, 0o600);
    });

    it('round-trips big bytes given to add()', async () => {
      const data = randomBytes(BIG_SIZE);
      const [id] = await put(data);
      assert.deepEqual(await store.get(id!), data);
      const out = join(scratch, 'big-add.out');
      await store.readToFile(id!, out);
      assert.deepEqual(await readFile(out), data);
    });

    it('round-trips many small objects added concurrently', async () => {
      const items = Array.from({ length: 3000 }, (_, i) => randomBytes(i % 1500));
      const writer = store.createWriter();
      const ids = await Promise.all(items.map((item) => writer.add(item)));
      await writer.commit();
      assert.deepEqual(
        ids,
        items.map((item) => hashBytes(item)),
      );
      for (let i = 0; i < items.length; i += 97) assert.deepEqual(await store.get(ids[i]!), items[i]);
      assert.equal((await store.hasMany(ids)).size, new Set(ids).size);
    });

    it('rejects addFile of a missing file with the filesystem error', async () => {
      const writer = store.createWriter();
      await assert.rejects(writer.addFile(join(scratch, 'missing')), { code: 'ENOENT' });
      await writer.abort();
    });

    for (const kind of ['small', 'big'] as const) {
      it(`detects a corrupt ${kind} object on every read path, and others still read`, async () => {
        const writer = store.createWriter();
        const { path, data } = await bigFile(kind === 'big' ? BIG_SIZE : 5000);
        const victim = (await writer.addFile(path)).id;
        const neighbour = await writer.add(Buffer.from('neighbour'));
        const bigNeighbour = (await writer.addFile((await bigFile(BIG_SIZE + 1)).path)).id;
        await writer.commit();
        assert.deepEqual(await store.get(victim), data);
        await ctx.corrupt(victim);

        await assert.rejects(store.get(victim), { code: 'E_HASH_MISMATCH' });
        await assert.rejects(store.verify(victim), { code: 'E_HASH_MISMATCH' });
        const outDir = join(scratch, 'out');
        await mkdir(outDir);
        await assert.rejects(store.readToFile(victim, join(outDir, 'victim')), { code: 'E_HASH_MISMATCH' });
        assert.deepEqual(await readdir(outDir), [], 'no file and no temp file left behind');

        assert.equal((await store.get(neighbour)).toString(), 'neighbour');
        await store.verify(bigNeighbour);
        await store.readToFile(bigNeighbour, join(outDir, 'neighbour'));
        assert.equal((await stat(join(outDir, 'neighbour'))).size, BIG_SIZE + 1);
      });
    }

    it('reports unknown ids as E_NOT_FOUND and malformed ids as E_INVALID_ARGUMENT', async () => {
      const unknown = hashBytes(Buffer.from('unknown'));
      await assert.rejects(store.get(unknown), { code: 'E_NOT_FOUND' });
      await assert.rejects(store.size(unknown), { code: 'E_NOT_FOUND' });
      await assert.rejects(store.verify(unknown), { code: 'E_NOT_FOUND' });
      const out = join(scratch, 'unknown.out');
      await assert.rejects(store.readToFile(unknown, out), { code: 'E_NOT_FOUND' });
      assert.deepEqual(await readdir(scratch), []);
      await assert.rejects(store.get('../../etc/passwd'), { code: 'E_INVALID_ARGUMENT' });
      assert.equal(await store.has('../../etc/passwd'), false);
    });
  });
}
