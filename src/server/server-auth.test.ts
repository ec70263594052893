import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as api from '../api/index.js';
import { ApiError } from '../protocol/client.js';
import { startServer } from './start-server.js';
import { hasNoStack, serveRepo } from './test-support/serve-repo.js';

async function status(
  promise: Promise<unknown>,
): Promise<{ status: number; code: string; reason?: unknown }> {
  try {
    await promise;
    return { status: 200, code: 'ok' };
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    return { status: err.status, code: err.code, reason: err.data.reason };
  }
}

test('auth: no token, wrong token, expired and revoked tokens get 401; a read token on a write route 403', async () => {
  const s = await serveRepo();
  try {
    assert.deepEqual(await status(s.client().refs()), {
      status: 401,
      code: 'E_UNAUTHORIZED',
      reason: 'missing',
    });
    assert.deepEqual(await status(s.client('strata_not-a-token').refs()), {
      status: 401,
      code: 'E_UNAUTHORIZED',
      reason: 'unknown',
    });
    assert.deepEqual(await status(s.client(s.tokens.expired).refs()), {
      status: 401,
      code: 'E_UNAUTHORIZED',
      reason: 'expired',
    });
    assert.deepEqual(await status(s.client(s.tokens.read).createBranch('feature')), {
      status: 403,
      code: 'E_FORBIDDEN',
      reason: 'scope',
    });
    // The same calls pass with a token that may make them.
    assert.equal((await s.client(s.tokens.read).refs()).branches[0]!.name, 'main');
    assert.equal(
      ((await s.client(s.tokens.write).createBranch('feature')) as { name: string }).name,
      'feature',
    );
    // Revoked while the server runs: refused from the next request on.
    await api.revokeToken(s.server.repo, 'reader');
    assert.deepEqual(await status(s.client(s.tokens.read).refs()), {
      status: 401,
      code: 'E_UNAUTHORIZED',
      reason: 'revoked',
    });
    // Health, the OpenAPI document and the docs page need no token.
    assert.equal((await s.client().health()).ready, true);
    const doc = (await (await fetch(`${s.url}/api/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    for (const path of [
      '/api/refs',
      '/api/log',
      '/api/tree',
      '/api/file',
      '/api/assets/search',
      '/api/history',
    ])
      assert.ok(doc.paths[path], path);
    assert.equal((await fetch(`${s.url}/api/docs/`)).status, 200);
  } finally {
    await s.close();
  }
});

test('auth: a read-only server refuses writes even to an admin token', async () => {
  const s = await serveRepo(undefined, { readOnly: true });
  try {
    assert.deepEqual(await status(s.client(s.tokens.admin).createBranch('x')), {
      status: 403,
      code: 'E_FORBIDDEN',
      reason: 'read-only',
    });
    assert.equal((await s.client(s.tokens.admin).refs()).branches.length, 1);
  } finally {
    await s.close();
  }
});

test('serve: binding a non-loopback address without any usable token is refused; with one it listens', async () => {
  const root = mkdtempSync(join(tmpdir(), 'strata-server-bind-'));
  try {
    const repo = await api.initRepository(root);
    const { token } = await api.createToken(repo, { name: 'gone', scope: 'read' });
    await api.revokeToken(repo, 'gone');
    await repo.close();
    await assert.rejects(
      startServer({ cwd: root, port: 0, host: '0.0.0.0', readOnly: false }),
      (err: api.StrataError) => {
        assert.equal(err.code, 'E_CONFIG');
        assert.match(err.message, /without any token/);
        return true;
      },
    );
    assert.ok(token.startsWith('strata_'));
    const again = await api.openRepository(root);
    await api.createToken(again, { name: 'live', scope: 'read' });
    await again.close();
    const server = await startServer({ cwd: root, port: 0, host: '0.0.0.0', readOnly: false });
    await server.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('errors: malformed JSON and a body of the wrong shape get 400 with the error body and no stack', async () => {
  const s = await serveRepo();
  try {
    const post = (body: string) =>
      fetch(`${s.url}/api/refs/branches`, {
        method: 'POST',
        headers: { authorization: `Bearer ${s.tokens.write}`, 'content-type': 'application/json' },
        body,
      });
    for (const [body, code] of [
      ['{"name": "x"', 'E_MALFORMED_JSON'],
      ['{"nom": "x"}', 'E_INVALID_REQUEST'],
      ['{"name": 42}', 'E_INVALID_REQUEST'],
      ['[]', 'E_INVALID_REQUEST'],
    ] as const) {
      const r = await post(body);
      const text = await r.text();
      assert.equal(r.status, 400, `${body}: ${text}`);
      const parsed = JSON.parse(text) as { error: { code: string; message: string; data: unknown } };
      assert.equal(parsed.error.code, code, body);
      assert.equal(typeof parsed.error.message, 'string');
      assert.ok(parsed.error.data && typeof parsed.error.data === 'object');
      assert.ok(hasNoStack(text), text);
    }
    // Nothing was created by the refused bodies.
    assert.deepEqual(
      (await s.client(s.tokens.read).refs()).branches.map((b) => b.name),
      ['main'],
    );
    const unknown = await fetch(`${s.url}/api/nothing-here`, {
      headers: { authorization: `Bearer ${s.tokens.read}` },
    });
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, 'E_NOT_FOUND');
  } finally {
    await s.close();
  }
});

test('token CLI verbs: create prints a secret whose hash only is stored, list never shows it', async () => {
  const root = mkdtempSync(join(tmpdir(), 'strata-server-tokens-'));
  try {
    const repo = await api.initRepository(root);
    const { token, record } = await api.createToken(repo, { name: 'ci', scope: 'write', expiresIn: '30d' });
    assert.equal(record.scope, 'write');
    assert.ok(Date.parse(record.expiresAt!) - Date.now() > 29 * 86400e3);
    const listed = JSON.stringify(await api.listTokens(repo));
    assert.ok(!listed.includes(token));
    assert.equal((await api.checkToken(repo, token)).ok, true);
    await assert.rejects(api.createToken(repo, { name: 'ci', scope: 'read' }), { code: 'E_ALREADY_EXISTS' });
    await assert.rejects(api.createToken(repo, { name: 'x', scope: 'root' }), { code: 'E_INVALID_ARGUMENT' });
    await assert.rejects(api.createToken(repo, { name: 'y', scope: 'read', expiresIn: 'soon' }), {
      code: 'E_INVALID_ARGUMENT',
    });
    await assert.rejects(api.revokeToken(repo, 'nobody'), { code: 'E_NOT_FOUND' });
    await repo.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
