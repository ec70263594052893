import { appendFileSync } from 'node:fs';
import { formatWithOptions } from 'node:util';

/** The logger a compute function gets as `ctx.log`. Arguments are formatted like console.log's. */
export interface ComputeLogger {
  debug(...message: unknown[]): void;
  info(...message: unknown[]): void;
  warn(...message: unknown[]): void;
  error(...message: unknown[]): void;
}

/** The log's file name inside a resource's output folder. */
export const LOG_FILE = 'log.txt';

/**
 * A logger appending `ISO-time LEVEL message` lines to the file `file()` returns (called on the
 * first line, so a function that never logs creates nothing). Each line is one open-append-close:
 * no handle stays open after the compute, and a line is on disk (readable with `fetchLog` while
 * the compute runs, kept if the process is killed) as soon as it is written.
 */
export function createComputeLogger(file: () => string): ComputeLogger {
  const write = (level: string, message: unknown[]) => {
    const text = formatWithOptions({ colors: false }, ...message).replace(/\n/g, '\n    ');
    appendFileSync(file(), `${new Date().toISOString()} ${level} ${text}\n`);
  };
  return {
    debug: (...message) => write('DEBUG', message),
    info: (...message) => write('INFO ', message),
    warn: (...message) => write('WARN ', message),
    error: (...message) => write('ERROR', message),
  };
}
