/** Asset ingest. So far: the naming convention (parse, format, field order, grammar). */
export { DEFAULT_GRAMMAR, FIELD_NAMES, createGrammar, checkFieldList } from './naming/grammar.js';
export type { FieldName, NamingGrammar, GrammarOverrides } from './naming/grammar.js';
export { parseName, parseNameOrThrow, specificationOf, InvalidNameError } from './naming/parse-name.js';
export type { NameMetadata, ParsedName } from './naming/parse-name.js';
export { formatName } from './naming/format-name.js';
export { checkFieldOrder } from './naming/field-order.js';
export type { NameViolation } from './naming/token-rules.js';
export * as validators from './specs/validators.js';
export {
  assetConfigSchema,
  checkAssetConfig,
  readAssetConfig,
  assetConfigFromEnv,
} from './config/asset-config.js';
export type { AssetConfig } from './config/asset-config.js';
export { redactSecrets } from './config/redact.js';
