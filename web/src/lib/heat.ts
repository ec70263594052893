import type { Comparison, HistoryRow, MetricValue } from './types';

/** How far a value is from the baseline's, relative to the baseline (0 when not both numbers). */
export function relativeChange(value: MetricValue | undefined, base: MetricValue | undefined): number {
  if (typeof value !== 'number' || typeof base !== 'number') return 0;
  return Math.abs(value - base) / Math.max(Math.abs(base), 1e-12);
}

/**
 * The background of one heat-map cell: green when better than the baseline, red when worse,
 * stronger the further it is (relative to the largest change in that metric's column).
 */
export function heatColor(
  comparison: Comparison | undefined,
  change: number,
  largest: number,
): string | undefined {
  if (comparison === undefined || comparison === 'same') return undefined;
  if (comparison === 'changed') return 'rgba(210, 153, 34, 0.35)';
  const strength = largest > 0 ? 0.2 + 0.6 * Math.min(1, change / largest) : 0.5;
  return comparison === 'better'
    ? `rgba(46, 160, 67, ${strength.toFixed(2)})`
    : `rgba(218, 54, 51, ${strength.toFixed(2)})`;
}

/** The largest relative change in each metric's column, against the baseline row. */
export function largestChanges(
  rows: readonly HistoryRow[],
  columns: readonly string[],
  baseline: HistoryRow | undefined,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of columns) {
    let max = 0;
    for (const r of rows) max = Math.max(max, relativeChange(r.metrics[c], baseline?.metrics[c]));
    out.set(c, max);
  }
  return out;
}
