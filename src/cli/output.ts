import { isStrataError } from '../errors/index.js';
import { describeEnvironmentError } from './environment-error.js';

/** Colors only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
const useColor = process.stdout.isTTY === true && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';

const paint = (code: number) => (text: string) => (useColor ? `\u001b[${code}m${text}\u001b[0m` : text);
export const green = paint(32);
export const red = paint(31);
export const yellow = paint(33);
export const cyan = paint(36);
export const dim = paint(2);
export const bold = paint(1);

/** Prints one line to stdout. */
export function say(line = ''): void {
  process.stdout.write(line + '\n');
}

/** Prints a value as JSON (the `--json` output of every data command). */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Short form of an object id for humans. */
export function short(id: string | null | undefined): string {
  return id ? id.slice(0, 12) : '(none)';
}

/**
 * Turns any error into one line on stderr and an exit code: 1 for the caller's mistake (a
 * StrataError marked as such, or a problem of the environment such as a full disk), 2 for
 * everything else. Stack traces only with STRATA_DEBUG=1.
 */
export function reportError(err: unknown): number {
  if (isStrataError(err)) {
    process.stderr.write(`${red('error:')} ${err.message}\n`);
    if (process.env.STRATA_DEBUG) process.stderr.write(`${err.stack}\n`);
    return err.userError ? 1 : 2;
  }
  // A full disk, a read-only folder, a missing module: the caller's to fix, one line, exit 1.
  const environment = describeEnvironmentError(err);
  if (environment) {
    process.stderr.write(`${red('error:')} ${environment}\n`);
    if (process.env.STRATA_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`${red('internal error:')} ${message} (set STRATA_DEBUG=1 for details)\n`);
  if (process.env.STRATA_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  return 2;
}
