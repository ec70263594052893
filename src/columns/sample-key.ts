import { InvalidArgumentError } from '../errors/index.js';

/** A sample key: 1–64 letters, digits, `.`, `_`, `-`, or a non-negative integer. */
export type SampleKey = string | number;

const KEY = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Checks a key and returns its canonical string form. Integers become `#` + two-digit length +
 * digits (`7` → `#017`, `123` → `#03123`), so that `"123"` stays distinct from `123` and the
 * canonical forms sort in numeric order: index order is key order, and an export walks it as is.
 */
export function checkSampleKey(key: SampleKey, column?: string): string {
  if (typeof key === 'number') {
    if (Number.isSafeInteger(key) && key >= 0) {
      const digits = String(key);
      return (digits.length < 10 ? '#0' : '#') + digits.length + digits;
    }
  } else if (typeof key === 'string' && KEY.test(key)) {
    return key;
  }
  throw new InvalidArgumentError(
    `invalid key ${JSON.stringify(key)}${column ? ` in column '${column}'` : ''}: use 1-64 letters, digits, '.', '_', '-', or a whole number >= 0`,
    { key, column },
  );
}

/** The key a canonical form stands for. */
export function sampleKeyFromCanonical(canonical: string): SampleKey {
  if (canonical.charCodeAt(0) !== 0x23) return canonical;
  // Digits read in place (scans turn 10^5 keys a second back into numbers: no slice each).
  let n = 0;
  for (let i = 3; i < canonical.length; i++) n = n * 10 + canonical.charCodeAt(i) - 0x30;
  return n;
}
