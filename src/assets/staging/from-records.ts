import type { AssetWithFiles } from '../model.js';
import type { StagingAsset } from './staging-plan.js';

/**
 * Turns the records `update` stored into what staging writes: snake_case metadata as in
 * Hidebound's JSON (name fields, traits, grammar version), one record per file and per asset.
 */
export function toStagingAsset({ asset, files }: AssetWithFiles): StagingAsset {
  return {
    id: asset.assetId,
    path: asset.assetPath,
    metadata: {
      ...asset.metadata,
      asset_name: asset.assetName,
      asset_type: asset.assetType,
      specification: asset.specification,
      asset_valid: asset.valid,
    },
    files: files.map((f) => ({
      id: f.fileId,
      path: f.path,
      size: f.size,
      metadata: {
        ...f.fields,
        ...f.traits,
        filename: f.filename,
        size: f.size,
        specification: f.specification,
        grammar_version: f.grammarVersion,
      },
    })),
  };
}
