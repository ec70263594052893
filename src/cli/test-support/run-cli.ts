import { spawn, spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
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

/**
 * `runCli` without blocking this process: for tests that serve something in process (s3rver)
 * while the CLI talks to it. `onStderr` sees stderr as it arrives (progress lines).
 */
export function runCliAsync(
  cwd: string,
  args: readonly string[],
  env: Record<string, string> = {},
  onStderr?: (text: string) => void,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', STRATA_DEBUG: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      onStderr?.(stderr);
    });
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code: code ?? -1,
        stdout,
        stderr,
        json<T>() {
          return JSON.parse(stdout) as T;
        },
      }),
    );
  });
}

/** Asserts that a run exited 0 (showing its stderr if not) and returns it. */
export function ok(r: CliRun): CliRun {
  assert.equal(r.code, 0, `exit code; stderr: ${r.stderr}`);
  return r;
}
