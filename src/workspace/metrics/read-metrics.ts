import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '../../errors/index.js';

/** A metric's value as stored in a commit: numbers are what history compares. */
export type MetricValue = number | string | boolean;

/** Metrics of one snapshot, by name. */
export type Metrics = Readonly<Record<string, MetricValue>>;

const MAX_DEPTH = 3;

/** Flattens nested objects into `a.b.c` names, keeping numbers, strings and booleans. */
function flatten(value: unknown, prefix: string, depth: number, out: Record<string, MetricValue>): void {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) out[prefix] = value;
  } else if (typeof value === 'string' || typeof value === 'boolean') {
    out[prefix] = value;
  } else if (value !== null && typeof value === 'object' && !Array.isArray(value) && depth < MAX_DEPTH) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, depth + 1, out);
  }
}

/**
 * The metrics of a `results.json`: its `metrics` object when it has one (as written by
 * `writeResults`), otherwise its top-level members. A file that is not JSON is refused by name.
 */
export function readResultsFile(abs: string, shown: string): Record<string, MetricValue> {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(abs, 'utf8'));
  } catch (err) {
    throw new InvalidArgumentError(`${shown} is not valid JSON: ${(err as Error).message}`, { path: shown });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new InvalidArgumentError(`${shown} must hold a JSON object`, { path: shown });
  const v = value as Record<string, unknown>;
  const source =
    v.metrics !== null && typeof v.metrics === 'object' && !Array.isArray(v.metrics) ? v.metrics : v;
  const out: Record<string, MetricValue> = {};
  flatten(source, '', 0, out);
  return out;
}
