/** Asset ingest. So far: the naming convention (parse, format, field order, grammar) and validators. */
export { DEFAULT_GRAMMAR, FIELD_NAMES, createGrammar, checkFieldList } from './naming/grammar.js';
export type { FieldName, NamingGrammar, GrammarOverrides } from './naming/grammar.js';
export { parseName, parseNameOrThrow, specificationOf, InvalidNameError } from './naming/parse-name.js';
export type { NameMetadata, ParsedName } from './naming/parse-name.js';
export { formatName } from './naming/format-name.js';
export { checkFieldOrder } from './naming/field-order.js';
export type { NameViolation } from './naming/token-rules.js';
export * as validators from './specs/validators.js';
// The asset config (./config/asset-config.ts, ./config/redact.ts) is not re-exported yet: nothing
// in the CLI uses it, and zod and yaml would more than double the bundle every command loads
// (measured +11 ms on `strata --version`). It joins when the ingest pipeline lands, lazily loaded.
