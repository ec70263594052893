import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  GET_MANY_BATCH,
  type ClaimRequest,
  type ComputeKey,
  type ComputeRow,
  type ComputeStore,
} from './compute-store.js';

/** What an adapter's test hands the suite for each test: a fresh, empty store. */
export interface ComputeStoreFixture {
  readonly store: ComputeStore;
  /** Opens another store object on the same storage (a second connection where the adapter has them). */
  reopen(): Promise<ComputeStore>;
  /** Removes what the fixture made; runs after the suite closed every store. */
  cleanup(): Promise<void>;
}

const HASH = 'a'.repeat(64);
const T0 = 1_700_000_000_123;

function key(id: string, collection = 'c', argsHash = HASH): ComputeKey {
  return { collection, id, argsHash };
}

function request(k: ComputeKey, overrides: Partial<ClaimRequest> = {}): ClaimRequest {
  return {
    key: k,
    args: '{}',
    codeVersion: '1',
    holder: { pid: 4242, host: 'host-a', token: 'tok-1' },
    nowMs: T0,
    leaseMs: 60_000,
    force: false,
    isLive: () => true,
    ...overrides,
  };
}

/**
 * The behaviour every `ComputeStore` adapter must show, as node:test suites. Each test gets a
 * fresh store from `open` and closes it afterwards. Used by `sqlite-compute-store.test.ts` and
 * `postgres-compute-store.test.ts`.
 *
 * @example
 * runComputeStoreConformance('sqlite', async () => {
 *   const dir = await mkdtemp(join(tmpdir(), 'cs-'));
 *   return { store: await openSqliteComputeStore({ path: join(dir, 'compute.db') }),
 *            cleanup: () => rm(dir, { recursive: true }) };
 * });
 */
export function runComputeStoreConformance(name: string, open: () => Promise<ComputeStoreFixture>): void {
  describe(`ComputeStore conformance: ${name}`, () => {
    let fixture: ComputeStoreFixture;
    let store: ComputeStore;
    const opened: ComputeStore[] = [];

    beforeEach(async () => {
      fixture = await open();
      store = fixture.store;
    });
    afterEach(async () => {
      for (const s of [...opened.splice(0), store]) await s.close();
      await fixture.cleanup();
    });

    async function claimed(k: ComputeKey, overrides: Partial<ClaimRequest> = {}): Promise<ComputeRow> {
      const outcome = await store.claim(request(k, overrides));
      assert.equal(outcome.kind, 'claimed');
      return outcome.row;
    }

    it('a first claim inserts a pending row held by the claimer', async () => {
      assert.equal(await store.get(key('x')), undefined);
      const row = await claimed(key('x'), { args: '{"n":1}' });
      const stored = await store.get(key('x'));
      assert.deepEqual(stored, row);
      assert.equal(row.status, 'pending');
      assert.equal(row.attempts, 1);
      assert.equal(row.startedMs, T0);
      assert.equal(row.leaseUntilMs, T0 + 60_000);
      assert.equal(row.pid, 4242);
      assert.equal(row.host, 'host-a');
      assert.equal(row.token, 'tok-1');
      assert.equal(row.args, '{"n":1}');
      assert.equal(row.endedMs, null);
    });

    it('getMany answers many keys in their order, across batches, equal to get', async () => {
      assert.deepEqual(await store.getMany([]), []);
      // More keys than one batch, so an adapter that reads in batches must join them up.
      const keys = Array.from({ length: GET_MANY_BATCH + 7 }, (_, i) => key(`k-${i}`));
      const stored = [3, GET_MANY_BATCH - 1, GET_MANY_BATCH + 2];
      for (const i of stored) await claimed(keys[i]!, { args: `{"i":${i}}` });
      await store.finish(
        { key: keys[3]!, token: 'tok-1' },
        { status: 'complete', result: '"r3"' },
        T0 + 1,
        null,
      );
      // Same id in another collection and with other args: never mistaken for the key asked.
      await claimed(key('k-0', 'other'));
      await claimed(key('k-1', 'c', 'b'.repeat(64)));
      await claimed(key('ünï/çode ✓'));
      const asked = [...keys, keys[3]!, key('missing'), key('ünï/çode ✓')];
      const rows = await store.getMany(asked);
      assert.equal(rows.length, asked.length);
      for (let i = 0; i < asked.length; i++)
        assert.deepEqual(rows[i], await store.get(asked[i]!), `key ${i}`);
      assert.deepEqual(
        rows.flatMap((r, i) => (r ? [i] : [])),
        [...stored, keys.length, keys.length + 2],
      );
      assert.equal(rows[3]?.status, 'complete');
      assert.equal(rows[3]?.result, '"r3"');
      assert.equal(rows[keys.length]?.result, '"r3"', 'a key asked twice is answered twice');
    });

    it('a live pending row is busy; a stale one is taken over', async () => {
      await claimed(key('x'));
      const busy = await store.claim(request(key('x'), { holder: { pid: 1, host: 'h', token: 'tok-2' } }));
      assert.equal(busy.kind, 'busy');
      assert.equal(busy.row.token, 'tok-1');
      const forced = await store.claim(
        request(key('x'), { force: true, holder: { pid: 1, host: 'h', token: 't3' } }),
      );
      assert.equal(forced.kind, 'busy', 'force never takes a live pending row');
      let seen: ComputeRow | undefined;
      const taken = await store.claim(
        request(key('x'), {
          holder: { pid: 7, host: 'host-b', token: 'tok-2' },
          nowMs: T0 + 5,
          isLive: (row) => {
            seen = row;
            return false;
          },
        }),
      );
      assert.equal(taken.kind, 'claimed');
      assert.equal(seen?.token, 'tok-1');
      if (taken.kind !== 'claimed') return;
      assert.equal(taken.previous?.token, 'tok-1');
      assert.equal(taken.row.attempts, 2);
      const stored = await store.get(key('x'));
      assert.deepEqual(stored, taken.row);
      assert.equal(stored?.pid, 7);
      assert.equal(stored?.startedMs, T0 + 5);
    });

    it('a complete row is done for the same code version, claimed for another or when forced', async () => {
      await claimed(key('x'));
      const ok = await store.finish(
        { key: key('x'), token: 'tok-1' },
        { status: 'complete', result: '{"v":[1,2]}' },
        T0 + 10,
        'computed/c/x-0123',
      );
      assert.equal(ok, true);
      const row = await store.get(key('x'));
      assert.equal(row?.status, 'complete');
      assert.equal(row?.result, '{"v":[1,2]}');
      assert.equal(row?.endedMs, T0 + 10);
      assert.equal(row?.dir, 'computed/c/x-0123');
      assert.equal(row?.leaseUntilMs, null);
      assert.equal(row?.error, null);

      const done = await store.claim(request(key('x'), { holder: { pid: 1, host: 'h', token: 't2' } }));
      assert.equal(done.kind, 'done');
      assert.deepEqual(done.row, row);

      const other = await store.claim(
        request(key('x'), { codeVersion: '2', holder: { pid: 1, host: 'h', token: 't3' } }),
      );
      assert.equal(other.kind, 'claimed');
      const again = await store.get(key('x'));
      assert.equal(again?.status, 'pending');
      assert.equal(again?.codeVersion, '2');
      assert.equal(again?.result, null);
      assert.equal(again?.dir, null);
      assert.equal(again?.attempts, 2);
      await store.finish({ key: key('x'), token: 't3' }, { status: 'complete', result: '1' }, T0 + 20, null);
      const forced = await store.claim(
        request(key('x'), { codeVersion: '2', force: true, holder: { pid: 1, host: 'h', token: 't4' } }),
      );
      assert.equal(forced.kind, 'claimed');
    });

    it('an error is remembered with its stack and is done for the same code version', async () => {
      await claimed(key('x'));
      const error = {
        name: 'RangeError',
        message: 'bad ✓',
        stack: 'RangeError: bad ✓\n    at f (x.js:1:2)',
        code: 'E_X',
      };
      assert.equal(
        await store.finish({ key: key('x'), token: 'tok-1' }, { status: 'error', error }, T0 + 3, null),
        true,
      );
      const outcome = await store.claim(request(key('x'), { holder: { pid: 1, host: 'h', token: 't2' } }));
      assert.equal(outcome.kind, 'done');
      assert.equal(outcome.row.status, 'error');
      assert.deepEqual(outcome.row.error, error);
      assert.equal(outcome.row.result, null);
    });

    it('only the holder of the current claim can finish, retry or renew it', async () => {
      await claimed(key('x'));
      const held = { key: key('x'), token: 'tok-1' };
      const wrong = { key: key('x'), token: 'nope' };
      assert.equal(await store.finish(wrong, { status: 'complete', result: '1' }, T0, null), false);
      assert.equal(await store.retry(wrong, T0 + 1), false);
      assert.equal(await store.renew([wrong], T0 + 1), 0);
      assert.equal((await store.get(key('x')))?.status, 'pending');

      assert.equal(await store.retry(held, T0 + 90_000), true);
      let row = await store.get(key('x'));
      assert.equal(row?.attempts, 2);
      assert.equal(row?.leaseUntilMs, T0 + 90_000);
      assert.equal(await store.renew([held, wrong], T0 + 120_000), 1);
      row = await store.get(key('x'));
      assert.equal(row?.leaseUntilMs, T0 + 120_000);

      // Taken over: the old holder's late finish must not overwrite the new claim.
      await store.claim(
        request(key('x'), { holder: { pid: 2, host: 'h', token: 'tok-2' }, isLive: () => false }),
      );
      assert.equal(await store.finish(held, { status: 'complete', result: '"late"' }, T0, null), false);
      row = await store.get(key('x'));
      assert.equal(row?.status, 'pending');
      assert.equal(row?.token, 'tok-2');
      // Finished rows cannot be finished twice.
      const current = { key: key('x'), token: 'tok-2' };
      assert.equal(await store.finish(current, { status: 'complete', result: '1' }, T0, null), true);
      assert.equal(await store.finish(current, { status: 'complete', result: '2' }, T0, null), false);
      assert.equal((await store.get(key('x')))?.result, '1');
    });

    it('keys differ by collection, id and args hash; ids are any string', async () => {
      const ids = ['a/b', '../..', '..', 'ünï/cödé ✓ 🦕', '', ' ', 'x'.repeat(2000), 'a\u0000b', 'A', 'a'];
      for (const [i, id] of ids.entries())
        await claimed(key(id), { holder: { pid: 1, host: 'h', token: `t${i}` } });
      await claimed(key('a', 'other'));
      await claimed(key('a', 'c', 'b'.repeat(64)));
      for (const id of ids) assert.equal((await store.get(key(id)))?.id, id);
      const listed: string[] = [];
      let after: { id: string; argsHash: string } | undefined;
      for (;;) {
        const page = await store.list({ collection: 'c', limit: 3, after });
        if (page.length === 0) break;
        listed.push(...page.map((r) => `${r.id}|${r.argsHash[0]}`));
        after = { id: page[page.length - 1]!.id, argsHash: page[page.length - 1]!.argsHash };
      }
      assert.equal(listed.length, ids.length + 1);
      assert.deepEqual(new Set(listed), new Set([...ids.map((id) => `${id}|a`), 'a|b']));
      const byId = await store.list({ collection: 'c', id: 'a', limit: 10 });
      assert.deepEqual(
        byId.map((r) => r.argsHash[0]),
        ['a', 'b'],
      );
    });

    it('counts, pending rows, listings by status and collections', async () => {
      for (let i = 0; i < 5; i++)
        await claimed(key(`k${i}`), { holder: { pid: 1, host: 'h', token: `t${i}` } });
      await claimed(key('z', 'd'), { holder: { pid: 1, host: 'h', token: 'tz' } });
      await store.finish({ key: key('k0'), token: 't0' }, { status: 'complete', result: '0' }, T0, null);
      await store.finish({ key: key('k1'), token: 't1' }, { status: 'complete', result: '1' }, T0, null);
      await store.finish(
        { key: key('k2'), token: 't2' },
        { status: 'error', error: { name: 'Error', message: 'x' } },
        T0,
        null,
      );
      const counts = (await store.counts()).map((c) => `${c.collection}:${c.status}:${c.count}`).sort();
      assert.deepEqual(counts, ['c:complete:2', 'c:error:1', 'c:pending:2', 'd:pending:1']);
      assert.deepEqual(
        (await store.counts('d')).map((c) => [c.status, c.count]),
        [['pending', 1]],
      );
      assert.deepEqual(await store.counts('none'), []);
      assert.deepEqual(
        (await store.pending('c')).map((r) => r.id),
        ['k3', 'k4'],
      );
      assert.equal((await store.pending()).length, 3);
      assert.deepEqual(
        (await store.list({ collection: 'c', status: 'complete', limit: 10 })).map((r) => r.id),
        ['k0', 'k1'],
      );
      assert.deepEqual(await store.collections(), ['c', 'd']);
    });

    it('delete removes one row and returns it; clear removes a collection or one status of it', async () => {
      for (let i = 0; i < 4; i++)
        await claimed(key(`k${i}`), { holder: { pid: 1, host: 'h', token: `t${i}` } });
      await claimed(key('k', 'd'), { holder: { pid: 1, host: 'h', token: 'td' } });
      await store.finish(
        { key: key('k0'), token: 't0' },
        { status: 'complete', result: '0' },
        T0,
        'computed/c/k0',
      );
      await store.finish({ key: key('k1'), token: 't1' }, { status: 'complete', result: '1' }, T0, null);
      const gone = await store.delete(key('k3'));
      assert.equal(gone?.id, 'k3');
      assert.equal(await store.delete(key('k3')), undefined);
      assert.equal(await store.get(key('k3')), undefined);
      const cleared = await store.clear('c', 'complete');
      assert.deepEqual(cleared.map((k) => k.id).sort(), ['k0', 'k1']);
      assert.deepEqual(cleared[0], { collection: 'c', id: cleared[0]!.id, argsHash: HASH });
      assert.deepEqual(
        (await store.list({ collection: 'c', limit: 10 })).map((r) => r.id),
        ['k2'],
      );
      assert.equal((await store.clear('c')).length, 1);
      assert.equal((await store.list({ collection: 'c', limit: 10 })).length, 0);
      assert.equal((await store.get(key('k', 'd')))?.status, 'pending');
    });

    it('large results and exact times survive the round trip', async () => {
      await claimed(key('big'), { nowMs: 2 ** 52 });
      const result = JSON.stringify({ text: 'é✓'.repeat(500_000) });
      await store.finish(
        { key: key('big'), token: 'tok-1' },
        { status: 'complete', result },
        2 ** 52 + 1,
        null,
      );
      const row = await store.get(key('big'));
      assert.equal(row?.result, result);
      assert.equal(row?.startedMs, 2 ** 52);
      assert.equal(row?.endedMs, 2 ** 52 + 1);
    });

    it('a second store on the same storage sees the claims of the first', async () => {
      assert.ok(fixture.reopen, 'the fixture must be able to reopen its storage');
      const other = await fixture.reopen();
      opened.push(other);
      await claimed(key('x'));
      const busy = await other.claim(request(key('x'), { holder: { pid: 9, host: 'h', token: 't9' } }));
      assert.equal(busy.kind, 'busy');
      await store.finish({ key: key('x'), token: 'tok-1' }, { status: 'complete', result: '5' }, T0, null);
      assert.equal((await other.get(key('x')))?.result, '5');
      await other.close();
      await other.close();
      assert.equal((await store.get(key('x')))?.result, '5', 'closing one store leaves the other usable');
    });
  });
}
