const strict = new TextDecoder('utf-8', { fatal: true });

/** True when a file name's bytes are valid UTF-8 (the only names Strata can version). */
export function isUtf8Name(name: Buffer): boolean {
  try {
    strict.decode(name);
    return true;
  } catch {
    return false;
  }
}

/** How many bytes the UTF-8 sequence starting with `lead` claims (0: not a lead byte). */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/**
 * A file name made readable without losing anything: valid UTF-8 is kept, every byte that is not
 * part of a valid sequence becomes `\xNN`, and a backslash becomes `\\`, so the bytes can be
 * recovered exactly (`unescapeName`).
 */
export function escapeName(name: Buffer): string {
  let out = '';
  let i = 0;
  while (i < name.length) {
    const n = sequenceLength(name[i]!);
    if (n > 0 && i + n <= name.length) {
      const slice = name.subarray(i, i + n);
      if (isUtf8Name(slice)) {
        const text = slice.toString('utf8');
        out += text === '\\' ? '\\\\' : text;
        i += n;
        continue;
      }
    }
    out += `\\x${name[i]!.toString(16).padStart(2, '0')}`;
    i++;
  }
  return out;
}

/** The bytes of a name written by `escapeName`. */
export function unescapeName(escaped: string): Buffer {
  const parts: Buffer[] = [];
  let i = 0;
  while (i < escaped.length) {
    if (escaped[i] === '\\' && escaped[i + 1] === '\\') {
      parts.push(Buffer.from('\\'));
      i += 2;
    } else if (escaped[i] === '\\' && escaped[i + 1] === 'x') {
      parts.push(Buffer.from([parseInt(escaped.slice(i + 2, i + 4), 16)]));
      i += 4;
    } else {
      const cp = escaped.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      parts.push(Buffer.from(ch, 'utf8'));
      i += ch.length;
    }
  }
  return Buffer.concat(parts);
}
