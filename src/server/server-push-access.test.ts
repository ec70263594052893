/**
 * A push with a read token over HTTP is refused before negotiation: the client asks the server
 * whether its token may push first, so no `have`, `sizes` or `packs` request (no object) is sent.
 * Every fetch of this process is recorded (negotiation goes through fetch; pack uploads, which
 * come after it, through node:http); the write-token push beside it shows the recorder works.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as api from '../api/index.js';
import { serveRepo } from './test-support/serve-repo.js';

test('push with a read token: refused before any object or negotiation request; a write token pushes', async () => {
  const served = await serveRepo();
  const root = mkdtempSync(join(tmpdir(), 'strata-push-access-'));
  const realFetch = globalThis.fetch;
  const savedToken = process.env.STRATA_TOKEN;
  const requests: string[] = [];
  globalThis.fetch = (input, init) => {
    requests.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
    return realFetch(input, init);
  };
  const repo = await api.initRepository(root);
  try {
    await api.addResource(repo, { path: 'data', role: 'source-data', cwd: root, create: true });
    mkdirSync(join(root, 'data'), { recursive: true });
    writeFileSync(join(root, 'data', 'local.txt'), 'only here');
    await api.commit(repo, { message: 'local', author: 'test' });
    await api.createBranch(repo, 'feature');
    await api.addRemote(repo, 'origin', served.url);

    process.env.STRATA_TOKEN = served.tokens.read;
    await assert.rejects(
      api.pushRemote(repo, 'origin', { branch: 'feature' }),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, 'E_REMOTE_REFUSED');
        assert.match(err.message, /write token/);
        return true;
      },
    );
    assert.deepEqual(
      requests,
      ['GET /api/remote', 'GET /api/remote/push-access'],
      'nothing asked or sent beyond opening and the check',
    );

    requests.length = 0;
    process.env.STRATA_TOKEN = served.tokens.write;
    const pushed = await api.pushRemote(repo, 'origin', { branch: 'feature' });
    assert.ok(pushed.objects > 0);
    assert.ok(requests.includes('POST /api/remote/have'), requests.join(', '));
    // (Packs are uploaded through node:http, not fetch: the recorder does not see them.)
    assert.equal(pushed.updated.length, 1);
  } finally {
    globalThis.fetch = realFetch;
    if (savedToken === undefined) delete process.env.STRATA_TOKEN;
    else process.env.STRATA_TOKEN = savedToken;
    await repo.close();
    await served.close();
    rmSync(root, { recursive: true, force: true });
  }
});
