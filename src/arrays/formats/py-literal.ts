/**
 * Parses the tiny subset of Python literals a `.npy` header uses: dicts, tuples, lists, quoted
 * strings, integers, True, False, None. Anything else is an error naming the offset.
 */
export type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

export function parsePyLiteral(text: string): PyValue {
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at offset ${i} of '${text.slice(0, 80)}'`);
  };
  const space = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const value = (): PyValue => {
    space();
    const c = text[i];
    if (c === '{') {
      i++;
      const out: Record<string, PyValue> = {};
      for (;;) {
        space();
        if (text[i] === '}') return (i++, out);
        const key = value();
        if (typeof key !== 'string') fail('expected a string key');
        space();
        if (text[i++] !== ':') fail("expected ':'");
        out[key as string] = value();
        space();
        if (text[i] === ',') i++;
        else if (text[i] !== '}') fail("expected ',' or '}'");
      }
    }
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      i++;
      const out: PyValue[] = [];
      for (;;) {
        space();
        if (text[i] === close) return (i++, out);
        out.push(value());
        space();
        if (text[i] === ',') i++;
        else if (text[i] !== close) fail(`expected ',' or '${close}'`);
      }
    }
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end === -1) fail('unterminated string');
      const s = text.slice(i + 1, end);
      i = end + 1;
      return s;
    }
    const word = /^(True|False|None|-?\d+)/.exec(text.slice(i));
    if (!word) return fail('unexpected character');
    i += word[0].length;
    return word[0] === 'True'
      ? true
      : word[0] === 'False'
        ? false
        : word[0] === 'None'
          ? null
          : Number(word[0]);
  };
  const result = value();
  space();
  if (i !== text.length) fail('trailing characters');
  return result;
}
