import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { check } from './check.js';

/** The project root (this file runs as dist/bench/lib/paths.js). */
export const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The compiled CLI the benchmarks spawn. */
export const STRATA_BIN = fileURLToPath(new URL('../../src/cli/bin.js', import.meta.url));

/** Where `run.ts` writes each benchmark's JSON document (gitignored). */
export const RESULTS_DIR = fileURLToPath(new URL('../../../bench/results/', import.meta.url));

export function assertBuilt(): void {
  check(existsSync(STRATA_BIN), `the CLI is not built: ${STRATA_BIN} is missing (run npm run build)`);
}
