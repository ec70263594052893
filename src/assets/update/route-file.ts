import type { StoredError } from '../store/asset-store.js';
import { checkFieldOrder } from '../naming/field-order.js';
import type { NamingGrammar } from '../naming/grammar.js';
import { parseName, type NameMetadata } from '../naming/parse-name.js';
import type { LoadedSpecification } from '../specs/load-specifications.js';

/** A file's name parsed and routed to its specification. */
export interface RoutedName {
  readonly specification: string | null;
  readonly fields: NameMetadata;
  readonly grammarVersion: string;
  readonly errors: StoredError[];
  /** The trait plan: trait name → built-in name, or null for a function of the specification. */
  readonly traits: [string, string | null][];
}

/**
 * Parses a file name and routes it by its own `s-` field (never by searching for `s-`), then
 * checks its fields against the specification's `filenameFields`. An unknown specification is
 * an error on the file naming it, with the offset of the token.
 */
export function routeName(
  filename: string,
  specs: ReadonlyMap<string, LoadedSpecification>,
  grammar: NamingGrammar,
): RoutedName {
  const parsed = parseName(filename, grammar);
  const errors: StoredError[] = parsed.violations.map((v) => ({
    field: v.field,
    offset: v.offset,
    message: v.message,
  }));
  const specification = parsed.metadata.specification ?? null;
  const traits: [string, string | null][] = [];
  if (specification !== null) {
    const loaded = specs.get(specification);
    if (!loaded) {
      const at = filename.indexOf(grammar.indicators.specification + specification);
      errors.push({
        field: 'specification',
        offset: at === -1 ? 0 : at + grammar.indicators.specification.length,
        message: `unknown specification '${specification}'${specs.size > 0 ? `; known: ${[...specs.keys()].sort().join(', ')}` : ' (the config lists no specification_files)'}`,
      });
    } else {
      if (parsed.violations.length === 0) {
        const order = checkFieldOrder(filename, parsed, loaded.spec.filenameFields);
        if (order) errors.push({ field: order.field, offset: order.offset, message: order.message });
      }
      for (const [name, t] of Object.entries(loaded.spec.fileTraits ?? {}))
        traits.push([name, typeof t === 'string' ? t : null]);
    }
  }
  errors.sort((a, b) => (a.offset ?? 0) - (b.offset ?? 0));
  return { specification, fields: parsed.metadata, grammarVersion: parsed.grammarVersion, errors, traits };
}

/**
 * Runs a specification's field validators on one file's values (name fields, then traits). A
 * validator that throws counts as a failure with its message; a missing value is left to the
 * name and trait checks that already reported it.
 */
export function validateFields(
  loaded: LoadedSpecification,
  fields: NameMetadata,
  traits: Readonly<Record<string, unknown>>,
): StoredError[] {
  const errors: StoredError[] = [];
  for (const [field, validators] of Object.entries(loaded.spec.fieldValidators ?? {})) {
    const value = field in fields ? (fields as Record<string, unknown>)[field] : traits[field];
    if (value === undefined) continue;
    for (const validator of validators) {
      let problem: string | undefined;
      try {
        problem = (validator as (v: unknown) => string | undefined)(value);
      } catch (err) {
        problem = `validator failed: ${(err as Error).message}`;
      }
      if (problem !== undefined) errors.push({ field, message: `${field}: ${problem}` });
    }
  }
  return errors;
}
