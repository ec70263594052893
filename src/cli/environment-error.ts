/**
 * Problems of the machine rather than of Strata: a full disk, a read-only or forbidden folder, a
 * missing file or module, too many open files. The CLI prints them as one line naming the path
 * and the cause, with exit code 1 (the caller's to fix), never as an internal error.
 */

/** Node system error codes (and SQLite's) that describe the environment, with a readable cause. */
const CAUSES: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large for this filesystem',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EMFILE: 'too many open files (raise the limit: ulimit -n)',
  ENFILE: 'too many open files in the system',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many levels of symbolic links',
  EBUSY: 'resource busy',
  EXDEV: 'cannot move across filesystems',
  EIO: 'input/output error',
  ERR_MODULE_NOT_FOUND: 'module not found',
  ERR_UNSUPPORTED_DIR_IMPORT: 'is a directory, not a module',
  ERR_UNKNOWN_FILE_EXTENSION: 'not a JavaScript module',
  SQLITE_FULL: 'no space left on device',
  SQLITE_READONLY: 'read-only database (is .strata on a read-only file system?)',
  SQLITE_CANTOPEN: 'cannot open the database (is .strata read-only, full or missing?)',
  SQLITE_IOERR: 'input/output error',
  SQLITE_PERM: 'permission denied',
};

interface SystemErrorLike {
  code?: unknown;
  path?: unknown;
  dest?: unknown;
  syscall?: unknown;
  message?: unknown;
  url?: unknown;
  cause?: unknown;
}

function causeOf(code: string): string | undefined {
  if (CAUSES[code]) return CAUSES[code];
  // SQLite's extended codes (SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED, ...) share the base cause.
  const base = /^(SQLITE_[A-Z]+?)_[A-Z_]+$/.exec(code)?.[1];
  return base ? CAUSES[base] : undefined;
}

/** The module a failed import names ("Cannot find module '/x/y.mjs' imported from ..."). */
function moduleNamed(message: string): string | undefined {
  return /(?:module|package|directory import|extension "[^"]*" for) '([^']+)'/i.exec(message)?.[1];
}

/**
 * One line for an environment error (`<what> <path>: <cause> (<CODE>)`), or undefined when `err`
 * (or an error in its `cause` chain) is not one.
 */
export function describeEnvironmentError(err: unknown): string | undefined {
  for (
    let e = err as SystemErrorLike | undefined, depth = 0;
    e && depth < 5;
    e = e.cause as SystemErrorLike, depth++
  ) {
    if (typeof e !== 'object' || typeof e.code !== 'string') continue;
    const cause = causeOf(e.code);
    if (!cause) continue;
    const message = typeof e.message === 'string' ? e.message : '';
    if (e.code.startsWith('ERR_')) {
      const module = moduleNamed(message) ?? (typeof e.url === 'string' ? e.url : undefined);
      return `cannot load ${module ? `'${module}'` : 'a module'}: ${cause} (${e.code})`;
    }
    if (e.code.startsWith('SQLITE_')) return `the catalog database (.strata): ${cause} (${e.code})`;
    const path = typeof e.path === 'string' ? e.path : undefined;
    const dest = typeof e.dest === 'string' ? ` -> ${e.dest}` : '';
    const action = typeof e.syscall === 'string' ? `${e.syscall} ` : '';
    return path
      ? `${action}${path}${dest}: ${cause} (${e.code})`
      : `${cause} (${e.code}${action ? `, ${action.trim()}` : ''})`;
  }
  return undefined;
}
