import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Absolute path of the file package.json's `bin.strata` points to (the bundle dist/strata.js):
 * the file `npm link` and `npx strata` run. Tests and the quickstart run this file, read from
 * package.json so it can never drift from what users install.
 */
export function installedBin(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
        name?: string;
        bin?: Record<string, string>;
      };
      const bin = pkg.bin?.strata;
      if (pkg.name === 'strata' && bin) return resolve(dir, bin);
    }
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error('no package.json with a `bin.strata` above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}
