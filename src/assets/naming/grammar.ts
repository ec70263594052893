import { ConfigError } from '../../errors/index.js';

/** The seven fields of a name, in the order Hidebound encourages. */
export const FIELD_NAMES = [
  'project',
  'specification',
  'descriptor',
  'version',
  'coordinate',
  'frame',
  'extension',
] as const;
export type FieldName = (typeof FIELD_NAMES)[number];

/** An inclusive count range, e.g. 3–4 letters. */
export interface Range {
  readonly min: number;
  readonly max: number;
}

/**
 * The naming convention as data. Each rule is a parameter, so a project can widen one (Hidebound
 * itself later allowed 3–10 project letters) in its config without code changes; the grammar's
 * `version` is recorded with every parsed name so metadata says which rules it passed.
 */
export interface NamingGrammar {
  /** Names this set of rules; recorded with parsed metadata. */
  readonly grammarVersion: string;
  readonly indicators: Readonly<Record<FieldName, string>>;
  /** Joins fields. */
  readonly fieldSeparator: string;
  /** Joins tokens inside a field (descriptor words, coordinate axes). */
  readonly tokenSeparator: string;
  readonly project: { readonly letters: Range; readonly digits: Range };
  readonly specification: { readonly letters: Range; readonly digits: Range };
  readonly descriptor: { readonly forbiddenPrefixes: readonly string[] };
  readonly version: { readonly digits: number; readonly min: number };
  readonly coordinate: { readonly digits: number; readonly maxAxes: number };
  readonly frame: { readonly digits: number };
  /** Characters an extension may hold (a regular-expression character class body). */
  readonly extension: { readonly characters: string };
}

/** The seed's rules ("Special Field Syntax"), version `hidebound-1`. */
export const DEFAULT_GRAMMAR: NamingGrammar = {
  grammarVersion: 'hidebound-1',
  indicators: {
    project: 'p-',
    specification: 's-',
    descriptor: 'd-',
    version: 'v',
    coordinate: 'c',
    frame: 'f',
    extension: '.',
  },
  fieldSeparator: '_',
  tokenSeparator: '-',
  project: { letters: { min: 3, max: 4 }, digits: { min: 1, max: 4 } },
  specification: { letters: { min: 3, max: 4 }, digits: { min: 3, max: 3 } },
  descriptor: { forbiddenPrefixes: ['master', 'final', 'last'] },
  version: { digits: 3, min: 1 },
  coordinate: { digits: 4, maxAxes: 3 },
  frame: { digits: 4 },
  extension: { characters: 'a-zA-Z0-9' },
};

/** What a config may change: any rule, plus a new version name (required when anything changes). */
export type GrammarOverrides = {
  readonly grammarVersion: string;
} & {
  readonly [
    K in 'project' | 'specification' | 'descriptor' | 'version' | 'coordinate' | 'frame' | 'extension'
  ]?: Partial<NamingGrammar[K]>;
};

function checkRange(range: Range, where: string): void {
  if (
    !Number.isInteger(range.min) ||
    !Number.isInteger(range.max) ||
    range.min < 1 ||
    range.max < range.min
  ) {
    throw new ConfigError(`naming grammar: ${where} must be whole numbers with 1 <= min <= max`, {
      where,
      range,
    });
  }
}

/**
 * The default grammar widened (or narrowed) by a config. Refuses overrides without a new version
 * name, or with ranges that make no sense, naming the rule.
 */
export function createGrammar(overrides?: GrammarOverrides): NamingGrammar {
  if (!overrides) return DEFAULT_GRAMMAR;
  if (
    typeof overrides.grammarVersion !== 'string' ||
    overrides.grammarVersion === '' ||
    overrides.grammarVersion === DEFAULT_GRAMMAR.grammarVersion
  ) {
    throw new ConfigError('naming grammar: a changed grammar needs its own grammarVersion name', {
      field: 'grammarVersion',
    });
  }
  const known = new Set([
    'grammarVersion',
    'version',
    'project',
    'specification',
    'descriptor',
    'coordinate',
    'frame',
    'extension',
  ]);
  for (const key of Object.keys(overrides)) {
    if (!known.has(key)) throw new ConfigError(`naming grammar: unknown rule '${key}'`, { field: key });
  }
  const g: NamingGrammar = {
    ...DEFAULT_GRAMMAR,
    grammarVersion: overrides.grammarVersion,
    version: { ...DEFAULT_GRAMMAR.version, ...overrides.version },
    project: { ...DEFAULT_GRAMMAR.project, ...overrides.project },
    specification: { ...DEFAULT_GRAMMAR.specification, ...overrides.specification },
    descriptor: { ...DEFAULT_GRAMMAR.descriptor, ...overrides.descriptor },
    coordinate: { ...DEFAULT_GRAMMAR.coordinate, ...overrides.coordinate },
    frame: { ...DEFAULT_GRAMMAR.frame, ...overrides.frame },
    extension: { ...DEFAULT_GRAMMAR.extension, ...overrides.extension },
  };
  checkRange(g.project.letters, 'project.letters');
  checkRange(g.project.digits, 'project.digits');
  checkRange(g.specification.letters, 'specification.letters');
  checkRange(g.specification.digits, 'specification.digits');
  for (const [where, n] of [
    ['coordinate.digits', g.coordinate.digits],
    ['coordinate.maxAxes', g.coordinate.maxAxes],
    ['frame.digits', g.frame.digits],
    ['version.digits', g.version.digits],
  ] as const) {
    if (!Number.isInteger(n) || n < 1)
      throw new ConfigError(`naming grammar: ${where} must be a whole number >= 1`, { where });
  }
  if (!/^[a-zA-Z0-9-]+$/.test(g.extension.characters)) {
    throw new ConfigError('naming grammar: extension.characters may only name letter and digit ranges', {
      where: 'extension.characters',
    });
  }
  return g;
}

/** Checks a list of field names given by a user (e.g. `--fields`), naming the first unknown one. */
export function checkFieldList(fields: readonly string[]): FieldName[] {
  for (const f of fields) {
    if (!(FIELD_NAMES as readonly string[]).includes(f)) {
      throw new ConfigError(`unknown field '${f}'; fields are ${FIELD_NAMES.join(', ')}`, { field: f });
    }
  }
  if (new Set(fields).size !== fields.length) throw new ConfigError('a field is listed twice', { fields });
  return fields as FieldName[];
}
