import type { FieldName, NamingGrammar, Range } from './grammar.js';

/** One way a name breaks the convention: which field, where, what was expected and found. */
export interface NameViolation {
  readonly field: FieldName | 'name';
  /** Character offset in the whole name where it goes wrong. */
  readonly offset: number;
  readonly expected: string;
  readonly found: string;
  readonly message: string;
}

export function violation(
  field: NameViolation['field'],
  offset: number,
  expected: string,
  found: string,
): NameViolation {
  const shown = found === '' ? 'the end of the field' : `'${found}'`;
  return {
    field,
    offset,
    expected,
    found,
    message: `${field} at offset ${offset}: expected ${expected}, found ${shown}`,
  };
}

const plural = (r: Range, what: string) =>
  r.min === r.max ? `${r.min} ${what}` : `${r.min}-${r.max} ${what}`;

/** `letters` lowercase letters then `digits` digits (project and specification tokens). */
function lettersThenDigits(
  field: FieldName,
  token: string,
  at: number,
  rule: { letters: Range; digits: Range },
): NameViolation | undefined {
  let i = 0;
  while (i < token.length && i < rule.letters.max && isLower(token[i]!)) i++;
  if (i < rule.letters.min)
    return violation(
      field,
      at + i,
      `${plural(rule.letters, 'lowercase letters')} first`,
      token.slice(i, i + 1),
    );
  let j = i;
  while (j < token.length && j - i < rule.digits.max && isDigit(token[j]!)) j++;
  if (j - i < rule.digits.min) {
    return violation(
      field,
      at + j,
      `${plural(rule.digits, 'digits')} after ${i} letters`,
      token.slice(j, j + 1),
    );
  }
  if (j < token.length) return violation(field, at + j, `the end of the ${field}`, token.slice(j, j + 1));
  return undefined;
}

function exactDigits(
  field: FieldName,
  token: string,
  at: number,
  digits: number,
  start = 0,
): NameViolation | undefined {
  for (let i = start; i < start + digits; i++) {
    if (i >= token.length || !isDigit(token[i]!))
      return violation(field, at + i, `${digits} digits`, token.slice(i, i + 1));
  }
  return undefined;
}

/** Exactly `digits` digits and nothing after them (version and frame tokens). */
function digitsOnly(field: FieldName, token: string, at: number, digits: number): NameViolation | undefined {
  const bad = exactDigits(field, token, at, digits);
  if (bad) return bad;
  if (token.length > digits)
    return violation(field, at + digits, `the end of the ${field}`, token.slice(digits, digits + 1));
  return undefined;
}

function isLower(c: string): boolean {
  return c >= 'a' && c <= 'z';
}
function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/**
 * Checks one field's token (the part after its indicator) that starts at offset `at` of the name.
 * Returns the violation, or undefined when the token is well formed.
 */
export function checkToken(
  field: FieldName,
  token: string,
  at: number,
  g: NamingGrammar,
): NameViolation | undefined {
  switch (field) {
    case 'project':
      return lettersThenDigits(field, token, at, g.project);
    case 'specification':
      return lettersThenDigits(field, token, at, g.specification);
    case 'descriptor': {
      for (let i = 0; i < token.length; i++) {
        const c = token[i]!;
        if (c === g.tokenSeparator && i > 0 && i < token.length - 1 && token[i - 1] !== g.tokenSeparator)
          continue;
        if (!isLower(c) && !isDigit(c)) return violation(field, at + i, 'a lowercase letter or digit', c);
      }
      if (token === '') return violation(field, at, 'a lowercase letter or digit', '');
      const banned = g.descriptor.forbiddenPrefixes.find((p) => token.startsWith(p));
      if (banned)
        return violation(
          field,
          at,
          `a descriptor not beginning with ${g.descriptor.forbiddenPrefixes.join(', ')}`,
          banned,
        );
      return undefined;
    }
    case 'version': {
      const bad = digitsOnly(field, token, at, g.version.digits);
      if (bad) return bad;
      if (Number(token) < g.version.min)
        return violation(field, at, `a version of at least ${g.version.min}`, token);
      return undefined;
    }
    case 'coordinate': {
      const step = g.coordinate.digits + 1;
      let axes = 0;
      for (let i = 0; ; i += step) {
        const bad = exactDigits(field, token, at, g.coordinate.digits, i);
        if (bad) return bad;
        axes++;
        const next = i + g.coordinate.digits;
        if (next === token.length) return undefined;
        if (token[next] !== g.tokenSeparator)
          return violation(
            field,
            at + next,
            `'${g.tokenSeparator}' or the end of the coordinate`,
            token[next]!,
          );
        if (axes === g.coordinate.maxAxes)
          return violation(field, at + next, `at most ${g.coordinate.maxAxes} axes`, token.slice(next));
      }
    }
    case 'frame':
      return digitsOnly(field, token, at, g.frame.digits);
    case 'extension': {
      const legal = new RegExp(`^[${g.extension.characters}]$`);
      if (token === '') return violation(field, at, 'an extension', '');
      for (let i = 0; i < token.length; i++) {
        if (!legal.test(token[i]!))
          return violation(field, at + i, `extension characters [${g.extension.characters}]`, token[i]!);
      }
      return undefined;
    }
  }
}
