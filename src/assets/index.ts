/**
 * Asset ingest: the naming convention, specifications and validators, the file and asset
 * records of `update`, search and graph. The pipeline entry that reads configs
 * (`./update/pipeline.ts`: zod and yaml) is not re-exported here, so the CLI bundle stays small;
 * the CLI loads it by URL when an `assets` command runs.
 */
export { DEFAULT_GRAMMAR, FIELD_NAMES, createGrammar, checkFieldList } from './naming/grammar.js';
export type { FieldName, NamingGrammar, GrammarOverrides } from './naming/grammar.js';
export { parseName, parseNameOrThrow, specificationOf, InvalidNameError } from './naming/parse-name.js';
export type { NameMetadata, ParsedName } from './naming/parse-name.js';
export { formatName } from './naming/format-name.js';
export { checkFieldOrder } from './naming/field-order.js';
export type { NameViolation } from './naming/token-rules.js';
export * as validators from './specs/validators.js';
export type { Validator } from './specs/validators.js';
export { BUILTIN_TRAITS, checkSpecification } from './specs/specification.js';
export type {
  Specification,
  FileTrait,
  TraitFile,
  ImageHeader,
  BuiltinTrait,
  AssetCheckInput,
} from './specs/specification.js';
export { loadSpecifications } from './specs/load-specifications.js';
export type { SpecificationKit, SpecificationSet, LoadedSpecification } from './specs/load-specifications.js';
export { ASSET_DB, ASSET_TYPES, readAssets } from './model.js';
export { ASSET_STORE, type AssetStoreOpener } from './asset-store-port.js';
export { environmentAssetConfig } from './config/environment-config.js';
export type { AssetError, AssetRecord, AssetType, AssetWithFiles, FileRecord } from './model.js';
export type { UpdateInput, UpdateReport, UpdateError } from './update/update-assets.js';
export { searchAssets } from './search/search-assets.js';
export type { SearchAssetsOptions } from './search/search-assets.js';
export { buildAssetGraph, graphToDot } from './graph/asset-graph.js';
export type { GraphNode } from './graph/asset-graph.js';
// Staging, export and webhooks (the staging half): no zod, yaml or driver at load time; drivers
// load inside the adapters' factories.
export * from './staging/index.js';
export { exportStaging } from './export/export-staging.js';
export type { Exporter, ExportCounts, ExportOptions } from './export/exporter.js';
export { callWebhooks } from './webhooks/call-webhooks.js';
