import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { frameName, sequenceFolder, tinyPng, writeConfig, writeTree } from '../assets/traits/test-fixture.js';
import { closeIdleSearchProcesses } from '../assets/store/sqlite/sqlite-search.js';
import { CAN_LIST_PROCESSES, searchChildrenOf } from '../assets/store/sqlite/sqlite-search-test-support.js';
import { ApiError } from '../protocol/client.js';
import { serveRepo, updateAssetsAt } from './test-support/serve-repo.js';

/** A recursive CTE that never ends and never yields a row. */
const ENDLESS = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c';

const codeOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (err: ApiError) => `${err.status} ${err.code}`,
  );

async function withAssets(
  work: (s: Awaited<ReturnType<typeof serveRepo>>) => Promise<void>,
  beforeServing?: () => void,
): Promise<void> {
  const s = await serveRepo(undefined, {
    searchTimeoutSeconds: 1,
    prepare: async (root) => {
      const png = await tinyPng();
      writeTree(root, {
        [path.join('ingress', sequenceFolder('good'), frameName('good', 1))]: png,
        [path.join('ingress', sequenceFolder('good'), frameName('good', 2))]: png,
        [path.join('ingress', 'not-a-name.txt')]: 'x',
      });
      writeConfig(
        root,
        'webhooks: [{url: "http://example.invalid/hook", method: "post", headers: {secret_key: "hunter2"}}]\n',
      );
      await updateAssetsAt(root);
      beforeServing?.();
    },
  });
  try {
    await work(s);
  } finally {
    await s.close();
  }
}

test('assets: the search processes are started with the server, before any search; a page may skip the count', async () => {
  let killed = new Set<number>();
  await withAssets(
    async (s) => {
      // Nothing but the server's start asks for a search here: wait until its warm-up left a child.
      if (CAN_LIST_PROCESSES)
        for (const until = Date.now() + 60_000; searchChildrenOf().every((pid) => killed.has(pid));) {
          assert.ok(Date.now() < until, 'no search process was started by the server');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      const c = s.client(s.tokens.read);
      const page = await c.search({ sql: 'SELECT file_path FROM data', limit: 2, count: false });
      assert.deepEqual([page.rows.length, page.total], [2, null]);
      assert.equal((await c.search({ sql: 'SELECT file_path FROM data', limit: 2 })).total, 3);
    },
    () => {
      // Children of earlier searches (being killed) are not the ones the server starts.
      closeIdleSearchProcesses();
      killed = new Set(searchChildrenOf());
    },
  );
});

test('assets: SQL search pages rows; a write is refused; an endless query stops at the time limit while the server keeps serving', async () => {
  await withAssets(async (s) => {
    const c = s.client(s.tokens.read);
    const files = await c.search({ sql: 'SELECT file_path FROM data ORDER BY file_path', limit: 2 });
    assert.equal(files.total, 3);
    assert.equal(files.rows.length, 2);
    const assets = await c.search({ sql: 'SELECT * FROM data', group_by: 'asset' });
    assert.ok(assets.rows.some((r) => r.asset_valid === true));
    assert.ok(assets.rows.every((r) => typeof r.asset_valid === 'boolean'));

    assert.equal(await codeOf(c.search({ sql: 'DELETE FROM files' })), '400 E_INVALID_ARGUMENT');
    assert.equal((await c.search({ sql: 'SELECT count(*) AS n FROM data' })).rows[0]!.n, 3);

    // The client asks for 600 s; the server's limit (1 s) wins. Meanwhile other requests answer.
    const started = Date.now();
    let settled = false;
    const endless = codeOf(c.search({ sql: ENDLESS, timeout_seconds: 600 })).finally(() => (settled = true));
    assert.equal((await c.health()).ready, true);
    assert.equal((await c.refs()).branches.length, 1);
    assert.equal(settled, false, 'answered while the endless query ran');
    assert.equal(await endless, '400 E_QUERY_TIMEOUT');
    assert.ok(Date.now() - started < 30_000);
    assert.equal((await c.search({ sql: 'SELECT 1 AS one' })).rows[0]!.one, 1);
  });
});

test('assets: tables grouped by asset or file, graph, and the config with secrets redacted', async () => {
  await withAssets(async (s) => {
    const c = s.client(s.tokens.read);
    const byAsset = await c.request<{ total: number }>('GET', '/api/assets', {
      query: { group_by: 'asset' },
    });
    const byFile = await c.request<{ total: number }>('GET', '/api/assets', { query: { group_by: 'file' } });
    assert.ok(byAsset.total < byFile.total, `${byAsset.total} < ${byFile.total}`);
    const graph = await c.request<{ children?: unknown[] }>('GET', '/api/assets/graph');
    assert.ok(Array.isArray(graph.children));
    const config = JSON.stringify(await c.request('GET', '/api/assets/config'));
    assert.ok(config.includes('ingress') && config.includes('secret_key'), config);
    assert.ok(!config.includes('hunter2'), config);
  });
});
