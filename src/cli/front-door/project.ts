import { mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (this file is compiled to dist/src/cli/front-door/). */
export const PROJECT_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** The file package.json's `bin` points to: what `npm link` and `npx strata` run. */
export function installedBin(): string {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    bin: Record<string, string>;
  };
  return join(PROJECT_ROOT, pkg.bin.strata!);
}

/** A fresh temporary folder for one test. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `strata-${prefix}-`));
}

/**
 * A folder holding a `strata` symlink to the installed bin, as `npm link` makes; put it first on
 * PATH to run shell text exactly as a user would.
 */
export function binFolder(): string {
  const dir = join(tempDir('bin'), 'bin');
  mkdirSync(dir);
  symlinkSync(installedBin(), join(dir, 'strata'));
  return dir;
}

/** The environment for running user commands: `strata` on PATH, no colours. */
export function userEnv(bin: string): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, NO_COLOR: '1', STRATA_DEBUG: '' };
}
