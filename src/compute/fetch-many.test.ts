import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { threadId } from 'node:worker_threads';
import { withProject } from './test-support/with-project.js';

/** A module exporting compute functions that leave one marker line per compute in `markers`. */
function writeModule(root: string): { file: string; markers: string } {
  const markers = join(root, 'markers');
  mkdirSync(markers, { recursive: true });
  const file = join(root, 'functions.mjs');
  writeFileSync(
    file,
    `
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
const MARKERS = ${JSON.stringify(markers)};
export function squares(id, args, ctx) {
  appendFileSync(join(MARKERS, threadId + '.txt'), JSON.stringify([id, args]) + '\\n');
  if (id === 'explode') throw new Error('exploded in a worker');
  ctx.log.info('thread', threadId);
  writeFileSync(join(ctx.dir, 'value.txt'), String(Number(id) ** 2));
  return { square: Number(id) ** 2 * (args.times ?? 1), thread: threadId };
}
export const notAFunction = 42;
`,
  );
  return { file, markers };
}

function markerLines(markers: string): string[] {
  return readdirSync(markers).flatMap((f) =>
    readFileSync(join(markers, f), 'utf8').trim().split('\n').filter(Boolean),
  );
}

test('fetchMany in this thread: results in order, progress, cached the second time', async () => {
  await withProject(async (project) => {
    let calls = 0;
    const c = project.collection('c', async (id: string) => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 1));
      return id.toUpperCase();
    });
    const ids = Array.from({ length: 40 }, (_, i) => `id-${i}`);
    const progress: [number, number][] = [];
    const results = await project.fetchMany(c, ids, {
      onProgress: (done, total) => progress.push([done, total]),
    });
    assert.deepEqual(
      results.map((r) => r.result),
      ids.map((id) => id.toUpperCase()),
    );
    assert.equal(calls, 40);
    assert.equal(progress.length, 40);
    assert.deepEqual(progress[progress.length - 1], [40, 40]);
    assert.ok(progress.every(([done], i) => done === i + 1));
    await project.fetchMany(c, ids);
    assert.equal(calls, 40);
    assert.deepEqual(await project.fetchMany(c, []), []);
  });
});

test('fetchMany runs a module collection in worker threads, each key once', async () => {
  await withProject(async (project, root) => {
    const { file, markers } = writeModule(root);
    // The in-thread function must never run: workers import the module's.
    const c = project.collection(
      'squares',
      (): { square: number; thread: number } => {
        throw new Error('the main thread computed');
      },
      { module: file },
    );
    const items = [
      ...Array.from({ length: 60 }, (_, i) => String(i)),
      ...Array.from({ length: 20 }, (_, i) => ({ id: String(i), args: { times: 2 } })),
      '5',
      '7',
      'explode',
    ];
    let last: [number, number] = [0, 0];
    const results = await project.fetchMany(c, items, { threads: 2, onProgress: (d, t) => (last = [d, t]) });
    assert.deepEqual(last, [items.length, items.length]);
    assert.equal(results.length, items.length);
    for (let i = 0; i < 60; i++) assert.equal(results[i]!.result?.square, i * i);
    for (let i = 0; i < 20; i++) assert.equal(results[60 + i]!.result?.square, 2 * i * i);
    assert.equal(results[80]!.result?.square, 25);
    const exploded = results[82]!;
    assert.equal(exploded.status, 'error');
    assert.equal(exploded.error?.message, 'exploded in a worker');
    const threads = new Set(results.slice(0, 80).map((r) => r.result!.thread));
    assert.ok(!threads.has(threadId), 'computed in worker threads');
    const lines = markerLines(markers);
    assert.equal(lines.length, 81, 'each distinct key computed once');
    assert.equal(new Set(lines).size, 81);
    assert.equal(readFileSync(join(results[9]!.dir!, 'value.txt'), 'utf8'), '81');
    assert.match(await project.fetchLog(c, '9'), /INFO +thread \d+/);

    // A second run finds everything remembered (the error too).
    const again = await project.fetchMany(c, items, { threads: 2 });
    assert.equal(markerLines(markers).length, 81);
    assert.deepEqual(
      again.map((r) => r.status),
      results.map((r) => r.status),
    );
    // Module given as a file URL, function under another export name.
    const byUrl = project.collection('by-url', () => ({ square: 0, thread: 0 }), {
      module: pathToFileURL(file),
      export: 'squares',
    });
    const [one] = await project.fetchMany(byUrl, ['3'], { threads: 1 });
    assert.equal(one!.result?.square, 9);
  });
});

test('fetchMany refuses bad input before computing anything', async () => {
  await withProject(async (project, root) => {
    const { file, markers } = writeModule(root);
    let calls = 0;
    const plain = project.collection('plain', () => ++calls);
    await assert.rejects(project.fetchMany(plain, ['a', 'b'], { threads: 2 }), {
      code: 'E_INVALID_ARGUMENT',
    });
    await assert.rejects(
      project.fetchMany(plain, ['a', { id: 'b', args: { f: () => 1 } }]),
      (err: { code?: string; data?: { index?: number } }) =>
        err.code === 'E_INVALID_ARGUMENT' && err.data?.index === 1,
    );
    assert.equal(calls, 0);
    assert.equal((await project.stats(plain)).plain!.total, 0);

    const wrongExport = project.collection('wrong', () => 1, { module: file, export: 'notAFunction' });
    await assert.rejects(project.fetchMany(wrongExport, ['1'], { threads: 1 }), {
      code: 'E_INVALID_ARGUMENT',
    });
    const missing = project.collection('missing', () => 1, { module: join(root, 'nope.mjs') });
    await assert.rejects(project.fetchMany(missing, ['1'], { threads: 1 }));
    assert.equal(markerLines(markers).length, 0);
  });
});
