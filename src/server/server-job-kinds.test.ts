import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as api from '../api/index.js';
import { frameName, sequenceFolder, tinyPng, writeConfig, writeTree } from '../assets/traits/test-fixture.js';
import { ApiError } from '../protocol/client.js';
import { follow, runJob, type JobView } from './test-support/follow-job.js';
import { serveRepo, updateAssetsAt } from './test-support/serve-repo.js';

const statusOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (err: ApiError) => `${err.status} ${err.code}`,
  );

test('jobs: asset create, export, workflow and delete run as jobs; a failed step fails the job with its report', async () => {
  const s = await serveRepo(undefined, {
    prepare: async (root) => {
      const png = await tinyPng();
      writeTree(root, {
        [path.join('ingress', sequenceFolder('good'), frameName('good', 1))]: png,
        [path.join('ingress', sequenceFolder('good'), frameName('good', 2))]: png,
      });
      writeConfig(
        root,
        'exporters:\n  - name: disk\n    target_directory: archive\n    metadata_types: [asset]\n',
      );
      await updateAssetsAt(root);
    },
  });
  try {
    const c = s.client(s.tokens.write);
    const run = (p: string, body: unknown = {}) => runJob(s.url, c, s.tokens.read, p, body);

    const created = await run('/api/assets/create');
    assert.equal(created.state, 'completed');
    const report = created.result as { staged: number; commit: string | null };
    assert.equal(report.staged, 1);
    assert.ok(report.commit, 'the staging was committed');
    assert.ok(existsSync(path.join(s.root, 'staging')));

    const exported = await run('/api/assets/export');
    assert.equal(exported.state, 'completed', JSON.stringify(exported.errors));
    assert.ok(readdirSync(path.join(s.root, 'archive')).length > 0, 'the disk exporter wrote the staging');

    const workflow = await run('/api/assets/workflow', { steps: ['delete', 'update', 'create'] });
    assert.equal(workflow.state, 'completed', JSON.stringify(workflow.errors));
    assert.deepEqual(
      (workflow.result as { steps: { step: string; ok: boolean }[] }).steps.map((x) => [x.step, x.ok]),
      [
        ['delete', true],
        ['update', true],
        ['create', true],
      ],
    );
    const deleted = await run('/api/assets/delete');
    assert.equal(deleted.state, 'completed', JSON.stringify(deleted.errors));
    assert.equal((deleted.result as { deleted: boolean }).deleted, true);

    // An exporter that fails (a file stands where its folder should be) fails the job.
    writeFileSync(path.join(s.root, 'blocked'), 'a file, not a folder');
    writeConfig(
      s.root,
      'exporters:\n  - name: disk\n    target_directory: blocked/x\n    retry: { attempts: 1, backoff_ms: 1 }\n',
    );
    const failed = await run('/api/assets/workflow', { steps: ['export'] });
    assert.equal(failed.state, 'failed');
    assert.equal((failed.errors as { code?: string }[])[0]!.code, 'E_JOB_FAILED');
    assert.equal((failed.result as { ok: boolean }).ok, false);

    // Bad input is refused before any job starts.
    assert.equal(
      await statusOf(c.startJob('/api/assets/workflow', { steps: ['bogus'] })),
      '400 E_INVALID_REQUEST',
    );
    assert.equal(await statusOf(c.startJob('/api/assets/create', { extra: 1 })), '400 E_INVALID_REQUEST');
    assert.equal(await statusOf(s.client(s.tokens.read).startJob('/api/assets/export')), '403 E_FORBIDDEN');
  } finally {
    await s.close();
  }
});

test('jobs: a column import reads a file inside the repository only; merge runs as a job and refuses unknown revisions', async () => {
  const s = await serveRepo(undefined, {
    prepare: async (root) => {
      writeFileSync(path.join(root, 'pairs.csv'), '1,2\n3,4\n5,6\n');
      const repo = await api.openRepository(root);
      try {
        await api.createBranch(repo, 'feature');
        await api.checkout(repo, 'feature');
        writeFileSync(path.join(root, 'data', 'c.txt'), 'sea\n');
        await api.commit(repo, { message: 'on feature', author: 'test' });
        await api.checkout(repo, 'main');
      } finally {
        await repo.close();
      }
    },
  });
  try {
    const c = s.client(s.tokens.write);
    const run = (p: string, body: unknown) => runJob(s.url, c, s.tokens.read, p, body);

    assert.equal(await statusOf(c.startJob('/api/merge', { revision: 'no-such-branch' })), '404 E_NOT_FOUND');
    assert.equal(
      await statusOf(c.startJob('/api/merge', { revision: 'feature', strategy: 'mine' })),
      '400 E_INVALID_REQUEST',
    );
    const heads = async () =>
      Object.fromEntries(
        (await c.request<{ branches: { name: string; head: string }[] }>('GET', '/api/refs')).branches.map(
          (b) => [b.name, b.head],
        ),
      );
    const merged = await run('/api/merge', { revision: 'feature' });
    assert.equal(merged.state, 'completed', JSON.stringify(merged.errors));
    assert.equal((merged.result as { result: string }).result, 'fast-forward');
    const after = await heads();
    assert.equal(after.main, after.feature);
    assert.ok(existsSync(path.join(s.root, 'data', 'c.txt')), 'the working folder follows the merge');

    const imported = await run('/api/columns/pairs/import', { path: 'pairs.csv', create: true });
    assert.equal(imported.state, 'completed', JSON.stringify(imported.errors));
    assert.equal((imported.result as { samples: number }).samples, 3);
    for (const bad of ['../pairs.csv', '/etc/passwd', 'a/../../x', '.strata/catalog.db'])
      assert.equal(
        await statusOf(c.startJob('/api/columns/pairs/import', { path: bad })),
        '400 E_INVALID_ARGUMENT',
        bad,
      );
    assert.equal(
      await statusOf(c.startJob('/api/columns/pairs/import', { path: 'missing.csv' })),
      '404 E_NOT_FOUND',
    );
    // Into a missing column without `create`: the job runs and fails with the library's error.
    const refused = await run('/api/columns/nope/import', { path: 'pairs.csv' });
    assert.equal(refused.state, 'failed');
    assert.equal((refused.errors as { code?: string }[])[0]!.code, 'E_NOT_FOUND');
  } finally {
    await s.close();
  }
});

/** Resolves the gate the test module's `gated` function waits on (the server runs in this process). */
const gate = globalThis as { strataTestGate?: { opened: Promise<void>; open(): void } };

test('jobs: compute runs only collections the server config names; a run cancelled midway computes no more keys', async () => {
  let open!: () => void;
  gate.strataTestGate = { opened: new Promise<void>((r) => (open = r)), open: () => open() };
  const s = await serveRepo(undefined, {
    prepare: async (root) => {
      writeFileSync(
        path.join(root, 'fns.mjs'),
        'export const squares = (id) => Number(id) ** 2;\n' +
          'export async function gated(id) { if (id !== "0") await globalThis.strataTestGate.opened; return id; }\n',
      );
      writeFileSync(
        path.join(root, 'server.yaml'),
        'compute:\n  collections:\n    squares: { module: fns.mjs, threads: 0 }\n' +
          '    slow: { module: fns.mjs, export: gated, threads: 0 }\n',
      );
    },
    configPath: 'server.yaml',
  });
  try {
    const c = s.client(s.tokens.write);
    const server = s;
    const done = await runJob(server.url, c, s.tokens.read, '/api/compute/squares/run', { ids: ['2', '3'] });
    assert.equal(done.state, 'completed', JSON.stringify(done.errors));
    assert.deepEqual(done.result && { ...(done.result as object), seconds: 0 }, {
      total: 2,
      complete: 2,
      error: 0,
      seconds: 0,
    });
    const listed = await c.request<{ resources: { id: string; result: unknown }[] }>(
      'GET',
      '/api/compute/squares',
    );
    assert.deepEqual(
      listed.resources.map((r) => [r.id, r.result]),
      [
        ['2', 4],
        ['3', 9],
      ],
    );
    // A request names a collection, never code: one the config does not name is unknown.
    assert.equal(await statusOf(c.startJob('/api/compute/other/run', { ids: ['1'] })), '404 E_NOT_FOUND');
    assert.equal(
      await statusOf(c.startJob('/api/compute/squares/run', { ids: [] })),
      '400 E_INVALID_REQUEST',
    );
    assert.equal(
      await statusOf(c.startJob('/api/compute/squares/run', { ids: ['1'], module: '/tmp/evil.mjs' })),
      '400 E_INVALID_REQUEST',
    );

    // Key 0 returns at once, the rest wait on the gate: cancel after the first, then open it.
    const ids = ['0', '1', '2', '3', '4', '5'];
    const { job } = await c.startJob('/api/compute/slow/run', { ids });
    // A second job on the same collection waits for it (jobs computing one collection take turns);
    // cancelled while it waits, it never runs.
    const queued = await c.startJob('/api/compute/slow/run', { ids: ['0', '7'] });
    await c.request('POST', `/api/jobs/${queued.job}/cancel`);
    await follow(`${server.url}/api/jobs/${job}/events`, s.tokens.read, async (j) => {
      if (j.progress && j.progress.done >= 1) {
        await c.request('POST', `/api/jobs/${job}/cancel`);
        gate.strataTestGate!.open();
        return true;
      }
      return false;
    });
    const final = await follow(`${server.url}/api/jobs/${job}/events`, s.tokens.read, () => false);
    assert.equal(final.at(-1)!.state, 'cancelled');
    const stats = await c.request<{ collections: Record<string, { complete: number }> }>(
      'GET',
      '/api/compute/stats',
    );
    // Key 0 and the one in flight when it was cancelled (concurrency 1 per CPU at most): never all six.
    assert.ok(stats.collections.slow!.complete < ids.length, JSON.stringify(stats));
    const slow = await c.request<{ resources: { id: string }[] }>('GET', '/api/compute/slow');
    assert.ok(!slow.resources.some((r) => r.id === '7'), 'the cancelled waiting job computed nothing');
    assert.equal(((await c.job(queued.job)) as unknown as JobView).state, 'cancelled');
  } finally {
    await s.close();
  }
});

test('serve: a server config naming a module without the function refuses to start', async () => {
  const s = await serveRepo();
  try {
    writeFileSync(path.join(s.root, 'fns.mjs'), 'export const other = 1;\n');
    writeFileSync(
      path.join(s.root, 'server.yaml'),
      'compute:\n  collections:\n    squares: { module: fns.mjs }\n',
    );
    const { loadServerConfig } = await import('./server-config.js');
    await assert.rejects(loadServerConfig(path.join(s.root, 'server.yaml')), (e: api.StrataError) => {
      assert.equal(e.code, 'E_CONFIG');
      assert.match(e.message, /no function export 'squares'/);
      return true;
    });
    writeFileSync(
      path.join(s.root, 'server.yaml'),
      'compute:\n  collections:\n    squares: { module: fns.mjs, code: 1 }\n',
    );
    await assert.rejects(loadServerConfig(path.join(s.root, 'server.yaml')), /server config .*squares/);
  } finally {
    await s.close();
  }
});
