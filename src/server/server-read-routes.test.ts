import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import * as api from '../api/index.js';
import { ApiError } from '../protocol/client.js';
import { hasNoStack, serveRepo } from './test-support/serve-repo.js';

const codeOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (err: ApiError) => `${err.status} ${err.code}`,
  );

/**
 * Two snapshots with results (accuracy 0.8 then 0.9) and lineage; columns `img` (uint8 4×4
 * images) and `vec` (float64 [3]) changed between them; a compute collection with an error.
 */
async function workspaceRepo(root: string): Promise<void> {
  const repo = await api.openRepository(root);
  try {
    await api.addResource(repo, { path: 'results', role: 'results', cwd: root, create: true });
    writeFileSync(path.join(root, 'data', 'train.csv'), 'x,y\n1,2\n');
    const snap = async (accuracy: number, samples: number) => {
      const w = await api.openCheckout(repo, { write: true });
      const img = w.hasColumn('img')
        ? w.column('img')
        : await w.createColumn({ name: 'img', dtype: 'uint8', shape: [4, 4] });
      const vec = w.hasColumn('vec')
        ? w.column('vec')
        : await w.createColumn({ name: 'vec', dtype: 'float64', shape: [3] });
      for (let k = 0; k < samples; k++) {
        await img.set(
          k,
          Uint8Array.from({ length: 16 }, (_, i) => (i * 16 + k) % 256),
        );
        await vec.set(k, Float64Array.of(k, k / 2, accuracy));
      }
      await w.close();
      await api
        .createStep(repo, { name: 'train', cwd: root })
        .parameters({ accuracy })
        .input('data/train.csv')
        .results('results')
        .run(async (step) => step.writeResults({ accuracy }));
      return (await api.commit(repo, { message: `accuracy ${accuracy}`, author: 'test' })).id;
    };
    await snap(0.8, 3);
    await snap(0.9, 5);
    const project = await api.openComputeProject(repo);
    try {
      const sq = project.collection('sq', (id: string) => {
        if (id === 'bad') throw new Error('no square for bad');
        return Number(id) ** 2;
      });
      await project.fetchMany(sq, ['1', '2', 'bad'], { threads: 0 });
    } finally {
      await project.close();
    }
  } finally {
    await repo.close();
  }
}

test('workspace routes: history with metrics against ?baseline=, results, lineage as JSON and graph; bad input 400, unknown 404', async () => {
  const s = await serveRepo(undefined, { prepare: workspaceRepo });
  try {
    const c = s.client(s.tokens.read);
    const history = await c.history();
    assert.deepEqual(history.columns, ['accuracy']);
    assert.deepEqual(
      history.rows.map((r) => r.metrics.accuracy ?? null),
      [0.9, 0.8, null],
    );
    const [newest, older] = history.rows;
    const compared = await c.request<{
      baseline: string;
      rows: { id: string; compared?: Record<string, string> }[];
    }>('GET', '/api/history', { query: { baseline: older!.id, maximize: 'accuracy' } });
    assert.equal(compared.baseline, older!.id);
    assert.equal(compared.rows.find((r) => r.id === newest!.id)!.compared!.accuracy, 'better');

    const results = await c.request<{ metrics?: unknown }>('GET', '/api/results', {
      query: { revision: newest!.id },
    });
    assert.match(JSON.stringify(results), /0\.9/);
    const lineage = await c.request<{ steps: { name: string }[] }>('GET', '/api/lineage');
    assert.deepEqual(
      lineage.steps.map((st) => st.name),
      ['train'],
    );
    const graph = await c.request<{ nodes: unknown[]; edges: unknown[] }>('GET', '/api/lineage', {
      query: { format: 'graph' },
    });
    assert.ok(graph.nodes.length >= 2 && graph.edges.length >= 1, JSON.stringify(graph));

    assert.equal(
      await codeOf(c.request('GET', '/api/history', { query: { baseline: 'nope' } })),
      '404 E_NOT_FOUND',
    );
    assert.equal(
      await codeOf(c.request('GET', '/api/history', { query: { limit: '-1' } })),
      '400 E_INVALID_REQUEST',
    );
    assert.equal(
      await codeOf(c.request('GET', '/api/lineage', { query: { format: 'xml' } })),
      '400 E_INVALID_REQUEST',
    );
    assert.equal(
      await codeOf(c.request('GET', '/api/results', { query: { revision: 'nope' } })),
      '404 E_NOT_FOUND',
    );
  } finally {
    await s.close();
  }
});

test('column routes: list with schema and counts, one sample as .npy and PNG, a page, diff per column; bad input 400, unknown 404', async () => {
  const s = await serveRepo(undefined, { prepare: workspaceRepo });
  try {
    const c = s.client(s.tokens.read);
    const list = await c.columns();
    assert.deepEqual(
      list.columns.map((col) => [col.name, col.count]),
      [
        ['img', 5],
        ['vec', 5],
      ],
    );
    const one = await c.request<{ count: number; schema: { dtype: string; shape: number[] } }>(
      'GET',
      '/api/columns/vec',
    );
    assert.equal(one.count, 5);
    assert.equal(one.schema.dtype, 'float64');
    assert.equal((await c.columns('HEAD~1')).columns[0]!.count, 3);

    const npy = await c.send('GET', '/api/columns/vec/samples/4');
    const bytes = Buffer.from(await npy.arrayBuffer());
    assert.equal(bytes.subarray(0, 6).toString('latin1'), '\x93NUMPY');
    assert.deepEqual(
      Array.from(
        new Float64Array(
          bytes.buffer.slice(bytes.byteOffset + bytes.length - 24, bytes.byteOffset + bytes.length),
        ),
      ),
      [4, 2, 0.9],
    );
    const png = await c.send('GET', '/api/columns/img/samples/2', { query: { format: 'png' } });
    assert.equal(png.headers.get('content-type'), 'image/png');
    assert.deepEqual([...Buffer.from(await png.arrayBuffer()).subarray(1, 4)], [0x50, 0x4e, 0x47]);

    const first = await c.samples('vec', { limit: 2 });
    assert.deepEqual(
      first.samples.map((x) => x.key),
      ['0', '1'],
    );
    assert.equal(first.next, '1');
    const second = await c.samples('vec', { limit: 2, after: first.next! });
    assert.deepEqual(
      second.samples.map((x) => [x.key, x.values]),
      [
        ['2', [2, 1, 0.9]],
        ['3', [3, 1.5, 0.9]],
      ],
    );

    const diff = await c.request<{ changes: { column: string }[] }>('GET', '/api/columns-diff', {
      query: { from: 'HEAD~1', to: 'HEAD' },
    });
    assert.deepEqual([...new Set(diff.changes.map((ch) => ch.column))].sort(), ['img', 'vec']);

    assert.equal(await codeOf(c.request('GET', '/api/columns/nope')), '404 E_NOT_FOUND');
    assert.equal(await codeOf(c.send('GET', '/api/columns/vec/samples/99')), '404 E_NOT_FOUND');
    assert.equal(
      await codeOf(c.send('GET', '/api/columns/vec/samples/1', { query: { format: 'gif' } })),
      '400 E_INVALID_REQUEST',
    );
    assert.equal(await codeOf(c.samples('vec', { limit: 0 })), '400 E_INVALID_REQUEST');
    assert.equal(await codeOf(c.columns('no-such-rev')), '404 E_NOT_FOUND');
    assert.equal(
      await codeOf(c.request('GET', '/api/columns-diff', { query: { from: 'no-such-rev' } })),
      '404 E_NOT_FOUND',
    );
    // A vector is no image: asking for PNG is a 400 with the error body, no stack.
    const notImage = await fetch(`${s.url}/api/columns/vec/samples/1?format=png`, {
      headers: { authorization: `Bearer ${s.tokens.read}` },
    });
    assert.equal(notImage.status, 400);
    const body = (await notImage.json()) as { error: { code: string; message: string; data: unknown } };
    assert.ok(body.error.code && body.error.message && body.error.data);
    assert.ok(hasNoStack(JSON.stringify(body)));
  } finally {
    await s.close();
  }
});

test('compute routes: stats, a collection by status (paged), one resource with its log and error; unknown 404', async () => {
  const s = await serveRepo(undefined, { prepare: workspaceRepo });
  try {
    const c = s.client(s.tokens.read);
    const stats = await c.request<{
      collections: Record<string, { total: number; complete: number; error: number }>;
    }>('GET', '/api/compute/stats');
    const { total, complete, error } = stats.collections.sq!;
    assert.deepEqual({ total, complete, error }, { total: 3, complete: 2, error: 1 });
    const page = await c.request<{
      resources: { id: string; result: unknown }[];
      next_offset: number | null;
    }>('GET', '/api/compute/sq', { query: { status: 'complete', limit: 1 } });
    assert.deepEqual(
      page.resources.map((r) => [r.id, r.result]),
      [['1', 1]],
    );
    assert.equal(page.next_offset, 1);
    const rest = await c.request<{ resources: { id: string }[]; next_offset: number | null }>(
      'GET',
      '/api/compute/sq',
      {
        query: { status: 'complete', offset: 1 },
      },
    );
    assert.deepEqual(
      rest.resources.map((r) => r.id),
      ['2'],
    );
    assert.equal(rest.next_offset, null);
    const bad = await c.request<{ status: string; error: { message: string }; log: string }>(
      'GET',
      '/api/compute/sq/bad',
    );
    assert.equal(bad.status, 'error');
    assert.match(bad.error.message, /no square for bad/);
    assert.equal(typeof bad.log, 'string');

    assert.equal(await codeOf(c.request('GET', '/api/compute/sq/nope')), '404 E_NOT_FOUND');
    assert.equal(
      await codeOf(c.request('GET', '/api/compute/sq', { query: { limit: '0' } })),
      '400 E_INVALID_REQUEST',
    );
    assert.equal(
      await codeOf(c.request('GET', '/api/compute/sq', { query: { status: 'weird' } })),
      '400 E_INVALID_ARGUMENT',
    );
  } finally {
    await s.close();
  }
});
