/** Ingest jobs: large image volumes read by plugins into volume columns, by workers on one machine or many. */
export { loadIngestConfig, checkIngestConfig } from './ingest-config.js';
export type { IngestConfig, LoadedIngestConfig } from './ingest-config.js';
export {
  createIngestJob,
  runIngestWorker,
  finishIngestJob,
  cancelIngestJob,
  ingestStatus,
  checkJoinable,
  INGEST_KIND,
} from './ingest-jobs.js';
export type { IngestStatus, IngestWorkerOptions } from './ingest-jobs.js';
export { openIngestQueue } from './ingest-queue.js';
export type { JobQueue, JobRecord, JobState } from '../jobs/port.js';
export { loadIngestPlugin, BUILTIN_PLUGINS } from './plugins/load-plugin.js';
export type { IngestPlugin, TileIndex, TileArray, PluginContext, CreatePlugin } from './plugins/plugin.js';
