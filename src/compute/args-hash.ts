import { InvalidArgumentError } from '../errors/index.js';
import { canonicalJson } from '../util/canonical-json.js';
import { hashBytes } from '../util/hash.js';
import { findJsonProblem } from './json-value.js';

/** Arguments in the form that keys a computed resource. */
export interface HashedArgs {
  /** The canonical JSON text (what is stored and shown). */
  readonly json: string;
  /** BLAKE3-256 of `json`'s UTF-8 bytes, lowercase hex. */
  readonly hash: string;
}

let empty: HashedArgs | undefined;

/**
 * The cache key's args part. `args` must be JSON data as `findJsonProblem` defines it (plain
 * objects, arrays, strings, finite numbers, booleans, null); anything else is refused with an
 * `InvalidArgumentError` (`E_INVALID_ARGUMENT`, `data.path` naming the place) before anything is
 * recorded. The canonical JSON sorts object keys (by UTF-16 code units) at every level, has no
 * whitespace and drops members whose value is `undefined`; omitted args are `{}`. So
 * `{b: 1, a: [2]}` and `{a: [2], b: 1, c: undefined}` are one key, `{a: 1}` and `{a: '1'}` two.
 *
 * @example
 * hashArgs({ size: 128 }).json // '{"size":128}'
 */
export function hashArgs(args: unknown): HashedArgs {
  if (args === undefined) return (empty ??= hashJson('{}'));
  const problem = findJsonProblem(args, 'args');
  if (problem) {
    throw new InvalidArgumentError(`args cannot be hashed: ${problem.path} is ${problem.problem}`, {
      path: problem.path,
      problem: problem.problem,
    });
  }
  return hashJson(canonicalJson(args));
}

function hashJson(json: string): HashedArgs {
  return { json, hash: hashBytes(Buffer.from(json, 'utf8')) };
}
