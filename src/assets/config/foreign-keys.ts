import { ConfigError } from '../../errors/index.js';

/**
 * Keys of Hidebound configs that Strata handles another way, and what it does instead. A bare
 * "unknown key" would leave a Hidebound user guessing.
 */
const INSTEAD: Readonly<Record<string, string>> = {
  dask:
    'Strata runs no Dask cluster: asset work runs in worker threads on this machine; set the top-level ' +
    "'workers: N' (threads that read traits; default one per CPU) and remove 'dask'",
  local_num_workers: "Strata's top-level 'workers: N' sets the number of threads",
  num_partitions: 'Strata needs no partitions: it reads assets in one pass with its worker threads',
};

const EXPORTER_DASK =
  "exporters run one after another with their own retries and take no Dask settings; remove 'dask' " +
  "(the top-level 'workers: N' sets the threads Strata uses)";

/**
 * Throws a ConfigError that says what Strata does instead when a config carries Hidebound's
 * `dask` settings (at the top or in an exporter) or a `workers` that is not a number of threads.
 */
export function explainForeignKeys(value: unknown, source: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
  const config = value as Record<string, unknown>;
  for (const [key, instead] of Object.entries(INSTEAD)) {
    if (key in config)
      throw new ConfigError(`${source}: ${key}: ${instead}`, { source, key, problem: instead });
  }
  if ('workers' in config && typeof config.workers !== 'number') {
    const problem =
      "'workers' is the number of threads Strata reads traits with (an integer, 1-256), not a Dask worker setting";
    throw new ConfigError(`${source}: workers: ${problem}`, { source, key: 'workers', problem });
  }
  const exporters = Array.isArray(config.exporters) ? (config.exporters as unknown[]) : [];
  exporters.forEach((e, i) => {
    if (typeof e === 'object' && e !== null && 'dask' in e) {
      throw new ConfigError(`${source}: exporters.${i}.dask: ${EXPORTER_DASK}`, {
        source,
        key: `exporters.${i}.dask`,
        problem: EXPORTER_DASK,
      });
    }
  });
}
