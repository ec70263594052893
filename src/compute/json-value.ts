/** Where a value stops being JSON data, and why. */
export interface JsonProblem {
  /** A path from the root, e.g. `args.sizes[2].name`. */
  readonly path: string;
  /** What was found there, e.g. `a function`. */
  readonly problem: string;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function member(path: string, key: string): string {
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function describe(value: object): string {
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor
    ?.name;
  return name ? `an instance of ${name}` : 'an object with a custom prototype';
}

/**
 * Finds the first place where `value` is not plain JSON data, or returns undefined. Accepted:
 * plain objects (prototype Object.prototype or null, string keys), arrays without holes, strings,
 * finite numbers, booleans and null; an object member whose value is `undefined` is skipped (as
 * JSON.stringify does). Refused: functions, symbols, bigints, `undefined` elsewhere, NaN and
 * ±Infinity, cycles, symbol keys, and instances of classes (Date, Map, Buffer, ...), whose JSON
 * form would not read back as the same value.
 *
 * @example
 * findJsonProblem({ a: [1, () => 0] }, 'args') // { path: 'args.a[1]', problem: 'a function' }
 */
export function findJsonProblem(value: unknown, root: string): JsonProblem | undefined {
  const ancestors = new Set<object>();
  const walk = (v: unknown, path: string): JsonProblem | undefined => {
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return undefined;
      case 'number':
        return Number.isFinite(v) ? undefined : { path, problem: `${v}, not a finite number` };
      case 'undefined':
        return { path, problem: 'undefined' };
      case 'bigint':
        return { path, problem: 'a bigint' };
      case 'function':
        return { path, problem: 'a function' };
      case 'symbol':
        return { path, problem: 'a symbol' };
    }
    if (v === null) return undefined;
    const object = v as object;
    if (ancestors.has(object)) return { path, problem: 'a cycle (it contains itself)' };
    ancestors.add(object);
    try {
      if (Array.isArray(object)) {
        if (Object.getPrototypeOf(object) !== Array.prototype) return { path, problem: describe(object) };
        for (let i = 0; i < object.length; i++) {
          if (!(i in object)) return { path: `${path}[${i}]`, problem: 'a hole in a sparse array' };
          const found = walk(object[i], `${path}[${i}]`);
          if (found) return found;
        }
        return undefined;
      }
      const proto = Object.getPrototypeOf(object);
      if (proto !== Object.prototype && proto !== null) return { path, problem: describe(object) };
      if (Object.getOwnPropertySymbols(object).length > 0)
        return { path, problem: 'an object with symbol keys' };
      for (const key of Object.keys(object)) {
        const item = (object as Record<string, unknown>)[key];
        if (item === undefined) continue;
        const found = walk(item, member(path, key));
        if (found) return found;
      }
      return undefined;
    } finally {
      ancestors.delete(object);
    }
  };
  return walk(value, root);
}
