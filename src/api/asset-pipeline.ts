import { loadOutsideBundle } from './load-outside-bundle.js';

export type AssetPipeline = typeof import('../assets/update/pipeline.js');

/** The asset pipeline (config, search, graph, update): heavy, so loaded only when first used. */
export function loadAssetPipeline(): Promise<AssetPipeline> {
  return loadOutsideBundle<AssetPipeline>('assets/update/pipeline.js');
}

export type StagingPipeline = typeof import('../assets/workflow/staging-pipeline.js');

/** The staging half (create, export, delete, workflow): loaded only when first used, like the pipeline. */
export function loadStagingPipeline(): Promise<StagingPipeline> {
  return loadOutsideBundle<StagingPipeline>('assets/workflow/staging-pipeline.js');
}
