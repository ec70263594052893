import { DEFAULT_GRAMMAR, FIELD_NAMES, type FieldName, type NamingGrammar } from './grammar.js';
import { parseNameOrThrow, type NameMetadata } from './parse-name.js';

/**
 * Builds a name from metadata in `order` (default: the canonical project, specification,
 * descriptor, version, coordinate, frame, extension), padding numbers as the grammar says, and
 * checks the result parses back to the same metadata (so format and parse round-trip).
 */
export function formatName(
  metadata: NameMetadata,
  order: readonly FieldName[] = FIELD_NAMES,
  grammar: NamingGrammar = DEFAULT_GRAMMAR,
): string {
  const parts: string[] = [];
  let extension = '';
  for (const field of order) {
    const value = metadata[field];
    if (value === undefined) continue;
    const ind = grammar.indicators[field];
    switch (field) {
      case 'version':
        parts.push(ind + String(value).padStart(grammar.version.digits, '0'));
        break;
      case 'frame':
        parts.push(ind + String(value).padStart(grammar.frame.digits, '0'));
        break;
      case 'coordinate':
        parts.push(
          ind +
            (value as readonly number[])
              .map((n) => String(n).padStart(grammar.coordinate.digits, '0'))
              .join(grammar.tokenSeparator),
        );
        break;
      case 'extension':
        extension = ind + String(value);
        break;
      default:
        parts.push(ind + String(value));
    }
  }
  const name = parts.join(grammar.fieldSeparator) + extension;
  parseNameOrThrow(name, grammar);
  return name;
}
