import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { test } from 'node:test';
import { createTempRepo } from '../repo/test-support/temp-repo.js';
import { withProject } from './test-support/with-project.js';
import { heldClaimCount } from './claims.js';
import { openComputeProject } from './compute-project.js';
import { withSqliteComputePort } from './test-support/sqlite-compute-port.js';

test('fetch computes once, remembers status, times, result, log and files', async () => {
  await withProject(async (project, root) => {
    let calls = 0;
    const stats = project.collection('stats', (id: string, args: { scale: number }, ctx) => {
      calls++;
      ctx.log.info('computing', id, 'with', args);
      ctx.log.warn('second line');
      writeFileSync(join(ctx.dir, 'out.txt'), `${id}:${args.scale}`);
      return { length: id.length * args.scale, attempt: ctx.attempt };
    });
    assert.equal(await project.status(stats, 'abc', { args: { scale: 2 } }), 'unavailable');
    const before = Date.now();
    const first = await project.fetch(stats, 'abc', { args: { scale: 2 } });
    assert.equal(first.status, 'complete');
    assert.deepEqual(first.result, { length: 6, attempt: 1 });
    assert.equal(first.attempts, 1);
    assert.equal(first.codeVersion, '0');
    assert.ok(first.startedAt! >= before && first.endedAt! >= first.startedAt!);
    assert.deepEqual(first.args, { scale: 2 });
    assert.equal(readFileSync(join(first.dir!, 'out.txt'), 'utf8'), 'abc:2');

    const again = await project.fetch(stats, 'abc', { args: { scale: 2 } });
    assert.equal(calls, 1, 'remembered: not computed again');
    assert.deepEqual(again.result, first.result);
    assert.equal(again.startedAt, first.startedAt);
    assert.equal(again.dir, first.dir);
    assert.equal(await project.status(stats, 'abc', { args: { scale: 2 } }), 'complete');
    assert.equal(await project.fetchResult(stats, 'abc', { args: { scale: 2 } }).then((r) => r.length), 6);

    const log = await project.fetchLog(stats, 'abc', { args: { scale: 2 } });
    const lines = log.trimEnd().split('\n');
    assert.equal(lines.length, 2);
    assert.match(
      lines[0]!,
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO +computing abc with \{ scale: 2 \}$/,
    );
    assert.match(lines[1]!, /^\S+Z WARN +second line$/);
    assert.equal(relative(root, first.dir!).split(sep)[0], 'computed');
  });
});

test('a function that touches neither dir nor log creates no folder; returning nothing records null', async () => {
  await withProject(async (project, root) => {
    const quiet = project.collection('quiet', () => undefined);
    const r = await project.fetch(quiet, 'x');
    assert.equal(r.status, 'complete');
    assert.equal(r.result, null);
    assert.equal(r.dir, undefined);
    assert.equal(existsSync(join(root, 'computed')), false);
    assert.equal(await project.fetchLog(quiet, 'x'), '');
  });
});

test('ids with /, .., unicode round trip and get safe folders', async () => {
  await withProject(async (project, root) => {
    const ids = ['a/b/c', '..', '../../escape', 'ünï/cödé 🦕', '', '.', 'x'.repeat(300)];
    const echo = project.collection('echo', (id: string, _args: unknown, ctx) => {
      writeFileSync(join(ctx.dir, 'id.txt'), id);
      return { id };
    });
    for (const id of ids) {
      const r = await project.fetch(echo, id);
      assert.equal(r.id, id);
      assert.deepEqual(r.result, { id });
      const rel = relative(join(root, 'computed', 'echo'), r.dir!);
      assert.equal(rel.includes(sep), false, `one folder level: ${rel}`);
      assert.equal(rel.startsWith('.'), false, rel);
      assert.equal(readFileSync(join(r.dir!, 'id.txt'), 'utf8'), id);
    }
    assert.equal(readdirSync(join(root, 'computed', 'echo')).length, ids.length);
    assert.deepEqual((await project.findByStatus(echo, 'complete')).sort(), [...ids].sort());
    assert.equal(existsSync(join(root, 'escape')), false);
  });
});

test('args that cannot be hashed are refused before anything is recorded', async () => {
  await withProject(async (project) => {
    let calls = 0;
    const c = project.collection('c', () => ++calls);
    const cycle: Record<string, unknown> = {};
    cycle.me = cycle;
    for (const args of [{ f: () => 1 }, cycle, { n: 1n }, { d: new Date() }, { x: NaN }]) {
      await assert.rejects(project.fetch(c, 'id', { args }), { code: 'E_INVALID_ARGUMENT' });
    }
    assert.equal(calls, 0);
    assert.equal((await project.stats(c)).c!.total, 0);
  });
});

test('an error is remembered with its stack, not recomputed, recomputed on recompute', async () => {
  await withProject(async (project) => {
    let calls = 0;
    let fail = true;
    const flaky = project.collection('flaky', () => {
      calls++;
      if (fail) throw new RangeError('boom');
      return 'fine';
    });
    const r = await project.fetch(flaky, 'k');
    assert.equal(r.status, 'error');
    assert.equal(r.error?.name, 'RangeError');
    assert.equal(r.error?.message, 'boom');
    assert.match(r.error?.stack ?? '', /RangeError: boom\n\s+at /);
    assert.equal(r.result, undefined);
    assert.match(await project.fetchLog(flaky, 'k'), /ERROR RangeError: boom/);

    const again = await project.fetch(flaky, 'k');
    assert.equal(again.status, 'error');
    assert.equal(calls, 1, 'the error is remembered');
    assert.deepEqual(await project.fetchError(flaky, 'k'), r.error);
    await assert.rejects(project.fetchResult(flaky, 'k'), { code: 'E_COMPUTE_FAILED' });
    assert.equal(calls, 1);

    fail = false;
    const fixed = await project.fetch(flaky, 'k', { recompute: true });
    assert.equal(fixed.status, 'complete');
    assert.equal(fixed.result, 'fine');
    assert.equal(fixed.attempts, 2);
    assert.equal(calls, 2);
    assert.equal(await project.fetchError(flaky, 'k'), undefined);
  });
});

test('the retry policy retries a throwing function N times', async () => {
  await withProject(async (project) => {
    let calls = 0;
    const attempts: number[] = [];
    const twice = project.collection(
      'twice',
      (_id: string, _a: unknown, ctx) => {
        attempts.push(ctx.attempt);
        if (++calls <= 2) throw new Error(`failure ${calls}`);
        return calls;
      },
      { retry: { retries: 2, delayMs: 1 } },
    );
    const ok = await project.fetch(twice, 'a');
    assert.equal(ok.status, 'complete');
    assert.equal(ok.result, 3);
    assert.equal(ok.attempts, 3);
    assert.deepEqual(attempts, [1, 2, 3]);

    let tries = 0;
    const never = project.collection(
      'never',
      () => {
        tries++;
        throw new Error('always');
      },
      { retry: 1 },
    );
    const failed = await project.fetch(never, 'a');
    assert.equal(failed.status, 'error');
    assert.equal(failed.attempts, 2);
    assert.equal(tries, 2);
    await project.fetch(never, 'a');
    assert.equal(tries, 2, 'the final error is remembered');
  });
});

test('a result that is not JSON is an error of that resource, never a poisoned cache', async () => {
  await withProject(async (project) => {
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    const bad: Record<string, unknown> = {
      fn: () => () => 1,
      nested: () => ({ ok: 1, f: () => 1 }),
      cycle: () => cycle,
      bigint: () => 10n,
      date: () => ({ when: new Date() }),
      nan: () => [NaN],
    };
    let healed = false;
    const c = project.collection('c', (id: string) => (healed ? { id } : (bad[id] as () => unknown)()));
    for (const id of Object.keys(bad)) {
      const r = await project.fetch(c, id);
      assert.equal(r.status, 'error', id);
      assert.equal(r.error?.code, 'E_INVALID_RESULT', id);
    }
    assert.equal((await project.stats(c)).c!.error, Object.keys(bad).length);
    healed = true;
    for (const id of Object.keys(bad)) {
      const r = await project.fetch(c, id, { recompute: true });
      assert.equal(r.status, 'complete', id);
      assert.deepEqual(r.result, { id });
      assert.deepEqual((await project.fetch(c, id)).result, { id });
    }
  });
});

test('a new code version recomputes; other args are another key', async () => {
  const t = await createTempRepo({});
  try {
    let calls = 0;
    const fn = (id: string, args: { n?: number }) => ({ id, n: args.n ?? 0, call: ++calls });
    const p1 = await openComputeProject(withSqliteComputePort(t.repo));
    const v1 = p1.collection('v', fn, { codeVersion: 1 });
    assert.equal((await p1.fetch(v1, 'x')).result?.call, 1);
    assert.equal((await p1.fetch(v1, 'x', { args: {} })).result?.call, 1, 'omitted args = {}');
    assert.equal((await p1.fetch(v1, 'x', { args: { n: 1 } })).result?.call, 2);
    assert.equal((await p1.fetch(v1, 'x', { args: { n: 1 } })).result?.call, 2);
    assert.equal((await p1.fetch(v1, 'x', { args: { n: 2 } })).result?.call, 3);
    assert.equal((await p1.variants(v1, 'x')).length, 3);
    await p1.close();

    const p2 = await openComputeProject(withSqliteComputePort(t.repo));
    const v2 = p2.collection('v', fn, { codeVersion: 2 });
    const r = await p2.fetch(v2, 'x');
    assert.equal(r.result?.call, 4);
    assert.equal(r.codeVersion, '2');
    assert.equal(r.attempts, 2);
    assert.equal((await p2.fetch(v2, 'x')).result?.call, 4);
    await p2.close();
  } finally {
    await t.done();
  }
});

test('the same key fetched at once in one process computes once; the concurrency limit holds', async () => {
  await withProject(async (project) => {
    let calls = 0;
    const slow = project.collection('slow', async (id: string) => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return id;
    });
    const all = await Promise.all(Array.from({ length: 8 }, () => project.fetch(slow, 'same')));
    assert.equal(calls, 1);
    assert.ok(all.every((r) => r.status === 'complete' && r.result === 'same'));

    let running = 0;
    let peak = 0;
    const limited = project.collection(
      'limited',
      async () => {
        peak = Math.max(peak, ++running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running--;
        return 1;
      },
      { concurrency: 2 },
    );
    await Promise.all(Array.from({ length: 10 }, (_, i) => project.fetch(limited, `k${i}`)));
    assert.equal(peak, 2);
  });
});

test('stats, findByStatus, list, fetchError, fetchLog, delete and clear', async () => {
  await withProject(async (project, root) => {
    const c = project.collection('c', (id: string, _a: unknown, ctx) => {
      ctx.log.info(id);
      if (id.startsWith('bad')) throw new Error(`bad ${id}`);
      return id;
    });
    const other = project.collection('other', () => 1);
    for (const id of ['a', 'b', 'c/d', 'bad1', 'bad2']) await project.fetch(c, id);
    await project.fetch(other, 'x');
    assert.deepEqual(await project.stats(), {
      c: { total: 5, unavailable: 0, pending: 0, complete: 3, error: 2, stale: 0 },
      other: { total: 1, unavailable: 0, pending: 0, complete: 1, error: 0, stale: 0 },
    });
    assert.deepEqual(await project.stats('nothing'), {
      nothing: { total: 0, unavailable: 0, pending: 0, complete: 0, error: 0, stale: 0 },
    });
    assert.deepEqual(await project.findByStatus(c, 'error'), ['bad1', 'bad2']);
    assert.deepEqual(await project.findByStatus(c, 'complete'), ['a', 'b', 'c/d']);
    assert.deepEqual(await project.findByStatus(c, 'pending'), []);
    await assert.rejects(project.findByStatus(c, 'weird'), { code: 'E_INVALID_ARGUMENT' });
    assert.equal((await project.fetchError(c, 'bad1'))?.message, 'bad bad1');
    assert.equal(await project.fetchError(c, 'a'), undefined);
    await assert.rejects(project.fetchError(c, 'never'), { code: 'E_NOT_FOUND' });
    await assert.rejects(project.fetchLog(c, 'never'), { code: 'E_NOT_FOUND' });
    assert.match(await project.fetchLog(c, 'c/d'), /INFO +c\/d\n$/);

    const dirOfA = (await project.resource(c, 'a')).dir!;
    assert.equal(existsSync(dirOfA), true);
    assert.equal(await project.delete(c, 'a'), true);
    assert.equal(await project.delete(c, 'a'), false);
    assert.equal(existsSync(dirOfA), false);
    assert.equal(await project.status(c, 'a'), 'unavailable');

    const badDir = (await project.resource(c, 'bad1')).dir!;
    assert.equal(await project.clear(c, { status: 'error' }), 2);
    assert.equal(existsSync(badDir), false);
    assert.deepEqual(await project.findByStatus(c, 'complete'), ['b', 'c/d']);
    assert.equal(await project.clear(c), 2);
    assert.equal(existsSync(join(root, 'computed', 'c')), false);
    assert.equal((await project.stats(c)).c!.total, 0);
    assert.equal((await project.stats(other)).other!.total, 1);
  });
});

test('collections are checked and defined once; fetch needs a defined collection', async () => {
  await withProject(async (project) => {
    assert.throws(() => project.collection('../x', () => 1), { code: 'E_INVALID_ARGUMENT' });
    assert.throws(() => project.collection('ok', () => 1, { concurrency: 0 }), {
      code: 'E_INVALID_ARGUMENT',
    });
    assert.throws(() => project.collection('ok', () => 1, { retry: -1 }), { code: 'E_INVALID_ARGUMENT' });
    project.collection('ok', () => 1);
    assert.throws(() => project.collection('ok', () => 2), { code: 'E_ALREADY_EXISTS' });
    await assert.rejects(project.fetch('undefined-here', 'x'), { code: 'E_NOT_FOUND' });
    assert.equal((await project.fetch('ok', 'x')).result, 1);
    await assert.rejects(project.fetch('ok', 'bad\ud800'), { code: 'E_INVALID_ARGUMENT' });
  });
});

test('no handle or timer grows with the number of computes', async () => {
  await withProject(async (project) => {
    const fds = () => readdirSync('/proc/self/fd').length;
    const c = project.collection('logged', (id: string, _a: unknown, ctx) => {
      ctx.log.info('line for', id);
      return id;
    });
    for (let i = 0; i < 50; i++) await project.fetch(c, `warm${i}`);
    const before = fds();
    const handlesBefore = process.getActiveResourcesInfo().length;
    for (let i = 0; i < 3000; i++) await project.fetch(c, `k${i}`);
    assert.ok(fds() - before <= 4, `open files grew from ${before} to ${fds()}`);
    assert.ok(process.getActiveResourcesInfo().length - handlesBefore <= 2, 'active handles did not grow');
    assert.equal(heldClaimCount(), 0);
    assert.equal((await project.stats(c)).logged!.complete, 3050);
  });
});
