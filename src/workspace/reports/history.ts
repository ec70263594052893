import { log } from '../../repo/history/log.js';
import { readCommitTree } from '../../repo/objects/read-objects.js';
import { resolveRevision } from '../../repo/refs/refs.js';
import type { Repository } from '../../repo/repository.js';
import type { ObjectId } from '../../util/hash.js';
import { getParam } from '../config/params.js';
import { deletedSnapshots } from '../delete-snapshot.js';
import {
  compareMetric,
  metricDirection,
  type Comparison,
  type Direction,
} from '../metrics/metric-direction.js';
import { metricsOf } from '../metrics/metrics-provider.js';
import type { MetricValue } from '../metrics/read-metrics.js';

/** Options of `historyReport`. */
export interface HistoryOptions {
  /** At most this many snapshots, newest first. */
  readonly limit?: number;
  /** Mark each metric better / same / worse than this snapshot's. */
  readonly baseline?: string;
  /** Metrics where higher is better, besides known names and the `metrics.maximize` parameter. */
  readonly maximize?: readonly string[];
  readonly minimize?: readonly string[];
}

/** One snapshot in the history. */
export interface HistoryRow {
  readonly id: ObjectId;
  readonly tags: readonly string[];
  readonly time: string;
  readonly message: string;
  readonly metrics: Readonly<Record<string, MetricValue>>;
  /** With a baseline: how each metric compares with it. */
  readonly compared?: Readonly<Record<string, Comparison>>;
}

/** The history report: rows newest first, and the metric names as columns. */
export interface HistoryReport {
  readonly columns: readonly string[];
  readonly directions: Readonly<Record<string, Direction | undefined>>;
  readonly baseline?: ObjectId;
  readonly rows: readonly HistoryRow[];
}

const splitList = (v: string) => v.split(',').filter((x) => x !== '');

/**
 * Snapshots reachable from HEAD, newest first, with the metrics stored in each commit (no result
 * file is read). Deleted snapshots are left out.
 */
export async function historyReport(repo: Repository, options: HistoryOptions = {}): Promise<HistoryReport> {
  const maximize = [
    ...(options.maximize ?? []),
    ...splitList((await getParam(repo, 'metrics.maximize')).value),
  ];
  const minimize = [
    ...(options.minimize ?? []),
    ...splitList((await getParam(repo, 'metrics.minimize')).value),
  ];
  const deleted = await deletedSnapshots(repo);
  const entries = (await log(repo)).filter((e) => !deleted.has(e.id));
  const limited = options.limit !== undefined ? entries.slice(0, options.limit) : entries;
  const baselineId = options.baseline ? (await resolveRevision(repo, options.baseline)).commit : undefined;
  const baseMetrics = baselineId ? metricsOf(await readCommitTree(repo, baselineId)) : undefined;
  const columns: string[] = [];
  const seen = new Set<string>();
  const rows: HistoryRow[] = [];
  for (const e of limited) {
    const metrics = metricsOf(await readCommitTree(repo, e.id));
    for (const name of Object.keys(metrics))
      if (!seen.has(name)) {
        seen.add(name);
        columns.push(name);
      }
    rows.push({ id: e.id, tags: e.tags, time: e.time, message: e.message, metrics });
  }
  const directions = Object.fromEntries(
    columns.map((c) => [c, metricDirection(c, { maximize, minimize })] as const),
  );
  const compared = (row: HistoryRow): HistoryRow => {
    if (!baseMetrics) return row;
    const marks: Record<string, Comparison> = {};
    for (const name of columns) {
      const mark = compareMetric(row.metrics[name], baseMetrics[name], directions[name]);
      if (mark) marks[name] = mark;
    }
    return { ...row, compared: marks };
  };
  return { columns, directions, baseline: baselineId, rows: rows.map(compared) };
}
