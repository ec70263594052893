import { InvalidArgumentError } from '../../errors/index.js';
import { log, type LogEntry } from '../../repo/history/log.js';
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
import { ownMetrics } from '../metrics/metrics-provider.js';
import type { MetricValue } from '../metrics/read-metrics.js';

/** Options of `historyReport`. */
export interface HistoryOptions {
  /** Start from this revision (branch, tag, id, `HEAD~2`...) instead of HEAD. */
  readonly revision?: string;
  /** Every snapshot reachable from any branch, tag or HEAD (with `revision`: refused). */
  readonly all?: boolean;
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
  /** The branches whose history holds this snapshot (their head or one of its ancestors). */
  readonly branches: readonly string[];
  /**
   * The metrics of this snapshot's own results: empty for a merge, a column commit or a snapshot
   * that filed no new results.json (metrics are never inherited from a parent).
   */
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
 * The branches each commit is reachable from, in one pass over commits ordered children first
 * (as `log` orders them): a commit is reached by the branches at it and by those reaching a child.
 */
function branchesReaching(entries: readonly LogEntry[]): Map<ObjectId, Set<string>> {
  const reach = new Map<ObjectId, Set<string>>();
  for (const e of entries) {
    const mine = reach.get(e.id) ?? new Set<string>();
    for (const b of e.branches) mine.add(b);
    reach.set(e.id, mine);
    for (const p of e.parents) {
      const theirs = reach.get(p) ?? new Set<string>();
      for (const b of mine) theirs.add(b);
      reach.set(p, theirs);
    }
  }
  return reach;
}

/**
 * Snapshots reachable from HEAD (or `revision`, or with `all` every branch and tag), newest first,
 * with the metrics of each snapshot's own results as stored in its commit (no result file is
 * read). Each row names the branches that reach it. Deleted snapshots are left out.
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
  if (options.all && options.revision !== undefined)
    throw new InvalidArgumentError('give a revision or --all, not both', { revision: options.revision });
  const deleted = await deletedSnapshots(repo);
  const logged = await log(repo, {
    all: options.all,
    revisions: options.revision !== undefined ? [options.revision] : undefined,
  });
  // Reachability is computed over every logged commit (a deleted one still links its parents).
  const reach = branchesReaching(logged);
  const entries = logged.filter((e) => !deleted.has(e.id));
  const limited = options.limit !== undefined ? entries.slice(0, options.limit) : entries;
  const baselineId = options.baseline ? (await resolveRevision(repo, options.baseline)).commit : undefined;
  const baseMetrics = baselineId ? await ownMetrics(repo, baselineId) : undefined;
  const columns: string[] = [];
  const seen = new Set<string>();
  const rows: HistoryRow[] = [];
  for (const e of limited) {
    const metrics = await ownMetrics(repo, e.id);
    for (const name of Object.keys(metrics))
      if (!seen.has(name)) {
        seen.add(name);
        columns.push(name);
      }
    const branches = [...(reach.get(e.id) ?? [])].sort();
    rows.push({ id: e.id, tags: e.tags, time: e.time, message: e.message, branches, metrics });
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
