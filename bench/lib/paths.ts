import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { check } from './check.js';

/** The project root (this file runs as dist/bench/lib/paths.js). */
export const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The unbundled CLI entry, used when package.json names no `bin`. */
const UNBUNDLED_BIN = join(PROJECT_ROOT, 'dist/src/cli/bin.js');

/**
 * The CLI the benchmarks spawn: BENCH_STRATA_BIN if set, else what users run, package.json's
 * `bin.strata` (the bundled dist/strata.js), else dist/src/cli/bin.js.
 */
function findStrataBin(): string {
  const override = process.env.BENCH_STRATA_BIN;
  if (override) return isAbsolute(override) ? override : join(PROJECT_ROOT, override);
  try {
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
      bin?: string | Record<string, string>;
    };
    const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.strata;
    if (bin) return join(PROJECT_ROOT, bin);
  } catch {
    // No readable package.json: fall back.
  }
  return UNBUNDLED_BIN;
}

export const STRATA_BIN = findStrataBin();

/** The CLI entry relative to the project, for the JSON document. */
export const STRATA_BIN_SHOWN = relative(PROJECT_ROOT, STRATA_BIN);

/** Where `run.ts` writes each benchmark's JSON document (gitignored). */
export const RESULTS_DIR = fileURLToPath(new URL('../../../bench/results/', import.meta.url));

export function assertBuilt(): void {
  check(existsSync(STRATA_BIN), `the CLI is not built: ${STRATA_BIN} is missing (run npm run build)`);
}
