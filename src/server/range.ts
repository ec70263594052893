import { StrataError } from '../api/index.js';

/** A `Range` that lies outside the file (HTTP 416). */
export class RangeNotSatisfiableError extends StrataError {
  constructor(header: string, size: number) {
    super(
      'E_RANGE_NOT_SATISFIABLE',
      `range ${header} is outside the file (${size} bytes)`,
      { range: header, size },
      true,
    );
  }
}

/**
 * One byte range of a `Range: bytes=…` header (`a-b`, `a-`, `-n`), inclusive; undefined when
 * there is no header or it asks for several ranges (then the whole file is sent, as RFC 9110 allows).
 */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) throw new RangeNotSatisfiableError(header, size);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || start > end) throw new RangeNotSatisfiableError(header, size);
  return { start, end };
}
