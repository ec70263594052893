import { spawnSync } from 'node:child_process';
import { installedBin } from './installed-bin.js';

/** Absolute path of the installed CLI: the file package.json's `bin` points to (dist/strata.js). */
export const CLI_BIN = installedBin();

/** What a CLI run printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  json<T = unknown>(): T;
}

/** Runs the real `strata` CLI in a child process, as a user would. */
export function runCli(cwd: string, args: readonly string[], env: Record<string, string> = {}): CliRun {
  const r = spawnSync(process.execPath, [CLI_BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', STRATA_DEBUG: '', ...env },
  });
  return {
    code: r.status ?? -1,
    stdout: r.stdout,
    stderr: r.stderr,
    json<T>() {
      return JSON.parse(r.stdout) as T;
    },
  };
}
