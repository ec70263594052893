/**
 * Workspaces: resources of several types, results filed away per snapshot, metrics stored in
 * commits, whole-snapshot restore, reports and configuration parameters.
 */
export { PARAMS, getParam, listParams, setParam, paramSpec, checkTemplate } from './config/params.js';
export type { ParamScope, ParamSpec, ParamValue } from './config/params.js';
export { metricsProvider, readNewMetrics, metricsOf, ownMetrics } from './metrics/metrics-provider.js';
export { ownSection } from './metrics/own-sections.js';
export type { MetricsSection } from './metrics/metrics-provider.js';
export type { MetricValue, Metrics } from './metrics/read-metrics.js';
export { metricDirection, compareMetric } from './metrics/metric-direction.js';
export type { Direction, Comparison } from './metrics/metric-direction.js';
export { moveResults, resultsResources } from './results/take-results.js';
export type { ResultsMove } from './results/take-results.js';
export { recoverResultsMove } from './results/move-plan.js';
export type { RecoveryOutcome } from './results/move-plan.js';
export { restoreSnapshotResources } from './restore-snapshot.js';
export type { RestoreSnapshotOptions, RestoreSnapshotResult, SkippedResource } from './restore-snapshot.js';
export { deleteSnapshot, deletedSnapshots } from './delete-snapshot.js';
export type { DeleteSnapshotResult } from './delete-snapshot.js';
export { historyReport } from './reports/history.js';
export type { HistoryOptions, HistoryReport, HistoryRow } from './reports/history.js';
export {
  workspaceStatus,
  resultsReport,
  lineageReport,
  diffMetrics,
  diffResources,
} from './reports/snapshot-reports.js';
export type {
  WorkspaceStatus,
  ResultsReport,
  MetricChange,
  ResourceChange,
} from './reports/snapshot-reports.js';
