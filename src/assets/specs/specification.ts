import { ConfigError } from '../../errors/index.js';
import { DEFAULT_GRAMMAR, FIELD_NAMES, type FieldName, type NamingGrammar } from '../naming/grammar.js';
import { checkToken } from '../naming/token-rules.js';
import type { NameMetadata } from '../naming/parse-name.js';
import type { AssetType } from '../model.js';
import type { Validator } from './validators.js';

/** The file a trait reads: where it is, its parsed name, and its image header read at most once. */
export interface TraitFile {
  /** Absolute path. */
  readonly path: string;
  /** Relative to the ingress root, `/`-separated. */
  readonly relativePath: string;
  readonly fields: NameMetadata;
  readonly size: number;
  /** The image header (width, height, channels, bit depth, format), read once however many traits ask. */
  image(): Promise<ImageHeader>;
}

/** What the image traits read from a header (sharp's metadata, without decoding pixels). */
export interface ImageHeader {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  /** Bits per channel sample: 8, 16, 32 (float) ... */
  readonly bitDepth: number;
  readonly format: string;
}

/** A function of a file; what it returns (JSON-serialisable) becomes the trait's value. */
export type FileTrait = (file: TraitFile) => unknown;

/** The built-in traits, usable by name in a specification's `fileTraits`. */
export const BUILTIN_TRAITS = ['width', 'height', 'channels', 'bit_depth', 'format'] as const;
export type BuiltinTrait = (typeof BUILTIN_TRAITS)[number];

/** What an asset check sees: the asset and all its files' values. */
export interface AssetCheckInput {
  readonly assetPath: string;
  readonly assetName: string;
  readonly files: readonly {
    readonly path: string;
    readonly fields: NameMetadata;
    readonly traits: Readonly<Record<string, unknown>>;
  }[];
}

/**
 * A specification: what one kind of asset looks like. Its `name` must equal the `s-` token of
 * the names it validates.
 */
export interface Specification {
  readonly name: string;
  /** `file`: one file; `sequence`: one folder of files; `complex`: a tree under a root. */
  readonly assetType: AssetType;
  /** The fields every file name must have, in this order. */
  readonly filenameFields: readonly FieldName[];
  /** The fields that name the asset (a sequence folder's name is built from them). */
  readonly assetNameFields: readonly FieldName[];
  /**
   * For `complex` assets: given a file's path relative to the ingress root (`/`-separated), the
   * relative path of its asset's root folder, or undefined when the file belongs to no asset.
   */
  readonly findAssetRoot?: (relativePath: string) => string | undefined;
  /** Validators per field of each file (name fields or traits). */
  readonly fieldValidators?: Readonly<Record<string, readonly Validator<never>[]>>;
  /** Traits of each file: a built-in trait's name or a function of the file. */
  readonly fileTraits?: Readonly<Record<string, BuiltinTrait | FileTrait>>;
  /** Validators per field over all files of an asset (one call per asset with every file's value). */
  readonly assetValidators?: Readonly<Record<string, readonly Validator<never>[]>>;
  /** Whole-asset checks: return a message when the asset is wrong. */
  readonly assetChecks?: readonly ((asset: AssetCheckInput) => string | undefined)[];
}

const ASSET_TYPES = ['file', 'sequence', 'complex'];
const KNOWN_KEYS = new Set([
  'name',
  'assetType',
  'filenameFields',
  'assetNameFields',
  'findAssetRoot',
  'fieldValidators',
  'fileTraits',
  'assetValidators',
  'assetChecks',
]);

/** True when a value looks like a specification (an object with a string `name` and `assetType`). */
export function looksLikeSpecification(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { name?: unknown }).name === 'string' &&
    'assetType' in value
  );
}

/**
 * Checks a specification from a module, throwing a ConfigError that names the module, the
 * specification and the key at fault.
 */
export function checkSpecification(
  value: unknown,
  source: string,
  grammar: NamingGrammar = DEFAULT_GRAMMAR,
): Specification {
  const fail = (key: string, problem: string): never => {
    const name = (value as { name?: unknown })?.name;
    const who = typeof name === 'string' ? `specification '${name}'` : 'specification';
    throw new ConfigError(`${source}: ${who}: ${key}: ${problem}`, { source, key, problem });
  };
  if (value === null || typeof value !== 'object') fail('(root)', 'not an object');
  const s = value as Record<string, unknown>;
  for (const key of Object.keys(s)) if (!KNOWN_KEYS.has(key)) fail(key, 'unknown key');
  if (typeof s.name !== 'string') fail('name', 'must be a string');
  const bad = checkToken('specification', s.name as string, 0, grammar);
  if (bad) fail('name', `must be a specification token (${bad.expected} at offset ${bad.offset})`);
  if (!ASSET_TYPES.includes(s.assetType as string))
    fail('assetType', `must be one of ${ASSET_TYPES.join(', ')}, got ${JSON.stringify(s.assetType)}`);
  const fieldList = (key: string) => {
    const list = s[key];
    if (!Array.isArray(list) || list.length === 0) fail(key, 'must be a non-empty list of field names');
    for (const f of list as unknown[])
      if (!(FIELD_NAMES as readonly unknown[]).includes(f))
        fail(key, `unknown field ${JSON.stringify(f)}; fields are ${FIELD_NAMES.join(', ')}`);
    if (new Set(list as unknown[]).size !== (list as unknown[]).length) fail(key, 'a field is listed twice');
    return list as FieldName[];
  };
  const filenameFields = fieldList('filenameFields');
  const assetNameFields = fieldList('assetNameFields');
  if (!filenameFields.includes('specification')) fail('filenameFields', 'must include specification');
  for (const f of assetNameFields)
    if (!filenameFields.includes(f)) fail('assetNameFields', `'${f}' is not among the filenameFields`);
  if (s.assetType === 'complex' && typeof s.findAssetRoot !== 'function')
    fail('findAssetRoot', 'a complex specification needs a function finding the asset root');
  if (s.findAssetRoot !== undefined && typeof s.findAssetRoot !== 'function')
    fail('findAssetRoot', 'must be a function');
  for (const key of ['fieldValidators', 'assetValidators']) {
    const v = s[key];
    if (v === undefined) continue;
    if (v === null || typeof v !== 'object' || Array.isArray(v))
      fail(key, 'must be an object of field: [validators]');
    for (const [field, list] of Object.entries(v as object)) {
      if (!Array.isArray(list) || !list.every((x) => typeof x === 'function'))
        fail(`${key}.${field}`, 'must be a list of validator functions');
    }
  }
  if (s.fileTraits !== undefined) {
    if (s.fileTraits === null || typeof s.fileTraits !== 'object' || Array.isArray(s.fileTraits))
      fail('fileTraits', 'must be an object of trait: built-in name or function');
    for (const [trait, t] of Object.entries(s.fileTraits as object)) {
      if (typeof t !== 'function' && !(BUILTIN_TRAITS as readonly unknown[]).includes(t))
        fail(`fileTraits.${trait}`, `must be a function or one of ${BUILTIN_TRAITS.join(', ')}`);
      if ((FIELD_NAMES as readonly string[]).includes(trait)) fail(`fileTraits.${trait}`, 'is a name field');
    }
  }
  if (s.assetChecks !== undefined) {
    if (!Array.isArray(s.assetChecks) || !s.assetChecks.every((x) => typeof x === 'function'))
      fail('assetChecks', 'must be a list of functions');
  }
  return s as unknown as Specification;
}
