import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashArgs } from './args-hash.js';
import { findJsonProblem } from './json-value.js';

test('equal args give one key whatever the key order; omitted args are {}', () => {
  const a = hashArgs({ b: 1, a: [2, { y: 'ü', x: null }] });
  const b = hashArgs({ a: [2, { x: null, y: 'ü' }], b: 1, c: undefined });
  assert.equal(a.hash, b.hash);
  assert.equal(a.json, '{"a":[2,{"x":null,"y":"ü"}],"b":1}');
  assert.match(a.hash, /^[0-9a-f]{64}$/);
  assert.equal(hashArgs(undefined).hash, hashArgs({}).hash);
  assert.equal(hashArgs(undefined).json, '{}');
  const nullProto = Object.assign(Object.create(null) as object, { k: 1 });
  assert.equal(hashArgs(nullProto).hash, hashArgs({ k: 1 }).hash);
  // A value shared twice (not a cycle) is fine.
  const shared = { s: 1 };
  assert.equal(hashArgs({ p: shared, q: shared }).json, '{"p":{"s":1},"q":{"s":1}}');
});

test('different args give different keys', () => {
  const hashes = [{ a: 1 }, { a: '1' }, { a: [1] }, { a: 1, b: 0 }, [1], 1, 'x', null, true, { a: 1.5 }].map(
    (v) => hashArgs(v).hash,
  );
  assert.equal(new Set(hashes).size, hashes.length);
});

test('args that are not JSON data are refused with the path of the problem', () => {
  class Point {
    x = 1;
  }
  const cycle: Record<string, unknown> = { a: 1 };
  cycle.self = { back: cycle };
  const cases: [unknown, string][] = [
    [{ f: () => 1 }, 'args.f'],
    [{ s: Symbol('x') }, 'args.s'],
    [{ n: 10n }, 'args.n'],
    [{ list: [1, undefined] }, 'args.list[1]'],
    [{ list: [1, , 3] }, 'args.list[1]'],
    [{ x: NaN }, 'args.x'],
    [{ deep: { y: [Infinity] } }, 'args.deep.y[0]'],
    [cycle, 'args.self.back'],
    [{ when: new Date(0) }, 'args.when'],
    [{ m: new Map() }, 'args.m'],
    [{ p: new Point() }, 'args.p'],
    [{ 'odd key': Buffer.from('x') }, 'args["odd key"]'],
    [{ [Symbol('k')]: 1 }, 'args'],
    [() => 1, 'args'],
  ];
  for (const [args, path] of cases) {
    assert.throws(
      () => hashArgs(args),
      (err: { code?: string; data?: { path?: string } }) =>
        err.code === 'E_INVALID_ARGUMENT' && err.data?.path === path,
      `expected E_INVALID_ARGUMENT at ${path}`,
    );
  }
});

test('findJsonProblem accepts JSON data and names what it refuses', () => {
  assert.equal(findJsonProblem({ a: [1, 'x', null, true, { b: -0 }] }, 'result'), undefined);
  assert.deepEqual(findJsonProblem([1, () => 0], 'result'), { path: 'result[1]', problem: 'a function' });
  assert.equal(findJsonProblem(undefined, 'result')?.problem, 'undefined');
});
