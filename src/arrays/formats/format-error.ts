import { InvalidArgumentError } from '../../errors/index.js';

/**
 * A file that is not what its format says (malformed, truncated, lying header): an
 * InvalidArgumentError (E_INVALID_ARGUMENT, a user's mistake) whose data names the file.
 */
export function formatError(
  file: string,
  format: string,
  why: string,
  data: Record<string, unknown> = {},
): InvalidArgumentError {
  return new InvalidArgumentError(`${file}: not a valid ${format}: ${why}`, {
    file,
    format,
    reason: why,
    ...data,
  });
}

/** A file that ended before the bytes its header promised. */
export function truncatedError(file: string, expectedBytes: number, gotBytes: number): InvalidArgumentError {
  return new InvalidArgumentError(
    `${file}: truncated: expected ${expectedBytes} bytes, the file ended after ${gotBytes}`,
    { file, reason: 'truncated', expectedBytes, gotBytes },
  );
}
