/** Whether a higher value of a metric is better (`max`) or worse (`min`). */
export type Direction = 'max' | 'min';

const MAXIMIZE =
  /(^|[._-])(acc|accuracy|precision|recall|f1|f1_score|auc|roc_auc|map|r2|iou|dice|bleu|rouge|score)$/i;
const MINIMIZE = /(^|[._-])(loss|error|err|mse|rmse|mae|perplexity|wer|cer|latency|time|duration)$/i;

/**
 * The direction of a metric: the names given by the user first, then known names (accuracy-like
 * go up, loss-like go down); undefined when it cannot be told.
 */
export function metricDirection(
  name: string,
  custom: { readonly maximize?: readonly string[]; readonly minimize?: readonly string[] } = {},
): Direction | undefined {
  if (custom.maximize?.includes(name)) return 'max';
  if (custom.minimize?.includes(name)) return 'min';
  if (MAXIMIZE.test(name)) return 'max';
  if (MINIMIZE.test(name)) return 'min';
  return undefined;
}

/** How a value compares with the baseline's. */
export type Comparison = 'better' | 'same' | 'worse' | 'changed';

/** Marks a value against the baseline's; undefined when either is missing. */
export function compareMetric(
  value: unknown,
  baseline: unknown,
  direction: Direction | undefined,
): Comparison | undefined {
  if (value === undefined || baseline === undefined) return undefined;
  if (value === baseline) return 'same';
  if (typeof value !== 'number' || typeof baseline !== 'number' || !direction) return 'changed';
  return value > baseline === (direction === 'max') ? 'better' : 'worse';
}
