/**
 * Names the file in a system error that has none: `write`, `fsync` and `ftruncate` on a file
 * descriptor fail with ENOSPC or EIO but no path, and the message the user sees must say where.
 * Returns `err`, so the caller can `throw withErrorPath(err, path)`.
 */
export function withErrorPath(err: unknown, path: string): unknown {
  if (err && typeof err === 'object' && typeof (err as { code?: unknown }).code === 'string') {
    const e = err as { path?: unknown };
    if (e.path === undefined) e.path = path;
  }
  return err;
}
