import { InvalidArgumentError } from '../../errors/index.js';
import type { MergeStrategy } from '../merkle/merge-maps.js';

export type { MergeStrategy } from '../merkle/merge-maps.js';

/**
 * Checks a merge strategy given as text (a flag, a config value): `ours`, `theirs`, or nothing.
 * `name` is what the caller calls it in the error (e.g. `--strategy`).
 *
 * @example checkMergeStrategy(opts.strategy, '--strategy') // 'ours' | 'theirs' | undefined
 */
export function checkMergeStrategy(value: string | undefined, name = 'strategy'): MergeStrategy | undefined {
  if (value === undefined || value === 'ours' || value === 'theirs') return value;
  throw new InvalidArgumentError(`${name} must be ours or theirs, got '${value}'`, { strategy: value });
}
