import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEnvironmentError } from './environment-error.js';

const systemError = (code: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${code}: something`), { code, ...extra });

test('environment errors become one line naming the path and the cause; others are left alone', () => {
  assert.equal(
    describeEnvironmentError(systemError('ENOSPC', { syscall: 'write', path: '/r/.strata/objects/tmp/x' })),
    'write /r/.strata/objects/tmp/x: no space left on device (ENOSPC)',
  );
  assert.match(
    describeEnvironmentError(systemError('EROFS', { syscall: 'open', path: '/r/.strata/a' }))!,
    /read-only/,
  );
  assert.match(
    describeEnvironmentError(systemError('EACCES', { path: '/r/x' }))!,
    /^\/r\/x: permission denied/,
  );
  assert.match(describeEnvironmentError(systemError('EMFILE'))!, /too many open files/);
  assert.match(describeEnvironmentError(systemError('SQLITE_IOERR_WRITE'))!, /input\/output error/);
  assert.match(describeEnvironmentError(systemError('SQLITE_READONLY'))!, /read-only/);
  const missing = Object.assign(new Error("Cannot find module '/r/fns.mjs' imported from /x/strata.js"), {
    code: 'ERR_MODULE_NOT_FOUND',
  });
  assert.equal(
    describeEnvironmentError(missing),
    "cannot load '/r/fns.mjs': module not found (ERR_MODULE_NOT_FOUND)",
  );
  // Wrapped: the cause chain is followed.
  assert.match(
    describeEnvironmentError(new Error('x', { cause: systemError('EDQUOT', { path: '/q' }) }))!,
    /quota/,
  );
  // Strata's own bugs stay internal errors.
  assert.equal(describeEnvironmentError(new TypeError('x is undefined')), undefined);
  assert.equal(describeEnvironmentError(systemError('ERR_INVALID_ARG_TYPE')), undefined);
});
