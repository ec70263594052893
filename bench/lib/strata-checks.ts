import { check } from './check.js';
import { git, strata, type ProcessRun } from './proc.js';

/** Parses a command's `--json` stdout, failing clearly when it is not JSON. */
export function parseJson<T>(run: ProcessRun, what: string): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`${what} did not print JSON: ${run.stdout.slice(0, 300)}`);
  }
}

/** Checks that a `strata commit --json` run recorded exactly `changes` changed files; returns its id. */
export function expectCommitted(run: ProcessRun, changes: number, what: string): string {
  const out = parseJson<{ id?: string; changes?: number }>(run, `strata commit (${what})`);
  check(
    out.changes === changes && typeof out.id === 'string',
    `${what}: strata commit reported ${out.changes} changed files, expected ${changes} (${run.stdout.trim()})`,
  );
  return out.id;
}

/** Checks that `strata status --json` output shows a clean tree at `head` (when given). */
export function expectStrataClean(run: ProcessRun, what: string, head?: string): void {
  const out = parseJson<{ head?: string; changes?: unknown[] }>(run, `strata status (${what})`);
  check(
    Array.isArray(out.changes) && out.changes.length === 0,
    `${what}: strata status shows ${out.changes?.length} changes, expected none: ` +
      JSON.stringify(out.changes?.slice(0, 5)),
  );
  if (head !== undefined) check(out.head === head, `${what}: strata HEAD is ${out.head}, expected ${head}`);
}

/** Runs `strata status --json` and checks the tree is clean. */
export async function checkStrataClean(cwd: string, what: string, head?: string): Promise<void> {
  expectStrataClean(await strata(cwd, ['status', '--json'], { profileName: 'status-check' }), what, head);
}

/** Checks that `git status --porcelain` output is empty. */
export function expectGitClean(run: ProcessRun, what: string): void {
  check(run.stdout.trim() === '', `${what}: git status is not clean:\n${run.stdout.slice(0, 500)}`);
}

export async function checkGitClean(cwd: string, what: string): Promise<void> {
  expectGitClean(await git(cwd, ['status', '--porcelain']), what);
}
