import { InvalidArgumentError } from '../errors/index.js';
import { checkSampleKey, sampleKeyFromCanonical, type SampleKey } from './sample-key.js';
import type { ColumnSchema } from './schema.js';

/** A key of a flat column, or [key, subkey] of a nested one. */
export type ColumnKey = SampleKey | readonly [SampleKey, SampleKey];

function refuseKey(schema: ColumnSchema, key: unknown, expected: string): never {
  throw new InvalidArgumentError(
    `column '${schema.name}': key ${JSON.stringify(key)}: expected ${expected}`,
    {
      column: schema.name,
      key,
      expected,
    },
  );
}

/** The index form of a key: canonical sample keys, joined by `/` in a nested column. */
export function canonicalKey(schema: ColumnSchema, key: ColumnKey): string {
  const nested = schema.layout === 'nested';
  if (Array.isArray(key)) {
    if (!nested || key.length !== 2)
      refuseKey(schema, key, nested ? '[key, subkey]' : 'a single key (the column is flat)');
    return `${checkSampleKey(key[0], schema.name)}/${checkSampleKey(key[1], schema.name)}`;
  }
  if (nested) refuseKey(schema, key, '[key, subkey] (the column is nested)');
  return checkSampleKey(key as SampleKey, schema.name);
}

/** The key a user sees for an index key. */
export function publicKey(schema: ColumnSchema, canonical: string): ColumnKey {
  if (schema.layout !== 'nested') return sampleKeyFromCanonical(canonical);
  const slash = canonical.indexOf('/');
  return [
    sampleKeyFromCanonical(canonical.slice(0, slash)),
    sampleKeyFromCanonical(canonical.slice(slash + 1)),
  ];
}

/**
 * A column key from text (a command line, a URL): whole numbers become integer keys, anything else
 * stays a string; in a nested column `KEY/SUBKEY` gives [key, subkey] (a missing subkey is '').
 * The key is not checked here: the column checks it when it is used.
 *
 * @example parseColumnKey('17', 'flat') // 17;  parseColumnKey('a/2', 'nested') // ['a', 2]
 */
export function parseColumnKey(text: string, layout: ColumnSchema['layout']): ColumnKey {
  const parse = (part: string): SampleKey => (/^\d+$/.test(part) ? Number(part) : part);
  if (layout !== 'nested') return parse(text);
  const parts = text.split('/');
  return [parse(parts[0]!), parse(parts[1] ?? '')];
}
