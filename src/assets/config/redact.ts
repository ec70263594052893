import { hashBytes } from '../../util/hash.js';

/**
 * A copy of `value` with every value under a key matching `pattern` replaced: by `REDACTED`, or
 * (with `hash`) by a stable short hash, so two outputs can be compared without showing the
 * secret. Used on every config that is printed or logged.
 */
export function redactSecrets(value: unknown, pattern: string | RegExp, hash = false): unknown {
  const re = typeof pattern === 'string' ? new RegExp(pattern) : pattern;
  const mask = (secret: unknown) =>
    hash ? `hash-${hashBytes(Buffer.from(JSON.stringify(secret))).slice(0, 16)}` : 'REDACTED';
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [k, re.test(k) && x !== undefined ? mask(x) : walk(x)]),
      );
    }
    return v;
  };
  return walk(value);
}
