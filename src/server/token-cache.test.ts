import assert from 'node:assert/strict';
import test from 'node:test';
import { hashToken, type TokenRecord } from '../api/index.js';
import { TokenCache } from './token-cache.js';

const SECRET = 'strata_secret';

function fakeSource(record: TokenRecord) {
  const state = { record: { ...record } as TokenRecord | undefined, revocations: 0, queries: 0 };
  return {
    state,
    source: {
      find: async (hash: string) => {
        state.queries++;
        return hash === hashToken(SECRET) ? state.record : undefined;
      },
      revocations: () => state.revocations,
    },
  };
}

const live: TokenRecord = {
  name: 'reader',
  scope: 'read',
  createdAt: '2026-01-01T00:00:00.000Z',
  expiresAt: null,
  revokedAt: null,
};

test('token cache: one catalog query per TTL; a revocation elsewhere takes effect once the TTL passes', async () => {
  let now = Date.parse('2026-06-01T00:00:00Z');
  const { state, source } = fakeSource(live);
  const cache = new TokenCache(source, 5_000, () => now);
  for (let i = 0; i < 10; i++) assert.equal((await cache.check(SECRET)).ok, true);
  assert.equal(state.queries, 1);
  // Revoked by another process: still accepted within the TTL, refused after it.
  state.record = { ...live, revokedAt: '2026-06-01T00:00:01Z' };
  now += 4_999;
  assert.equal((await cache.check(SECRET)).ok, true);
  now += 1;
  assert.deepEqual(await cache.check(SECRET), { ok: false, reason: 'revoked' });
  assert.equal(state.queries, 2);
});

test('token cache: a revocation through this process refuses at once; expiry is judged on every check; unknown hashes are not kept', async () => {
  let now = Date.parse('2026-06-01T00:00:00Z');
  const { state, source } = fakeSource({ ...live, expiresAt: '2026-06-01T00:00:03.000Z' });
  const cache = new TokenCache(source, 60_000, () => now);
  assert.equal((await cache.check(SECRET)).ok, true);
  now += 3_000;
  assert.deepEqual(await cache.check(SECRET), { ok: false, reason: 'expired' });
  assert.equal(state.queries, 1);

  state.record = { ...live };
  state.revocations++; // what revokeToken on the served repository does
  assert.equal((await cache.check(SECRET)).ok, true);
  state.record = { ...live, revokedAt: '2026-06-01T00:00:04Z' };
  state.revocations++;
  assert.deepEqual(await cache.check(SECRET), { ok: false, reason: 'revoked' });
  assert.equal(state.queries, 3);

  assert.deepEqual(await cache.check('strata_wrong'), { ok: false, reason: 'unknown' });
  assert.deepEqual(await cache.check('strata_wrong'), { ok: false, reason: 'unknown' });
  assert.equal(state.queries, 5);
});
