import { FIELD_NAMES, type FieldName } from './grammar.js';
import { violation, type NameViolation } from './token-rules.js';
import type { ParsedName } from './parse-name.js';

/**
 * Checks the order of a parsed name's fields. With `expected` (a specification's filename
 * fields), the name must have exactly those fields in that order; without it, any subset of the
 * seven in canonical order (project, specification, descriptor, version, coordinate, frame,
 * extension) that includes the specification. Returns one violation, or none.
 */
export function checkFieldOrder(
  name: string,
  parsed: ParsedName,
  expected?: readonly FieldName[],
): NameViolation | undefined {
  const got = parsed.fields;
  if (expected) {
    const same = got.length === expected.length && got.every((f, i) => f === expected[i]);
    if (same) return undefined;
    const i = got.findIndex((f, k) => f !== expected[k]);
    const at = i === -1 ? name.length : fieldOffset(name, parsed, i);
    return violation(i === -1 ? 'name' : got[i]!, at, `fields ${expected.join(', ')}`, got.join(', '));
  }
  let last = -1;
  for (const [i, f] of got.entries()) {
    const rank = FIELD_NAMES.indexOf(f);
    if (rank < last) {
      return violation(
        f,
        fieldOffset(name, parsed, i),
        `fields in the order ${FIELD_NAMES.join(', ')}`,
        got.join(', '),
      );
    }
    last = rank;
  }
  return undefined;
}

/** Offset of the i-th field of the name (fields are separated by `_`, the extension by `.`). */
function fieldOffset(name: string, parsed: ParsedName, index: number): number {
  if (parsed.fields[index] === 'extension') return name.indexOf('.');
  let offset = 0;
  for (let k = 0; k < index; k++) offset = name.indexOf('_', offset) + 1;
  return offset;
}
