import { ASSET_STORE } from '../assets/asset-store-port.js';
import type { AssetStore } from '../assets/store/asset-store.js';
import type { UpdateReport } from '../assets/update/update-assets.js';
import type { Repository } from '../repo/repository.js';
import { loadOutsideBundle } from './load-outside-bundle.js';

type Pipeline = typeof import('../assets/update/pipeline.js');

/** Options of `updateAssets`. */
export interface UpdateAssetsOptions {
  /** An asset config file (YAML or JSON), relative to `cwd`; default: the STRATA_* variables or strata-assets.yaml. */
  readonly configPath?: string;
  /** Where a relative `configPath` starts (default: the process's working folder). */
  readonly cwd?: string;
  /** The environment the STRATA_* variables are read from (default: process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** Worker threads for reading files (default: the config's `workers`). */
  readonly threads?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Scans the repository's ingress folder and updates its file and asset tables (.strata/assets.db):
 * what `strata assets update` does. Files unchanged since the last update are not read again.
 * The pipeline (zod, yaml, sharp, worker pool) loads only when this runs.
 *
 * @example
 * ```ts
 * const { assets, valid, errors } = await updateAssets(repo, { configPath: 'strata-assets.yaml' });
 * ```
 */
export async function updateAssets(
  repo: Repository,
  options: UpdateAssetsOptions = {},
): Promise<UpdateReport> {
  const pipeline = await loadOutsideBundle<Pipeline>('assets/update/pipeline.js');
  return pipeline.runUpdate(repo.root, repo.ports.get(ASSET_STORE), options);
}

/**
 * Opens the repository's asset tables (what `updateAssets` wrote): `.strata/assets.db` on an
 * embedded repository, beside the PostgreSQL catalog on a shared one. Close it when done.
 */
export function openAssetStore(repo: Repository): Promise<AssetStore> {
  return repo.ports.get(ASSET_STORE).open();
}
